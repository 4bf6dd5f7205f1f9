package helpdesk_test

import (
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/store"
)

// recorder is an Observer that keeps what it was told.
type recorder struct {
	mu       sync.Mutex
	ingested []string
	latency  []time.Duration
	known    []bool
	alerts   []string
}

func (r *recorder) Ingested(desk, disposition string, latency time.Duration, known bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ingested = append(r.ingested, desk+"/"+disposition)
	r.latency = append(r.latency, latency)
	r.known = append(r.known, known)
}

func (r *recorder) SLAAlert(desk, kind, metric string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, desk+"/"+kind+"/"+metric)
}

func TestObserverIsToldOfIntakeAfterCommit(t *testing.T) {
	h := newHarness(t)
	rec := &recorder{}
	h.svc.SetObserver(rec)
	raw := mail{from: "Петров <petrov@uszn.kgo66.ru>", subject: "Принтер", id: "obs1@uszn", body: "Не печатает."}.String()
	// The IMAP internal date: 90 s before the commit.
	h.ingestFetched(mailin.Fetched{Raw: []byte(raw), Size: int64(len(raw)), InternalDate: h.now.Add(-90 * time.Second)})
	// No internal date: the topmost Received header's, 5 minutes before.
	recv := "Received: from mx.uszn.kgo66.ru by mail.kgo66.ru; " + h.now.Add(-5*time.Minute).Format(time.RFC1123Z) + "\r\n" +
		"Received: from pc by mx.uszn.kgo66.ru; " + h.now.Add(-time.Hour).Format(time.RFC1123Z) + "\r\n" +
		mail{from: "Петров <petrov@uszn.kgo66.ru>", subject: "Сканер", id: "obs2@uszn", body: "Не сканирует."}.String()
	h.ingest(recv)
	// Neither: latency unknown.
	h.ingest(mail{from: "Петров <petrov@uszn.kgo66.ru>", subject: "Монитор", id: "obs3@uszn", body: "Мигает."}.String())
	// The same bytes again: a duplicate.
	h.ingest(recv)

	want := []string{"sd/" + store.DispTicket, "sd/" + store.DispTicket, "sd/" + store.DispTicket, "sd/duplicate"}
	if len(rec.ingested) != len(want) {
		t.Fatalf("ingested %v, want %v", rec.ingested, want)
	}
	for i := range want {
		if rec.ingested[i] != want[i] {
			t.Errorf("message %d: %s, want %s", i, rec.ingested[i], want[i])
		}
	}
	if rec.latency[0] != 90*time.Second || !rec.known[0] {
		t.Errorf("latency from the internal date = %v (%v), want 90s", rec.latency[0], rec.known[0])
	}
	if rec.latency[1] != 5*time.Minute || !rec.known[1] {
		t.Errorf("latency from Received = %v (%v), want 5m", rec.latency[1], rec.known[1])
	}
	if rec.known[2] || rec.known[3] {
		t.Errorf("latency known without a date: %v", rec.known)
	}
}

func TestObserverIsToldOfSLAAlertsOnce(t *testing.T) {
	h := newStaffHarness(t)
	rec := &recorder{}
	h.svc.SetObserver(rec)
	h.newTicket()
	h.now = friday.Add(3*time.Hour + 20*time.Minute) // 83 % of 4 h
	h.tick()
	h.tick() // recorded once only
	h.now = friday.Add(4*time.Hour + time.Minute)
	h.tick()
	want := []string{"sd/warning/first_response", "sd/breach/first_response"}
	if len(rec.alerts) != len(want) || rec.alerts[0] != want[0] || rec.alerts[1] != want[1] {
		t.Errorf("alerts %v, want %v", rec.alerts, want)
	}
}
