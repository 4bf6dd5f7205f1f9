package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

var errPermanent = errors.New("550 no such user")

// fakeSender fails according to a script: one error (or nil) per call.
type fakeSender struct {
	mu     sync.Mutex
	script []error
	byRcpt map[string]error // a fixed answer for a recipient, before the script
	calls  int
	raws   [][]byte
}

func (f *fakeSender) Send(_ context.Context, _ string, to []string, raw []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.raws = append(f.raws, raw)
	if err := f.byRcpt[to[0]]; err != nil {
		return err
	}
	if len(f.script) == 0 {
		return nil
	}
	err := f.script[0]
	f.script = f.script[1:]
	return err
}

func openSQLite(t testing.TB, path string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func setup(t *testing.T, rows int) *store.DB {
	t.Helper()
	db := openSQLite(t, filepath.Join(t.TempDir(), "o.db"))
	queue(t, db, rows, t0)
	return db
}

// queue inserts n rows to u<i>@x, due at, and returns their ids.
func queue(t *testing.T, db *store.DB, n int, at time.Time) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for range n {
			i := len(ids)
			o := &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{}, Kind: "ack",
				MessageID: fmt.Sprintf("m%d.%d@x", at.UnixNano(), i), EnvelopeFrom: "sd@x",
				Recipients: fmt.Sprintf("u%d@x", i), RcptKey: fmt.Sprintf("u%d@x", i),
				Raw: []byte(fmt.Sprintf("message %d", i)), NextAttemptAt: at, CreatedAt: at}
			if err := tx.InsertOutgoing(ctx, o); err != nil {
				return err
			}
			ids = append(ids, o.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

var t0 = time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)

func TestWorker(t *testing.T) {
	temp := errors.New("451 try again later")
	cases := []struct {
		name      string
		script    []error
		drains    int
		step      time.Duration // between drains
		wantState string
		wantCalls int
	}{
		{"sent at once", nil, 1, 2 * time.Hour, store.OutSent, 1},
		{"temporary then sent", []error{temp, temp}, 3, 2 * time.Hour, store.OutSent, 3},
		{"permanent", []error{errPermanent}, 3, 2 * time.Hour, store.OutFailed, 1},
		// 40 failures over 6½ days: still pending, and sent when the relay answers.
		{"a long outage never gives up", repeat(temp, 40), 41, 4 * time.Hour, store.OutSent, 41},
		// Retried until give_up_after (7 days) has passed since queueing.
		{"gives up after give_up_after", repeat(temp, 100), 10, 20 * time.Hour, store.OutFailed, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := setup(t, 1)
			now := t0
			s := &fakeSender{script: c.script}
			w := outbox.New(db, outbox.Options{
				Senders: map[string]outbox.Sender{"sd": s}, IsPermanent: func(err error) bool { return errors.Is(err, errPermanent) },
				RetryMin: time.Minute, RetryMax: time.Hour, Now: func() time.Time { return now },
			})
			for i := 0; i < c.drains; i++ {
				if _, err := w.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				now = now.Add(c.step) // past any backoff
			}
			rows, _ := db.ListOutgoing(context.Background(), 10)
			if rows[0].State != c.wantState || s.calls != c.wantCalls {
				t.Errorf("state %s after %d calls, want %s after %d (last error %q)", rows[0].State, s.calls, c.wantState, c.wantCalls, rows[0].LastError)
			}
			if rows[0].State == store.OutFailed && !rows[0].GivenUpAt.Valid {
				t.Errorf("failed row without given_up_at: %+v", rows[0])
			}
			for _, r := range s.raws {
				if string(r) != "message 0" {
					t.Errorf("retry sent other bytes: %q", r)
				}
			}
		})
	}
}

func repeat(err error, n int) []error {
	s := make([]error, n)
	for i := range s {
		s[i] = err
	}
	return s
}

func TestWorkerWaitsForBackoff(t *testing.T) {
	db := setup(t, 1)
	now := t0
	s := &fakeSender{script: []error{errors.New("connection refused")}}
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": s}, RetryMin: time.Minute, RetryMax: time.Hour,
		Now: func() time.Time { return now }})
	w.Drain(context.Background())
	now = now.Add(30 * time.Second) // before the first retry (1 min ± 20 %)
	w.Drain(context.Background())
	if s.calls != 1 {
		t.Fatalf("retried before the backoff: %d calls", s.calls)
	}
	now = now.Add(2 * time.Minute)
	w.Drain(context.Background())
	if s.calls != 2 {
		t.Fatalf("not retried after the backoff: %d calls", s.calls)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	for _, c := range []struct {
		name               string
		retryMin, retryMax time.Duration
		wantMin, wantMax   time.Duration
	}{
		{"configured", time.Minute, time.Hour, time.Minute, time.Hour},
		{"defaults: 30s up to 5m", 0, 0, 30 * time.Second, 5 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := outbox.New(nil, outbox.Options{RetryMin: c.retryMin, RetryMax: c.retryMax})
			base := c.wantMin
			for n := 1; n <= 30; n, base = n+1, min(2*base, c.wantMax) {
				d := w.Backoff(n)
				if d < base*8/10 || d > base*12/10 {
					t.Errorf("attempt %d: backoff %v, want %v ± 20 %%", n, d, base)
				}
			}
		})
	}
}

func TestUnknownDeskIsRetriedNotLost(t *testing.T) {
	db := setup(t, 2)
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{}, Now: func() time.Time { return t0 }})
	st, err := w.Drain(context.Background())
	if err != nil || st.Retried != 2 {
		t.Fatalf("%+v %v", st, err)
	}
	rows, _ := db.ListOutgoing(context.Background(), 10)
	for _, r := range rows {
		if r.State != store.OutPending || r.LastError == "" {
			t.Errorf("row %+v", r)
		}
	}
}

// TestRecoveryAfterOutage: rows that failed while the relay was down are sent
// as soon as one message gets through, not after their backoff; a row
// refused temporarily for itself keeps its backoff.
func TestRecoveryAfterOutage(t *testing.T) {
	db := setup(t, 3)
	ctx := context.Background()
	now := t0
	full := &mailout.SendError{Phase: mailout.PhaseRcpt, Code: 452, Err: errors.New("452 4.2.2 mailbox full")}
	down := errors.New("dial tcp: connection refused")
	s := &fakeSender{script: repeat(down, 2), byRcpt: map[string]error{"u2@x": full}}
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": s}, IsPermanent: mailout.IsPermanent,
		RetryMin: time.Hour, RetryMax: time.Hour, Now: func() time.Time { return now }})
	if st, err := w.Drain(ctx); err != nil || st.Retried != 3 {
		t.Fatalf("outage: %+v %v", st, err)
	}
	// The relay is back; new mail arrives long before the hour of backoff.
	now = t0.Add(2 * time.Minute)
	queue(t, db, 1, now)
	st, err := w.Drain(ctx)
	if err != nil || st.Sent != 3 || st.Woken != 2 || st.Retried != 0 {
		t.Fatalf("recovery: %+v %v (want the new row and the 2 woken ones sent)", st, err)
	}
	rows, _ := db.ListOutgoing(ctx, 10)
	for _, r := range rows {
		want := store.OutSent
		if r.Recipients == "u2@x" {
			want = store.OutPending
		}
		if r.State != want {
			t.Errorf("%s: %s (%s), want %s", r.Recipients, r.State, r.LastError, want)
		}
	}
}
