package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthz: the process is alive.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

type deskReady struct {
	Desk       string    `json:"desk"`
	Connected  bool      `json:"connected"`
	LastPass   time.Time `json:"last_pass,omitzero"`
	LastError  string    `json:"last_error,omitempty"`
	Reconnects int64     `json:"reconnects"`
	Ready      bool      `json:"ready"`
}

type readiness struct {
	Ready     bool        `json:"ready"`
	Database  string      `json:"database"`
	Desks     []deskReady `json:"desks"`
	Pending   int         `json:"outbox_pending"`
	Failed    int         `json:"outbox_failed"`
	OldestDue time.Time   `json:"outbox_oldest_due,omitzero"`
}

// readyz: the database answers and every desk's poller has had a good pass
// within Stale; 503 otherwise. The outbox backlog is reported, not judged.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	now := s.o.Now()
	rd := readiness{Ready: true, Database: "ok", Desks: []deskReady{}}
	if err := s.o.DB.Ping(ctx); err != nil {
		rd.Ready, rd.Database = false, "unreachable"
		s.log.Warn("readyz: database unreachable", "err", err)
	} else if b, err := s.o.DB.Backlog(ctx); err == nil {
		rd.Pending, rd.Failed = b.Pending, b.Failed
		if b.OldestDue.Valid {
			rd.OldestDue = b.OldestDue.Time
		}
	}
	for _, p := range s.o.Pollers {
		st := p.Status()
		d := deskReady{Desk: p.Name(), Connected: st.Connected, LastPass: st.LastPass, LastError: st.LastError,
			Reconnects: st.Reconnects, Ready: !st.LastPass.IsZero() && now.Sub(st.LastPass) < s.o.Stale}
		rd.Ready = rd.Ready && d.Ready
		rd.Desks = append(rd.Desks, d)
	}
	w.Header().Set("Content-Type", "application/json")
	if !rd.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rd)
}

// metrics builds the server's own registry: the process and Go collectors,
// web sign-ins counted here, and the rest read at scrape time from the
// database and the pollers (no hooks in intake or the outbox).
func (s *Server) metrics() {
	s.reg = prometheus.NewRegistry()
	s.signins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otvet_web_signins_total",
		Help: "Web console sign-in steps: link_sent, signed_in, refused (a spent, expired or unknown link), unknown (no such member: nothing sent), limited.",
	}, []string{"result"})
	for _, r := range []string{"link_sent", "signed_in", "refused", "unknown", "limited"} {
		s.signins.WithLabelValues(r)
	}
	s.reg.MustRegister(s.signins, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &collector{s: s})
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{ErrorLog: nil, Registry: s.reg})
}

// collector reads Otvet's figures at each scrape.
type collector struct{ s *Server }

var (
	descIngested   = prometheus.NewDesc("otvet_messages_ingested", "Incoming messages stored, by desk and disposition (ticket, reply, staff, spam, quarantined, …).", []string{"desk", "disposition"}, nil)
	descOutbox     = prometheus.NewDesc("otvet_outbox_pending", "Outgoing mail waiting in the outbox.", nil, nil)
	descOutboxAge  = prometheus.NewDesc("otvet_outbox_oldest_due_seconds", "How long the oldest pending outbox row has been due (0: none overdue).", nil, nil)
	descOutboxFail = prometheus.NewDesc("otvet_outbox_failed", "Outgoing mail the outbox gave up.", nil, nil)
	descReconnects = prometheus.NewDesc("otvet_imap_reconnects_total", "IMAP sessions that failed and were retried, by desk (since the start).", []string{"desk"}, nil)
	descConnected  = prometheus.NewDesc("otvet_imap_connected", "1 while the desk's IMAP session is open.", []string{"desk"}, nil)
	descLastPass   = prometheus.NewDesc("otvet_imap_last_pass_timestamp_seconds", "When the desk's last good IMAP pass ended.", []string{"desk"}, nil)
	descSLA        = prometheus.NewDesc("otvet_sla_events", "SLA warnings and breaches recorded, by kind and metric.", []string{"kind", "metric"}, nil)
	descUp         = prometheus.NewDesc("otvet_database_up", "1 when the database answered the scrape's queries.", nil, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descIngested, descOutbox, descOutboxAge, descOutboxFail, descReconnects, descConnected, descLastPass, descSLA, descUp} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, p := range c.s.o.Pollers {
		st := p.Status()
		ch <- prometheus.MustNewConstMetric(descReconnects, prometheus.CounterValue, float64(st.Reconnects), p.Name())
		ch <- prometheus.MustNewConstMetric(descConnected, prometheus.GaugeValue, b2f(st.Connected), p.Name())
		if !st.LastPass.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLastPass, prometheus.GaugeValue, float64(st.LastPass.UnixNano())/1e9, p.Name())
		}
	}
	up := 1.0
	db := c.s.o.DB
	if counts, err := db.RawCounts(ctx); err == nil {
		for k, n := range counts {
			ch <- prometheus.MustNewConstMetric(descIngested, prometheus.GaugeValue, float64(n), k[0], k[1])
		}
	} else {
		up = 0
	}
	if b, err := db.Backlog(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(b.Pending))
		ch <- prometheus.MustNewConstMetric(descOutboxFail, prometheus.GaugeValue, float64(b.Failed))
		age := 0.0
		if b.OldestDue.Valid && c.s.o.Now().After(b.OldestDue.Time) {
			age = c.s.o.Now().Sub(b.OldestDue.Time).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(descOutboxAge, prometheus.GaugeValue, age)
	} else {
		up = 0
	}
	kinds := map[string][2]string{
		"sla_warning_first_response": {"warning", "first_response"}, "sla_warning_resolution": {"warning", "resolution"},
		"sla_breach_first_response": {"breach", "first_response"}, "sla_breach_resolution": {"breach", "resolution"},
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	if counts, err := db.EventCounts(ctx, names...); err == nil {
		for k, l := range kinds {
			ch <- prometheus.MustNewConstMetric(descSLA, prometheus.GaugeValue, float64(counts[k]), l[0], l[1])
		}
	} else {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
