package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

// TestOnGiveUp: the hook hears of each row given up exactly once, after the
// give-up is recorded, with why; a failing hook leaves the row given up.
func TestOnGiveUp(t *testing.T) {
	temp := errors.New("451 try again later")
	cases := []struct {
		name       string
		script     []error
		drains     int
		hookErr    error
		wantCalls  int
		wantReason string
		wantDetail string
	}{
		{"permanent", []error{errPermanent}, 3, nil, 1, mailout.GiveUpRejected, "550 no such user"},
		{"expired", repeat(temp, 100), 12, nil, 1, mailout.GiveUpExpired, "451 try again later"},
		{"hook fails", []error{errPermanent}, 3, errors.New("database is locked"), 1, mailout.GiveUpRejected, "550 no such user"},
		{"sent", nil, 2, nil, 0, "", ""},
		{"retried, not given up", []error{temp, temp}, 2, nil, 0, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := setup(t, 1)
			now := t0
			var got []store.Outgoing
			w := outbox.New(db, outbox.Options{
				Senders:     map[string]outbox.Sender{"sd": &fakeSender{script: c.script}},
				IsPermanent: func(err error) bool { return errors.Is(err, errPermanent) },
				RetryMin:    time.Minute, RetryMax: time.Hour, Now: func() time.Time { return now },
				OnGiveUp: func(ctx context.Context, o store.Outgoing) error {
					// Recorded before the hook runs: a reader sees the row given up.
					rows, err := db.OutboxGivenUp(ctx, t0, now.Add(time.Second))
					if err != nil || len(rows) != 1 || rows[0].ID != o.ID {
						t.Errorf("hook ran before the give-up was recorded: %v %v", rows, err)
					}
					got = append(got, o)
					return c.hookErr
				},
			})
			for range c.drains {
				if _, err := w.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				now = now.Add(20 * time.Hour)
			}
			if len(got) != c.wantCalls {
				t.Fatalf("hook called %d times, want %d", len(got), c.wantCalls)
			}
			if c.wantCalls == 0 {
				return
			}
			o := got[0]
			if o.State != store.OutFailed || !o.GivenUpAt.Valid || o.Raw != nil || o.Recipients != "u0@x" {
				t.Errorf("hook got %+v", o)
			}
			reason, detail := outbox.GiveUpReason(o.LastError)
			if reason != c.wantReason || detail != c.wantDetail {
				t.Errorf("GiveUpReason(%q) = %q, %q; want %q, %q", o.LastError, reason, detail, c.wantReason, c.wantDetail)
			}
			rows, _ := db.ListOutgoing(context.Background(), 10)
			if rows[0].State != store.OutFailed {
				t.Errorf("row is %s after the hook, want failed", rows[0].State)
			}
		})
	}
}

func TestGiveUpReason(t *testing.T) {
	cases := []struct{ in, reason, detail string }{
		{"550 5.1.1 user unknown", mailout.GiveUpRejected, "550 5.1.1 user unknown"},
		{"giving up: not delivered within 168h0m0s of queueing: dial tcp: connection refused", mailout.GiveUpExpired, "dial tcp: connection refused"},
		{"giving up: not delivered within 1h", mailout.GiveUpExpired, ""},
		{"", mailout.GiveUpRejected, ""},
	}
	for _, c := range cases {
		r, d := outbox.GiveUpReason(c.in)
		if r != c.reason || d != c.detail || strings.Contains(d, "giving up") {
			t.Errorf("GiveUpReason(%q) = %q, %q; want %q, %q", c.in, r, d, c.reason, c.detail)
		}
	}
}
