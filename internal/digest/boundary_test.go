package digest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

// A deadline at a period's end (Friday's closing time) is breached when
// business time moves again (Monday 9:00): the breach is counted exactly
// once, in the period holding that instant, for every kind of period. An
// unassigned ticket breached and then rejected does not crash the report.
func TestBreachAtAPeriodBoundaryIsCountedOnce(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup := testSetup(t)
		cal := setup.Default
		h := time.Hour
		tickets := []store.Ticket{
			{ // due Friday 17:00, answered Monday 10:00: one hour over.
				Subject: "F", Status: store.StatusOpen, SupportLevel: "standard", CreatedAt: at(t, "2025-01-10 13:00"),
				FirstResponseAt:  nt(t, "2025-01-13 10:00"),
				SLAFirstResponse: clock(t, cal, sla.FirstResponse, 4*h, "2025-01-10 13:00", "stop 2025-01-13 10:00"),
				SLAResolution:    clock(t, cal, sla.Resolution, 24*h, "2025-01-10 13:00"),
			},
			{ // unassigned, breached on Monday, rejected on Tuesday.
				Subject: "R", Status: store.StatusRejected, Reason: "out_of_scope", SupportLevel: "standard",
				CreatedAt: at(t, "2025-01-10 14:00"), ClosedAt: sql.NullTime{Time: at(t, "2025-01-14 10:00"), Valid: true},
				SLAFirstResponse: clock(t, cal, sla.FirstResponse, 4*h, "2025-01-10 14:00", "stop 2025-01-14 10:00"),
			},
		}
		for i := range tickets {
			tickets[i].Desk, tickets[i].RequesterEmail, tickets[i].Channel = "sd", "user@client.example", "email"
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertTickets(ctx, tickets) }); err != nil {
			t.Fatal(err)
		}
		r, err := NewReporter(db, setup)
		if err != nil {
			t.Fatal(err)
		}
		count := func(from, to string) int {
			t.Helper()
			rep, err := r.Report(ctx, Params{From: at(t, from), To: at(t, to), Now: at(t, "2025-02-01 00:00")})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, b := range rep.Breaches {
				if b.Ticket.Subject == "F" && b.Metric == sla.FirstResponse {
					n++
					if want := at(t, "2025-01-13 09:00"); !b.At.Equal(want) {
						t.Errorf("breach at %v, want %v", b.At.In(msk), want)
					}
				}
			}
			return n
		}
		for _, c := range []struct {
			name    string
			periods [][2]string
		}{
			{"weeks", [][2]string{{"2025-01-06 00:00", "2025-01-13 00:00"}, {"2025-01-13 00:00", "2025-01-20 00:00"}}},
			{"days at closing", [][2]string{{"2025-01-09 17:00", "2025-01-10 17:00"}, {"2025-01-10 17:00", "2025-01-13 17:00"}}},
			{"days at 18:00", [][2]string{{"2025-01-09 18:00", "2025-01-10 18:00"}, {"2025-01-10 18:00", "2025-01-13 18:00"}}},
		} {
			total := 0
			for _, p := range c.periods {
				total += count(p[0], p[1])
			}
			if total != 1 {
				t.Errorf("%s: the breach is counted %d times, want once", c.name, total)
			}
		}
	})
}
