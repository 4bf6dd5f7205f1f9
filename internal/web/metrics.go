package web

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/otvet/otvet/internal/helpdesk"
)

// Metrics are Otvet's counters and histograms, counted as things happen:
// intake and the scheduler tell them as a helpdesk.Observer, the outbox
// through Sent and GaveUp, the console its sign-ins. `otvet serve` makes
// one (app wiring) before intake starts and hands it to the console, which
// serves it on /metrics with the gauges read at scrape time (health.go).
// Safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	ingested *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	sent     *prometheus.CounterVec
	failures *prometheus.CounterVec
	givenUp  *prometheus.CounterVec
	sla      *prometheus.CounterVec
	signins  *prometheus.CounterVec
}

var _ helpdesk.Observer = (*Metrics)(nil)

// signinResults are the sign-in steps counted.
var signinResults = []string{"link_sent", "signed_in", "refused", "unknown", "limited"}

// NewMetrics makes the counters in a registry of their own, with the
// process and Go collectors.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.ingested = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otvet_messages_ingested_total",
		Help: "Incoming messages stored, by desk and disposition (ticket, reply, staff, spam, quarantined, …; duplicate: stored before).",
	}, []string{"desk", "disposition"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "otvet_delivery_to_ticket_seconds",
		Help: "From a message's arrival at the mail server (IMAP internal date, else its topmost Received header) to the commit of its ticket or reply, by desk.",
		// From a busy IDLE session (a second) to a poll every few minutes
		// and a relay queue of an hour.
		Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
	}, []string{"desk"})
	m.sent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otvet_outbox_sent_total",
		Help: "Outgoing mail the relay accepted, by desk.",
	}, []string{"desk"})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otvet_outbox_send_failures_total",
		Help: "Attempts to send outgoing mail that failed (retried or given up), by desk.",
	}, []string{"desk"})
	m.givenUp = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otvet_outbox_given_up_total",
		Help: "Outgoing mail given up (rejected permanently or not delivered in time), by desk.",
	}, []string{"desk"})
	m.sla = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otvet_sla_alerts_total",
		Help: "SLA warnings and breaches the scheduler recorded, by desk, kind (warning, breach) and metric (first_response, resolution).",
	}, []string{"desk", "kind", "metric"})
	m.signins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otvet_web_signins_total",
		Help: "Web console sign-in steps: link_sent, signed_in, refused (a spent, expired or unknown link), unknown (no such member: nothing sent), limited.",
	}, []string{"result"})
	for _, r := range signinResults {
		m.signins.WithLabelValues(r)
	}
	m.reg.MustRegister(m.ingested, m.latency, m.sent, m.failures, m.givenUp, m.sla, m.signins,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Desks shows every series of the desks at zero before anything happened,
// so that rates start from the first scrape.
func (m *Metrics) Desks(names ...string) {
	for _, d := range names {
		m.sent.WithLabelValues(d)
		m.failures.WithLabelValues(d)
		m.givenUp.WithLabelValues(d)
		m.latency.WithLabelValues(d)
		for _, k := range []string{"warning", "breach"} {
			for _, c := range []string{"first_response", "resolution"} {
				m.sla.WithLabelValues(d, k, c)
			}
		}
	}
}

// Registry is the metrics' registry.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Ingested implements helpdesk.Observer.
func (m *Metrics) Ingested(desk, disposition string, latency time.Duration, known bool) {
	m.ingested.WithLabelValues(desk, disposition).Inc()
	if known {
		m.latency.WithLabelValues(desk).Observe(latency.Seconds())
	}
}

// SLAAlert implements helpdesk.Observer.
func (m *Metrics) SLAAlert(desk, kind, metric string) {
	m.sla.WithLabelValues(desk, kind, metric).Inc()
}

// Sent counts one attempt to send a desk's mail: accepted when err is nil,
// a failure otherwise.
func (m *Metrics) Sent(desk string, err error) {
	if err == nil {
		m.sent.WithLabelValues(desk).Inc()
	} else {
		m.failures.WithLabelValues(desk).Inc()
	}
}

// GaveUp counts one outgoing mail of a desk given up.
func (m *Metrics) GaveUp(desk string) { m.givenUp.WithLabelValues(desk).Inc() }

// signin counts a sign-in step.
func (m *Metrics) signin(result string) { m.signins.WithLabelValues(result).Inc() }
