package helpdesk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// The service's maintenance operations (what otvet maintenance calls): a
// window is announced with an audit event, and ending it early, extending
// it or removing it moves the requests it holds with it.
func TestMaintenanceServiceMovesHeldRequests(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name       string
		change     func(s *helpdesk.Service, id int64, now time.Time) (int64, error)
		event      string
		resumeNext bool // the next tick resumes the request
	}{
		{"removed", func(s *helpdesk.Service, id int64, _ time.Time) (int64, error) {
			return s.RemoveMaintenance(ctx, id, "cli")
		}, "maintenance_removed", true},
		{"ended early", func(s *helpdesk.Service, id int64, now time.Time) (int64, error) {
			return s.EndMaintenance(ctx, id, now, "cli")
		}, "maintenance_changed", true},
		{"extended", func(s *helpdesk.Service, id int64, now time.Time) (int64, error) {
			return s.EndMaintenance(ctx, id, now.Add(72*time.Hour), "cli")
		}, "maintenance_changed", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			w := &store.MaintenanceWindow{System: " МИС ", StartsAt: friday.Add(-time.Hour), EndsAt: friday.Add(48 * time.Hour), CreatedBy: "cli"}
			if err := h.svc.AddMaintenance(ctx, w); err != nil {
				t.Fatal(err)
			}
			if w.ID == 0 || w.System != "МИС" || !w.CreatedAt.Equal(friday) || w.StartsAt.Location() != time.UTC {
				t.Fatalf("window stored as %+v", w)
			}
			out := h.ingest(mail{from: petrov, subject: "Не открывается МИС", id: "mws1@uszn", body: "МИС не открывается. Тел. 2-44-17"}.String())
			if tk := h.ticket(out.TicketID); tk.Status != store.StatusDeferred {
				t.Fatalf("status %s, want deferred", tk.Status)
			}
			h.now = h.now.Add(time.Hour)
			n, err := c.change(h.svc, w.ID, h.now)
			if err != nil || n != 1 {
				t.Fatalf("%d requests moved (%v), want 1", n, err)
			}
			h.now = h.now.Add(time.Minute)
			h.tick()
			tk := h.ticket(out.TicketID)
			if resumed := tk.Status == store.StatusOpen; resumed != c.resumeNext {
				t.Errorf("status %s after the change", tk.Status)
			}
			if !c.resumeNext && !tk.ResumeAt.Time.Equal(h.now.Add(-time.Minute).Add(72*time.Hour).UTC()) {
				t.Errorf("resume at %v, want the new end", tk.ResumeAt.Time)
			}
			es, err := h.db.AuditEvents(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range es {
				if strings.HasPrefix(e.Kind, "maintenance_") {
					kinds = append(kinds, e.Kind+" by "+e.Actor)
				}
			}
			if want := "maintenance_added by cli," + c.event + " by cli"; strings.Join(kinds, ",") != want {
				t.Errorf("audit %q, want %q", kinds, want)
			}
		})
	}
}

func TestMaintenanceServiceRefusals(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	for _, c := range []struct {
		name string
		w    store.MaintenanceWindow
	}{
		{"no system", store.MaintenanceWindow{System: "  ", StartsAt: friday, EndsAt: friday.Add(time.Hour)}},
		{"ends before it starts", store.MaintenanceWindow{System: "МИС", StartsAt: friday, EndsAt: friday.Add(-time.Hour)}},
		{"ends as it starts", store.MaintenanceWindow{System: "МИС", StartsAt: friday, EndsAt: friday}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := h.svc.AddMaintenance(ctx, &c.w); !errors.Is(err, helpdesk.ErrBadMaintenance) {
				t.Errorf("AddMaintenance: %v, want ErrBadMaintenance", err)
			}
		})
	}
	if ws, err := h.db.ListMaintenance(ctx, time.Time{}); err != nil || len(ws) != 0 {
		t.Errorf("windows stored: %v %v", ws, err)
	}
	for name, f := range map[string]func() (int64, error){
		"end":    func() (int64, error) { return h.svc.EndMaintenance(ctx, 42, friday, "cli") },
		"remove": func() (int64, error) { return h.svc.RemoveMaintenance(ctx, 42, "cli") },
	} {
		if _, err := f(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of an unknown window: %v, want ErrNotFound", name, err)
		}
	}
}
