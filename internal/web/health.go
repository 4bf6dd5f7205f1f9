package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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

// metrics completes the registry: the counters of Options.Metrics (counted
// as things happen: metrics.go) and the gauges read at scrape time from the
// database and the pollers (collector).
func (s *Server) metrics() error {
	s.m = s.o.Metrics
	if s.m == nil {
		s.m = NewMetrics()
	}
	names := make([]string, 0, len(s.o.Desks))
	for _, d := range s.o.Desks {
		names = append(names, d.Name)
	}
	s.m.Desks(names...)
	if err := s.m.reg.Register(&collector{s: s}); err != nil {
		return fmt.Errorf("web metrics: %w", err)
	}
	return nil
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{Registry: s.m.reg})
}

// collector reads the gauges at each scrape: the outbox's depth and age,
// the pollers' state, whether the database answers.
type collector struct{ s *Server }

var (
	descOutbox     = prometheus.NewDesc("otvet_outbox_pending", "Outgoing mail waiting in the outbox.", nil, nil)
	descOutboxAge  = prometheus.NewDesc("otvet_outbox_oldest_due_seconds", "How long the oldest pending outbox row has been due (0: none overdue).", nil, nil)
	descOutboxFail = prometheus.NewDesc("otvet_outbox_failed", "Outgoing mail the outbox gave up, still kept (rows in state failed).", nil, nil)
	descReconnects = prometheus.NewDesc("otvet_imap_reconnects_total", "IMAP sessions that failed and were retried, by desk (since the start).", []string{"desk"}, nil)
	descConnected  = prometheus.NewDesc("otvet_imap_connected", "1 while the desk's IMAP session is open.", []string{"desk"}, nil)
	descLastPass   = prometheus.NewDesc("otvet_imap_last_pass_timestamp_seconds", "When the desk's last good IMAP pass ended.", []string{"desk"}, nil)
	descUp         = prometheus.NewDesc("otvet_database_up", "1 when the database answered the scrape's queries.", nil, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOutbox, descOutboxAge, descOutboxFail, descReconnects, descConnected, descLastPass, descUp} {
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
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
