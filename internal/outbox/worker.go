// Package outbox sends the mail queued in the database: at least once, with
// the next attempt written before each try, retrying temporary failures with
// exponential backoff and recording permanent ones.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// Sender delivers one composed message to the relay (mailout.SMTPSender).
type Sender interface {
	Send(ctx context.Context, envelopeFrom string, to []string, raw []byte) error
}

// Options tune the worker. Zero values mean the defaults.
type Options struct {
	Senders      map[string]Sender // by desk name
	IsPermanent  func(error) bool  // classifies send errors (mailout.IsPermanent)
	MaxAttempts  int               // default 20: then the row fails
	RetryMin     time.Duration     // default 30s
	RetryMax     time.Duration     // default 2h
	PollInterval time.Duration     // default 5s
	Batch        int               // rows claimed at once, default 20
	Now          func() time.Time
	Logger       *slog.Logger
}

// Worker drains the outbox.
type Worker struct {
	db   *store.DB
	o    Options
	wake chan struct{}
}

// New builds a worker.
func New(db *store.DB, o Options) *Worker {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 20
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 30 * time.Second
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(2*time.Hour, o.RetryMin)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.IsPermanent == nil {
		o.IsPermanent = func(error) bool { return false }
	}
	return &Worker{db: db, o: o, wake: make(chan struct{}, 1)}
}

// Wake asks a running worker to look at the outbox now (e.g. after intake queued mail).
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Backoff is the delay before attempt n+1 after n attempts: RetryMin doubled
// each time up to RetryMax, with ±20 % jitter so instances do not march in step.
func (w *Worker) Backoff(attempts int) time.Duration {
	d := w.o.RetryMin
	for i := 1; i < attempts && d < w.o.RetryMax; i++ {
		d *= 2
	}
	d = min(d, w.o.RetryMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Stats count one drain.
type Stats struct{ Sent, Retried, Failed int }

// Drain sends everything that is due now and returns; for `poll --once`, tests and Run.
func (w *Worker) Drain(ctx context.Context) (Stats, error) {
	var st Stats
	for {
		rows, err := w.db.ClaimOutgoing(ctx, w.o.Now().UTC(), w.o.Batch, w.Backoff)
		if err != nil {
			return st, err
		}
		if len(rows) == 0 {
			return st, nil
		}
		for i := range rows {
			if err := w.send(ctx, &rows[i], &st); err != nil {
				return st, err
			}
		}
	}
}

func (w *Worker) send(ctx context.Context, o *store.Outgoing, st *Stats) error {
	log := w.o.Logger.With("outbox_id", o.ID, "desk", o.Desk, "kind", o.Kind, "message_id", o.MessageID, "attempt", o.Attempts)
	if o.TicketID.Valid {
		log = log.With("ticket", o.TicketID.Int64)
	}
	sender, ok := w.o.Senders[o.Desk]
	var err error
	if !ok {
		err = fmt.Errorf("no SMTP sender configured for desk %q", o.Desk)
	} else {
		err = sender.Send(ctx, o.EnvelopeFrom, strings.Split(o.Recipients, "\n"), o.Raw)
	}
	// Record the result even when ctx was cancelled mid-send.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err == nil {
		st.Sent++
		log.Info("mail sent", "to", o.Recipients)
		return w.db.MarkSent(rctx, o.ID, w.o.Now().UTC())
	}
	permanent := ok && w.o.IsPermanent(err)
	if o.Attempts >= w.o.MaxAttempts {
		permanent = true
		err = fmt.Errorf("giving up after %d attempts: %w", o.Attempts, err)
	}
	if permanent {
		st.Failed++
		log.Error("mail failed permanently", "to", o.Recipients, "err", err)
	} else {
		st.Retried++
		log.Warn("mail not sent; will retry", "next_attempt_at", o.NextAttemptAt, "err", err)
	}
	if merr := w.db.MarkAttemptFailed(rctx, o.ID, err.Error(), permanent); merr != nil {
		return merr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

// Run drains the outbox until ctx is done: on Wake, when the next row is due,
// and at least every PollInterval. Errors are logged and retried.
func (w *Worker) Run(ctx context.Context) error {
	for {
		if _, err := w.drainSafely(ctx); err != nil && ctx.Err() == nil {
			w.o.Logger.Error("outbox drain failed", "err", err)
		}
		wait := w.o.PollInterval
		if next, ok, err := w.db.NextDue(ctx); err == nil && ok {
			if d := time.Until(next); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (w *Worker) drainSafely(ctx context.Context) (st Stats, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("outbox worker panicked: %v", p)
		}
	}()
	return w.Drain(ctx)
}
