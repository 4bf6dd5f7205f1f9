package digest

import (
	"context"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// After downtime the one digest sent covers every period missed since the
// recipient's last digest; a recipient with no digest yet gets the usual period.
func TestMissedDigestsAreFoldedIntoTheNextOne(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rcs := []Recipient{{Email: "boss@kgo66.ru", Lang: "ru"}}
		monday := at(t, "2024-12-16 17:00")
		s := newScheduler(t, db, rcs, monday, Schedule{}, Schedule{Off: true}, Schedule{Off: true})
		if n, err := s.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("Monday's digest: %d %v", n, err)
		}
		// Down from Monday evening to Thursday evening.
		thursday := at(t, "2024-12-19 17:30")
		jobs, err := s.Due(ctx, thursday)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("due %d %v", len(jobs), err)
		}
		p := jobs[0].Period
		if p.Key() != "2024-12-19" || !p.From.Equal(at(t, "2024-12-16 17:00")) || !p.To.Equal(at(t, "2024-12-19 17:00")) {
			t.Errorf("period %s %v – %v, want 2024-12-19 from Monday 17:00", p.Key(), p.From.In(msk), p.To.In(msk))
		}
		fresh := newScheduler(t, db, []Recipient{{Email: "new@kgo66.ru", Lang: "ru"}}, thursday, Schedule{}, Schedule{Off: true}, Schedule{Off: true})
		jobs, err = fresh.Due(ctx, thursday)
		if err != nil || len(jobs) != 1 || !jobs[0].Period.From.Equal(at(t, "2024-12-18 17:00")) {
			t.Errorf("new recipient: %+v %v", jobs, err)
		}
	})
}

// TestLateDigestListsVisitsAhead: the visits a digest lists are those of the
// next working day from when it is made, so a digest sent late never lists
// the plan of a day already past.
func TestLateDigestListsVisitsAhead(t *testing.T) {
	db := openSQLite(t)
	r, err := NewReporter(db, testSetup(t))
	if err != nil {
		t.Fatal(err)
	}
	from, to := at(t, "2024-12-13 17:00"), at(t, "2024-12-16 17:00") // Monday's daily digest
	for _, c := range []struct{ now, want string }{
		{"2024-12-16 17:00", "2024-12-17"}, // on time: Tuesday's visits
		{"2024-12-18 10:00", "2024-12-18"}, // Wednesday morning after downtime: today's
		{"2024-12-18 19:00", "2024-12-19"}, // Wednesday evening: Thursday's
		{"2024-12-20 18:00", "2024-12-23"}, // Friday evening: Monday's
	} {
		rep, err := r.Report(context.Background(), Params{From: from, To: to, Now: at(t, c.now)})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.VisitDay.String(); got != c.want {
			t.Errorf("made %s: visits of %s, want %s", c.now, got, c.want)
		}
	}
}
