package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

func claimOne(t *testing.T, db *store.DB, now time.Time) *store.Outgoing {
	t.Helper()
	rows, err := db.ClaimOutgoing(context.Background(), now, 1, func(int) time.Duration { return 10 * time.Minute })
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

func TestOutboxClaimIsFenced(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue(t, db, 1)
		o := claimOne(t, db, t0)
		if o == nil || o.Attempts != 1 || !o.ClaimedUntil.Valid || !o.ClaimedUntil.Time.Equal(t0.Add(10*time.Minute)) {
			t.Fatalf("claim = %+v", o)
		}
		if again := claimOne(t, db, t0.Add(9*time.Minute)); again != nil {
			t.Fatalf("claimed while in flight: %+v", again)
		}
		// The claim expired (a crashed sender): another takes the row, and
		// the first one's late outcome is not recorded.
		second := claimOne(t, db, t0.Add(10*time.Minute))
		if second == nil || second.Attempts != 2 {
			t.Fatalf("reclaim = %+v", second)
		}
		if _, err := db.FinishAttempt(ctx, o, t0.Add(11*time.Minute), store.Attempt{}); !errors.Is(err, store.ErrClaimLost) {
			t.Fatalf("stale finish: err = %v, want ErrClaimLost", err)
		}
		if _, err := db.FinishAttempt(ctx, second, t0.Add(11*time.Minute), store.Attempt{}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Outgoing(ctx, o.ID)
		if got.State != store.OutSent || got.ClaimedUntil.Valid || got.Attempts != 2 {
			t.Errorf("row = %+v", got)
		}
		if _, err := db.FinishAttempt(ctx, second, t0.Add(12*time.Minute), store.Attempt{Err: "x", Next: t0}); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("finish of a sent row: err = %v, want ErrClaimLost", err)
		}
	})
}

func TestOutboxSuccessWakesRowsWaitingForTheRelay(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue(t, db, 4)
		later := t0.Add(4 * time.Minute)
		var rows []*store.Outgoing
		for range 4 {
			rows = append(rows, claimOne(t, db, t0))
		}
		// 0: the relay was down; 1: a 4xx for this message; 2: in flight; 3: succeeds.
		if _, err := db.FinishAttempt(ctx, rows[0], t0, store.Attempt{Err: "connection refused", RelayDown: true, Next: later}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FinishAttempt(ctx, rows[1], t0, store.Attempt{Err: "452 mailbox full", Next: later}); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(time.Minute)
		woken, err := db.FinishAttempt(ctx, rows[3], now, store.Attempt{})
		if err != nil || woken != 1 {
			t.Fatalf("woken %d, %v; want 1", woken, err)
		}
		for i, want := range []time.Time{now, later, t0.Add(10 * time.Minute)} {
			o, _ := db.Outgoing(ctx, rows[i].ID)
			if !o.NextAttemptAt.Equal(want) {
				t.Errorf("row %d: next attempt %v, want %v", i, o.NextAttemptAt, want)
			}
		}
		if o := claimOne(t, db, now); o == nil || o.ID != rows[0].ID {
			t.Errorf("claim after wake = %+v, want row %d", o, rows[0].ID)
		}
	})
}

func TestOutboxGiveUpRequeueAndReport(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ticket int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "s",
				RequesterEmail: "u@x", CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			ticket = tk.ID
			for _, to := range []string{"a@x", "b@x", "c@x"} {
				if err := tx.InsertOutgoing(ctx, &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: ticket, Valid: true},
					Kind: "ack", MessageID: "<" + to + ">", EnvelopeFrom: "sd@x", Recipients: to, RcptKey: to, Raw: []byte("x"),
					NextAttemptAt: t0, CreatedAt: t0}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		a, b, c := claimOne(t, db, t0), claimOne(t, db, t0), claimOne(t, db, t0)
		day := 24 * time.Hour
		for _, f := range []struct {
			o   *store.Outgoing
			at  time.Time
			err string
		}{{a, t0.Add(time.Minute), "550 5.1.1 no such user"}, {b, t0.Add(2 * day), "giving up: connection refused"}} {
			if _, err := db.FinishAttempt(ctx, f.o, f.at, store.Attempt{Err: f.err, GiveUp: true}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.FinishAttempt(ctx, c, t0, store.Attempt{}); err != nil {
			t.Fatal(err)
		}

		ids := func(rows []store.Outgoing) (s []int64) {
			for _, r := range rows {
				s = append(s, r.ID)
			}
			return s
		}
		for _, q := range []struct {
			from, to time.Time
			want     []int64
		}{
			{t0, t0.Add(3 * day), []int64{a.ID, b.ID}},
			{t0, t0.Add(day), []int64{a.ID}},
			{t0.Add(day), t0.Add(3 * day), []int64{b.ID}},
			{t0.Add(3 * day), t0.Add(4 * day), nil},
		} {
			rows, err := db.OutboxGivenUp(ctx, q.from, q.to)
			if err != nil || !equalIDs(ids(rows), q.want) {
				t.Errorf("given up in [%v, %v) = %v, %v; want %v", q.from, q.to, ids(rows), err, q.want)
			}
		}
		events, err := db.Events(ctx, ticket)
		if err != nil {
			t.Fatal(err)
		}
		var failed []string
		for _, e := range events {
			if e.Kind == "outbox_failed" {
				failed = append(failed, e.Detail)
			}
		}
		if len(failed) != 2 || !strings.Contains(failed[0], "a@x") || !strings.Contains(failed[0], "5.1.1") ||
			!strings.Contains(failed[1], "b@x") {
			t.Errorf("outbox_failed events: %q", failed)
		}

		// Requeue: one row, then every failed row.
		now := t0.Add(3 * day)
		if _, err := db.RequeueOutgoing(ctx, c.ID, now, "admin"); !errors.Is(err, store.ErrOutboxSent) {
			t.Errorf("requeue of a sent row: %v", err)
		}
		if _, err := db.RequeueOutgoing(ctx, 999999, now, "admin"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("requeue of no row: %v", err)
		}
		o, err := db.RequeueOutgoing(ctx, a.ID, now, "admin")
		if err != nil || o.State != store.OutPending {
			t.Fatalf("requeue: %+v %v", o, err)
		}
		got := claimOne(t, db, now)
		if got == nil || got.ID != a.ID || !got.RequeuedAt.Valid || !got.RequeuedAt.Time.Equal(now) || got.GivenUpAt.Valid {
			t.Fatalf("claim after requeue = %+v", got)
		}
		if _, err := db.RequeueOutgoing(ctx, a.ID, now.Add(time.Minute), "admin"); !errors.Is(err, store.ErrOutboxInFlight) {
			t.Errorf("requeue of a row in flight: %v", err)
		}
		rows, err := db.RequeueFailed(ctx, now, "admin")
		if err != nil || !equalIDs(ids(rows), []int64{b.ID}) {
			t.Errorf("requeue --failed = %v, %v", ids(rows), err)
		}
		if rows, _ := db.OutboxGivenUp(ctx, t0, now.Add(day)); len(rows) != 0 {
			t.Errorf("requeued rows still reported: %v", ids(rows))
		}
		audit, err := db.AuditEvents(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range audit {
			if e.Kind == "outbox_requeued" && e.Actor == "admin" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d outbox_requeued events in the audit trail, want 2: %+v", n, audit)
		}
	})
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
