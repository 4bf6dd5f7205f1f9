package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

func claimN(t *testing.T, db *store.DB, now time.Time, n int) []*store.Outgoing {
	t.Helper()
	rows, err := db.ClaimOutgoing(context.Background(), now, n, func(int) time.Duration { return 10 * time.Minute })
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*store.Outgoing, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

// TestFinishSentBatch: one batch marks every row still claimed by its
// attempt, reports the lost ones, and wakes the desk's rows waiting for the
// relay once.
func TestFinishSentBatch(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue(t, db, 5)
		rows := claimN(t, db, t0, 4)
		if len(rows) != 4 {
			t.Fatalf("claimed %d rows, want 4", len(rows))
		}
		// The fifth failed for the relay and waits an hour.
		waiting := claimN(t, db, t0, 1)[0]
		if _, err := db.FinishAttempt(ctx, waiting, t0, store.Attempt{Err: "connection refused", RelayDown: true, Next: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// All claims held: the one-statement path.
		woken, lost, err := db.FinishSent(ctx, rows[:2], t0.Add(time.Second))
		if err != nil || woken != 1 || len(lost) != 0 {
			t.Fatalf("FinishSent = %d, %v, %v; want 1 woken, none lost", woken, lost, err)
		}
		// The third was requeued meanwhile (its claim lost); the fourth is kept.
		stale := *rows[2]
		stale.Attempts--
		woken, lost, err = db.FinishSent(ctx, []*store.Outgoing{&stale, rows[3]}, t0.Add(2*time.Second))
		if err != nil || !slices.Equal(lost, []int64{stale.ID}) {
			t.Fatalf("FinishSent with a lost claim = %d, %v, %v; want %d lost", woken, lost, err, stale.ID)
		}
		for i, o := range rows {
			got, err := db.Outgoing(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := store.OutSent
			if i == 2 {
				want = store.OutPending
			}
			if got.State != want || (want == store.OutSent && (got.ClaimedUntil.Valid || !got.SentAt.Valid || got.Attempts != 1)) {
				t.Errorf("row %d: %+v, want %s", i, got, want)
			}
		}
		if n, _, _ := db.FinishSent(ctx, nil, t0); n != 0 {
			t.Errorf("empty batch woke %d", n)
		}
	})
}

// TestReleaseClaims: a claimed row given back unattempted is due again
// with its old attempt count; a row whose claim was lost is left alone.
func TestReleaseClaims(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue(t, db, 2)
		rows := claimN(t, db, t0, 2)
		if err := db.ReleaseClaims(ctx, rows[:1], t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Outgoing(ctx, rows[0].ID)
		if got.State != store.OutPending || got.Attempts != 0 || got.ClaimedUntil.Valid || !got.NextAttemptAt.Equal(t0.Add(time.Second)) {
			t.Errorf("released row: %+v", got)
		}
		again := claimN(t, db, t0.Add(time.Second), 2)
		if len(again) != 1 || again[0].ID != rows[0].ID || again[0].Attempts != 1 {
			t.Fatalf("claim after release: %+v", again)
		}
		// rows[0] is again's now: the old claim's release changes nothing.
		if _, _, err := db.FinishSent(ctx, again, t0.Add(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := db.ReleaseClaims(ctx, rows[:1], t0.Add(3*time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Outgoing(ctx, rows[0].ID); got.State != store.OutSent {
			t.Errorf("a stale release changed a sent row: %+v", got)
		}
	})
}
