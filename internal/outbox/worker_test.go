package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

var errPermanent = errors.New("550 no such user")

// fakeSender fails according to a script: one error (or nil) per call.
type fakeSender struct {
	script []error
	calls  int
	raws   [][]byte
}

func (f *fakeSender) Send(_ context.Context, _ string, _ []string, raw []byte) error {
	f.calls++
	f.raws = append(f.raws, raw)
	if len(f.script) == 0 {
		return nil
	}
	err := f.script[0]
	f.script = f.script[1:]
	return err
}

func setup(t *testing.T, rows int) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: filepath.Join(t.TempDir(), "o.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < rows; i++ {
			if err := tx.InsertOutgoing(ctx, &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{}, Kind: "ack",
				MessageID: fmt.Sprintf("m%d@x", i), EnvelopeFrom: "sd@x", Recipients: "u@x", RcptKey: "u@x",
				Raw: []byte(fmt.Sprintf("message %d", i)), NextAttemptAt: t0, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

var t0 = time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)

func TestWorker(t *testing.T) {
	temp := errors.New("451 try again later")
	cases := []struct {
		name        string
		script      []error
		maxAttempts int
		drains      int
		wantState   string
		wantCalls   int
	}{
		{"sent at once", nil, 5, 1, store.OutSent, 1},
		{"temporary then sent", []error{temp, temp}, 5, 3, store.OutSent, 3},
		{"permanent", []error{errPermanent}, 5, 3, store.OutFailed, 1},
		{"gives up after max attempts", []error{temp, temp, temp, temp}, 3, 5, store.OutFailed, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := setup(t, 1)
			now := t0
			s := &fakeSender{script: c.script}
			w := outbox.New(db, outbox.Options{
				Senders: map[string]outbox.Sender{"sd": s}, IsPermanent: func(err error) bool { return errors.Is(err, errPermanent) },
				MaxAttempts: c.maxAttempts, RetryMin: time.Minute, RetryMax: time.Hour, Now: func() time.Time { return now },
			})
			for i := 0; i < c.drains; i++ {
				if _, err := w.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				now = now.Add(2 * time.Hour) // past any backoff
			}
			rows, _ := db.ListOutgoing(context.Background(), 10)
			if rows[0].State != c.wantState || s.calls != c.wantCalls {
				t.Errorf("state %s after %d calls, want %s after %d (last error %q)", rows[0].State, s.calls, c.wantState, c.wantCalls, rows[0].LastError)
			}
			for _, r := range s.raws {
				if string(r) != "message 0" {
					t.Errorf("retry sent other bytes: %q", r)
				}
			}
		})
	}
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
	w := outbox.New(nil, outbox.Options{RetryMin: time.Minute, RetryMax: time.Hour})
	base := time.Minute
	for n := 1; n <= 30; n, base = n+1, min(2*base, time.Hour) {
		d := w.Backoff(n)
		if d < base*8/10 || d > base*12/10 {
			t.Errorf("attempt %d: backoff %v, want %v ± 20 %%", n, d, base)
		}
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

func BenchmarkBackoff(b *testing.B) {
	w := outbox.New(nil, outbox.Options{})
	for i := 0; i < b.N; i++ {
		_ = w.Backoff(i%20 + 1)
	}
}
