package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hubforce/hubforce"
)

// The series the alert rules in deploy/prometheus read beyond the
// counters: each is read when Prometheus scrapes, so that what it says is
// what the store and the engine hold at that moment. Labels stay bounded:
// two sides, three states, the bridge's own dead-letter categories.

var (
	sides  = []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce}
	states = []hubforce.DeliveryState{hubforce.Flowing, hubforce.Failing, hubforce.Paused}
)

// WatchHealth exports the delivery engine's state per direction
// (delivery.Engine.Health) as hubforce_delivery_state{to,state}: 1 for the
// state it is in, 0 for the others, and when that state began.
func (m *Metrics) WatchHealth(health func() []hubforce.Health) {
	m.Registry.MustRegister(&healthCollector{health: health})
}

var (
	stateDesc = prometheus.NewDesc("hubforce_delivery_state",
		"Deliveries to a side: 1 for the state they are in (flowing, failing: writes keep failing and are retried, paused: held until something is fixed), 0 for the others.",
		[]string{"to", "state"}, nil)
	stateSinceDesc = prometheus.NewDesc("hubforce_delivery_state_since_timestamp_seconds",
		"Unix time the current delivery state of a direction began.", []string{"to"}, nil)
	failuresDesc = prometheus.NewDesc("hubforce_delivery_failures",
		"Failed write attempts to a side since its current state began (zero while flowing).", []string{"to"}, nil)
)

type healthCollector struct {
	health func() []hubforce.Health
}

func (c *healthCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- stateDesc
	ch <- stateSinceDesc
	ch <- failuresDesc
}

func (c *healthCollector) Collect(ch chan<- prometheus.Metric) {
	for _, h := range c.health() {
		for _, s := range states {
			v := 0.0
			if h.State == s {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(stateDesc, prometheus.GaugeValue, v, string(h.To), string(s))
		}
		if !h.Since.IsZero() {
			ch <- prometheus.MustNewConstMetric(stateSinceDesc, prometheus.GaugeValue, float64(h.Since.UnixNano())/1e9, string(h.To))
		}
		ch <- prometheus.MustNewConstMetric(failuresDesc, prometheus.GaugeValue, float64(h.Failures), string(h.To))
	}
}

// StoreReader is what the store-backed series read at scrape time.
type StoreReader struct {
	// Oldest returns when the oldest change waiting to go to side `to` was
	// received; zero when none waits.
	Oldest func(ctx context.Context, to hubforce.Side) (time.Time, error)
	// DeadLetters counts the dead letters waiting now, by category.
	DeadLetters func(ctx context.Context) (map[string]int64, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// WatchStore exports hubforce_oldest_pending_age_seconds{to} and
// hubforce_dead_letters{category}. A read that fails leaves its series out
// of that scrape and counts in hubforce_store_read_errors_total.
func (m *Metrics) WatchStore(r StoreReader) {
	if r.Now == nil {
		r.Now = time.Now
	}
	errs := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "hubforce_store_read_errors_total", Help: "Store reads made for a scrape that failed (their series are missing from that scrape).",
	})
	m.Registry.MustRegister(errs, &storeCollector{r: r, errs: errs})
}

var (
	oldestDesc = prometheus.NewDesc("hubforce_oldest_pending_age_seconds",
		"Age of the oldest change waiting to be delivered to a side (0 when none waits).", []string{"to"}, nil)
	deadLettersDesc = prometheus.NewDesc("hubforce_dead_letters",
		"Dead letters waiting for an operator, by category.", []string{"category"}, nil)
)

type storeCollector struct {
	r    StoreReader
	errs prometheus.Counter
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- oldestDesc
	ch <- deadLettersDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := c.r.Now()
	for _, to := range sides {
		oldest, err := c.r.Oldest(ctx, to)
		if err != nil {
			c.errs.Inc()
			continue
		}
		age := 0.0
		if !oldest.IsZero() {
			age = max(0, now.Sub(oldest).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, age, string(to))
	}
	counts, err := c.r.DeadLetters(ctx)
	if err != nil {
		c.errs.Inc()
		return
	}
	// The usual categories are always there, so that a rule's increase()
	// sees the first one arrive.
	for _, cat := range []string{"validation", "retries_exhausted"} {
		if _, ok := counts[cat]; !ok {
			counts[cat] = 0
		}
	}
	for cat, n := range counts {
		ch <- prometheus.MustNewConstMetric(deadLettersDesc, prometheus.GaugeValue, float64(n), cat)
	}
}

// WatchBudgetShares exports the share of each API's budget in use
// (hubforce_api_budget_share{side}, 0..1) and the configured Salesforce
// shares past which deliveries slow down and pause
// (hubforce_api_budget_share_threshold{side,kind}), so that an alert can
// compare the two without repeating the configuration.
func (m *Metrics) WatchBudgetShares(hubspot func() (remaining, max int, interval time.Duration), salesforce func() (used, limit int), slow, pause float64) {
	share := func(side hubforce.Side, f func() float64) {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hubforce_api_budget_share", Help: "Share (0..1) of an API's budget in use: Salesforce's daily limit, HubSpot's current rate-limit window. 0 until a response said.",
			ConstLabels: prometheus.Labels{"side": string(side)},
		}, f))
	}
	share(hubforce.HubSpot, func() float64 {
		remaining, limit, _ := hubspot()
		if limit <= 0 {
			return 0
		}
		return min(1, max(0, float64(limit-remaining)/float64(limit)))
	})
	share(hubforce.Salesforce, func() float64 {
		used, limit := salesforce()
		if limit <= 0 {
			return 0
		}
		return min(1, max(0, float64(used)/float64(limit)))
	})
	thresholds := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hubforce_api_budget_share_threshold", Help: "Configured share of Salesforce's daily limit past which deliveries slow down (kind=slow, HUBFORCE_SALESFORCE_BUDGET_SHARE) and pause (kind=pause, HUBFORCE_SALESFORCE_BUDGET_PAUSE).",
	}, []string{"side", "kind"})
	thresholds.WithLabelValues(string(hubforce.Salesforce), "slow").Set(slow)
	thresholds.WithLabelValues(string(hubforce.Salesforce), "pause").Set(pause)
	m.Registry.MustRegister(thresholds)
}

// WebhookReceived notes that a verified webhook arrived from side.
func (m *Metrics) WebhookReceived(side hubforce.Side, at time.Time) {
	m.LastWebhook.WithLabelValues(string(side)).Set(float64(at.UnixNano()) / 1e9)
}

// initLabels makes every bounded series exist from the start at zero, so
// that rate() and increase() see the first event and the alert rules'
// series are there before anything happened.
func (m *Metrics) initLabels(start time.Time) {
	for _, reason := range []string{"portal", "app"} {
		m.Foreign.WithLabelValues(string(hubforce.HubSpot), reason)
	}
	for _, side := range sides {
		s := string(side)
		for _, o := range []hubforce.Object{hubforce.Contact, hubforce.Company} {
			m.EventsIn.WithLabelValues(s, string(o))
		}
		for _, d := range []hubforce.Decision{hubforce.Accepted, hubforce.Duplicate, hubforce.Stale, hubforce.Echo, hubforce.Unmapped} {
			m.Decisions.WithLabelValues(s, string(d))
		}
		m.Ignored.WithLabelValues(s)
		m.Malformed.WithLabelValues(s)
		m.LastWebhook.WithLabelValues(s).Set(float64(start.UnixNano()) / 1e9)
		for _, outcome := range []string{"applied", "retried", "dead_lettered", "paused", "echo", "skipped", "unmapped", "conflicted"} {
			m.Delivery.Deliveries.WithLabelValues(s, outcome)
		}
		m.Delivery.LagSeconds.WithLabelValues(s)
		m.Delivery.Queue.WithLabelValues(s)
		m.Delivery.APILatency.WithLabelValues(s)
	}
}
