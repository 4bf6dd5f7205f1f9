package helpdesk_test

import (
	"context"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// ReleaseQuarantined (otvet quarantine release) marks a quarantined message
// released, once, with an audit event by the actor.
func TestReleaseQuarantined(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	raw := "From: Петров <petrov@uszn.kgo66.ru>\r\nTo: sd@kgo66.ru\r\nSubject: x\r\nMessage-ID: <rq1@uszn>\r\n\r\nx\r\n"
	r := &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: 900, MessageID: "rq1@uszn", SHA256: "rq1", Size: int64(len(raw)),
		Disposition: store.DispQuarantine, Note: "test", Data: []byte(raw), ReceivedAt: friday}
	h.tx(func(tx *store.Tx) error { _, _, err := tx.InsertRaw(ctx, r); return err })
	for _, c := range []struct {
		name string
		id   int64
		want bool
	}{
		{"quarantined", r.ID, true},
		{"already released", r.ID, false},
		{"not stored", r.ID + 100, false},
	} {
		ok, err := h.svc.ReleaseQuarantined(ctx, c.id, "cli:test")
		if err != nil || ok != c.want {
			t.Errorf("%s: %v %v, want %v", c.name, ok, err, c.want)
		}
	}
	got, err := h.db.RawMessage(ctx, r.ID)
	if err != nil || got.Disposition == store.DispQuarantine {
		t.Errorf("after release: %+v %v", got, err)
	}
	es, err := h.db.AuditEvents(ctx, friday.Add(-1))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Kind == "quarantine_released" && e.Actor == "cli:test" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d quarantine_released events, want 1: %+v", n, es)
	}
}
