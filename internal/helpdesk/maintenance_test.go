package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// Ending a maintenance window early, removing it, or extending it moves the
// requests it deferred with it.
func TestMaintenanceWindowChangesMoveDeferredRequests(t *testing.T) {
	for _, c := range []struct {
		name       string
		change     func(tx *store.Tx, id int64, now time.Time) (int64, error)
		resumeNext bool // the next tick resumes the request
	}{
		{"removed", func(tx *store.Tx, id int64, now time.Time) (int64, error) {
			return tx.RemoveMaintenance(context.Background(), id, "test", now)
		}, true},
		{"ended early", func(tx *store.Tx, id int64, now time.Time) (int64, error) {
			return tx.EndMaintenance(context.Background(), id, now, "test", now)
		}, true},
		{"extended", func(tx *store.Tx, id int64, now time.Time) (int64, error) {
			return tx.EndMaintenance(context.Background(), id, now.Add(72*time.Hour), "test", now)
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			w := &store.MaintenanceWindow{System: "МИС", StartsAt: friday.Add(-time.Hour).UTC(), EndsAt: friday.Add(48 * time.Hour).UTC(),
				CreatedAt: friday.UTC(), CreatedBy: "test"}
			h.tx(func(tx *store.Tx) error { return tx.AddMaintenance(context.Background(), w) })
			out := h.ingest(mail{from: petrov, subject: "Не открывается МИС", id: "mw1@uszn", body: "МИС не открывается. Тел. 2-44-17"}.String())
			if tk := h.ticket(out.TicketID); tk.Status != store.StatusDeferred {
				t.Fatalf("status %s, want deferred", tk.Status)
			}
			h.now = h.now.Add(time.Hour)
			h.tx(func(tx *store.Tx) error {
				n, err := c.change(tx, w.ID, h.now.UTC())
				if err == nil && n != 1 {
					t.Errorf("%d requests moved, want 1", n)
				}
				return err
			})
			h.now = h.now.Add(time.Minute)
			h.tick()
			tk := h.ticket(out.TicketID)
			if resumed := tk.Status == store.StatusOpen; resumed != c.resumeNext {
				t.Errorf("status %s after the change", tk.Status)
			}
			if !c.resumeNext && !tk.ResumeAt.Time.Equal(h.now.Add(-time.Minute).Add(72*time.Hour).UTC()) {
				t.Errorf("resume at %v, want the new end", tk.ResumeAt.Time)
			}
		})
	}
}
