package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hubforce/hubforce"
)

// Delivery series: what became of changes on their way out, and what the
// CRM APIs cost.
type Delivery struct {
	Deliveries *prometheus.CounterVec
	Conflicts  *prometheus.CounterVec
	LagSeconds *prometheus.HistogramVec
	Queue      *prometheus.GaugeVec
	APICalls   *prometheus.CounterVec
	APILatency *prometheus.HistogramVec
}

func newDelivery(reg *prometheus.Registry) *Delivery {
	d := &Delivery{
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_deliveries_total", Help: "Changes settled on their way to a side, by outcome (applied, retried, dead_lettered, paused, echo, skipped, unmapped).",
		}, []string{"to", "outcome"}),
		Conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_conflicts_total", Help: "Field changes not written because the other side changed the field more recently.",
		}, []string{"object", "field"}),
		LagSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hubforce_delivery_lag_seconds", Help: "Time from a change's commit to its write on the other side.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 300, 3600},
		}, []string{"to"}),
		Queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hubforce_queue_depth", Help: "Changes waiting to be delivered to a side.",
		}, []string{"to"}),
		APICalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_api_calls_total", Help: "Calls to the CRM APIs by endpoint pattern and status code.",
		}, []string{"side", "route", "code"}),
		APILatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hubforce_api_call_seconds", Help: "CRM API call latency by side.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"side"}),
	}
	reg.MustRegister(d.Deliveries, d.Conflicts, d.LagSeconds, d.Queue, d.APICalls, d.APILatency)
	return d
}

// Delivered implements delivery.Observer.
func (d *Delivery) Delivered(to hubforce.Side, outcome string, n int) {
	d.Deliveries.WithLabelValues(string(to), outcome).Add(float64(n))
}

// Conflict implements delivery.Observer.
func (d *Delivery) Conflict(object hubforce.Object, field string) {
	d.Conflicts.WithLabelValues(string(object), field).Inc()
}

// Lag implements delivery.Observer.
func (d *Delivery) Lag(to hubforce.Side, dur time.Duration) {
	d.LagSeconds.WithLabelValues(string(to)).Observe(dur.Seconds())
}

// QueueDepth implements delivery.Observer.
func (d *Delivery) QueueDepth(to hubforce.Side, n int64) {
	d.Queue.WithLabelValues(string(to)).Set(float64(n))
}

// OnCall returns the API clients' call hook for side.
func (d *Delivery) OnCall(side hubforce.Side) func(route string, status int, dur time.Duration) {
	return func(route string, status int, dur time.Duration) {
		d.APICalls.WithLabelValues(string(side), route, strconv.Itoa(status)).Inc()
		d.APILatency.WithLabelValues(string(side)).Observe(dur.Seconds())
	}
}

// WatchBudgets reports each API's budget at scrape time: HubSpot's
// rate-limit window (from its last headers) and Salesforce's daily usage
// (from Sforce-Limit-Info).
func (m *Metrics) WatchBudgets(hubspot func() (remaining, max int, interval time.Duration), salesforce func() (used, limit int)) {
	gauge := func(side hubforce.Side, kind string, f func() float64) {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hubforce_api_budget", Help: "API budget per side: Salesforce daily used/limit, HubSpot remaining/max in its current window.",
			ConstLabels: prometheus.Labels{"side": string(side), "kind": kind},
		}, f))
	}
	gauge(hubforce.HubSpot, "remaining", func() float64 { r, _, _ := hubspot(); return float64(r) })
	gauge(hubforce.HubSpot, "max", func() float64 { _, m, _ := hubspot(); return float64(m) })
	gauge(hubforce.Salesforce, "used", func() float64 { u, _ := salesforce(); return float64(u) })
	gauge(hubforce.Salesforce, "limit", func() float64 { _, l := salesforce(); return float64(l) })
}

// WatchInbox reports the number of acknowledged deliveries not yet
// deduplicated into the queues, read at scrape time.
func (m *Metrics) WatchInbox(depth func() (int64, error)) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hubforce_inbox_depth", Help: "Acknowledged deliveries waiting to be deduplicated into the delivery queues.",
	}, func() float64 {
		n, err := depth()
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}
