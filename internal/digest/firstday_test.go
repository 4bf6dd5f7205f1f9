package digest

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// TestNoDigestBeforeTheFirstRequest: a fresh installation mails no digest for
// a period that ended before its first request (the first serve on a Tuesday
// morning would otherwise send yesterday's, last week's and last month's
// empty digests); once the first request is in, the next period's digest goes.
func TestNoDigestBeforeTheFirstRequest(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rcs := []Recipient{{Email: "boss@kgo66.ru", Lang: "ru"}}
		tuesday := at(t, "2024-12-17 10:00")
		s := newScheduler(t, db, rcs, tuesday)
		s.o.FirstActivity = db.FirstActivity
		due := func(now time.Time) []string {
			t.Helper()
			jobs, err := s.Due(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, j := range jobs {
				keys = append(keys, string(j.Period.Kind)+" "+j.Period.Key())
			}
			return keys
		}
		if got := due(tuesday); len(got) != 0 {
			t.Fatalf("an installation without a request is due %v, want nothing", got)
		}
		if _, ok, err := db.FirstActivity(ctx); ok || err != nil {
			t.Fatalf("first activity of an empty database: %v %v", ok, err)
		}
		first := []store.Ticket{{Desk: "sd", Status: store.StatusOpen, Subject: "first", SupportLevel: "standard",
			RequesterEmail: "user@client.example", Channel: "email", CreatedAt: at(t, "2024-12-17 11:00")}}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.InsertTickets(ctx, first) }); err != nil {
			t.Fatal(err)
		}
		if first, ok, err := db.FirstActivity(ctx); !ok || err != nil || !first.Equal(at(t, "2024-12-17 11:00")) {
			t.Fatalf("first activity %v %v %v", first, ok, err)
		}
		if got := due(at(t, "2024-12-17 12:00")); len(got) != 0 {
			t.Errorf("before Tuesday's closing: due %v, want nothing (Monday's, last week's and November's periods ended before the first request)", got)
		}
		if got := due(at(t, "2024-12-17 17:30")); len(got) != 1 || got[0] != "day 2024-12-17" {
			t.Errorf("after Tuesday's closing: due %v, want [day 2024-12-17]", got)
		}
	})
}
