// Package metrics holds hubforce's Prometheus series. One *Metrics is made per
// process (or per test) on its own registry, so nothing is global.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the series SPEC §2 lists. Labels are bounded: side, object,
// decision, route pattern, status class — never a raw path or a record id.
type Metrics struct {
	Registry *prometheus.Registry

	// EventsIn counts events received, by side and object, before dedupe.
	EventsIn *prometheus.CounterVec
	// Decisions counts what was decided on each event (accepted, duplicate,
	// stale, echo, unmapped…).
	Decisions *prometheus.CounterVec
	// Ignored counts events for objects or types the bridge does not sync.
	Ignored *prometheus.CounterVec
	// Refused counts deliveries refused before anything was stored, by reason.
	Refused *prometheus.CounterVec
	// Foreign counts events acknowledged and never processed because they
	// are for another portal or app (reason "portal", "app").
	Foreign *prometheus.CounterVec
	// Malformed counts events or notifications that could not be read,
	// kept as dead letters while the rest of their request went on.
	Malformed *prometheus.CounterVec
	// HTTPRequests and HTTPDuration are by route pattern.
	HTTPRequests *prometheus.CounterVec
	HTTPDuration *prometheus.HistogramVec
	// CommitDuration is how long a webhook waited for its commit.
	CommitDuration prometheus.Histogram
	// LastWebhook is when each side's last verified webhook arrived (or
	// the process started, while none has).
	LastWebhook *prometheus.GaugeVec
	// Delivery holds the outbound series.
	Delivery *Delivery
}

// New registers every series on a fresh registry, with the Go and process
// collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		EventsIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_events_received_total", Help: "Events received in webhooks, before dedupe.",
		}, []string{"side", "object"}),
		Decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_event_decisions_total", Help: "Decisions taken on received events (accepted, duplicate, stale, echo, unmapped).",
		}, []string{"side", "decision"}),
		Ignored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_events_ignored_total", Help: "Events acknowledged but ignored: objects or subscription types the bridge does not sync.",
		}, []string{"side"}),
		Refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_deliveries_refused_total", Help: "Webhook deliveries refused with nothing stored, by reason.",
		}, []string{"side", "reason"}),
		Foreign: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_events_foreign_total", Help: "Events acknowledged but never processed: for another portal or app, by reason.",
		}, []string{"side", "reason"}),
		Malformed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_events_malformed_total", Help: "Events or notifications that could not be read, kept verbatim as dead letters (category malformed).",
		}, []string{"side"}),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hubforce_http_requests_total", Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"method", "route", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hubforce_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		CommitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hubforce_ingest_commit_seconds", Help: "Time from a webhook's parse to its events being durable.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
	}
	m.LastWebhook = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hubforce_last_webhook_received_timestamp_seconds",
		Help: "Unix time the last verified webhook from a side arrived at this process (its start time while none has).",
	}, []string{"side"})
	reg.MustRegister(m.EventsIn, m.Decisions, m.Ignored, m.Refused, m.Foreign, m.Malformed, m.HTTPRequests, m.HTTPDuration, m.CommitDuration, m.LastWebhook)
	m.Delivery = newDelivery(reg)
	m.initLabels(time.Now())
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
