package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// Stats count one drain. Woken counts rows made due at once because the
// relay answered again after failing.
type Stats struct{ Sent, Retried, Failed, Woken int }

// Drain sends everything that is due now with Options.Parallel senders and
// returns when nothing is due, after the marks are written and the
// connections closed; for `poll --once`, tests and the command line.
func (w *Worker) Drain(ctx context.Context) (Stats, error) {
	defer w.pool.closeAll()
	return w.drain(ctx)
}

// drainRun is one drain: its senders, its marks, its first error.
type drainRun struct {
	w     *Worker
	marks *marks

	mu   sync.Mutex
	st   Stats
	err  error         // the first error; it stops every sender
	stop chan struct{} // closed with err
}

func (w *Worker) drain(ctx context.Context) (Stats, error) {
	d := &drainRun{w: w, stop: make(chan struct{})}
	d.marks = &marks{d: d}
	tctx, stopTicker := context.WithCancel(ctx)
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		d.marks.tick(tctx)
	}()
	var wg sync.WaitGroup
	for range w.o.Parallel {
		wg.Go(func() { d.sender(ctx) })
	}
	wg.Wait()
	stopTicker()
	<-ticked
	// Marks left by a sender that stopped on an error or a cancelled ctx.
	if _, err := d.marks.flush(context.WithoutCancel(ctx)); err != nil {
		d.fail(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st, d.err
}

func (d *drainRun) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.err = err
		close(d.stop)
	}
}

func (d *drainRun) stopped() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

func (d *drainRun) count(f func(*Stats)) {
	d.mu.Lock()
	f(&d.st)
	d.mu.Unlock()
}

// sender claims rows and sends them, one at a time, until nothing is due,
// keeping one connection per desk.
func (d *drainRun) sender(ctx context.Context) {
	w := d.w
	conns := map[string]*conn{}
	defer func() {
		for desk, c := range conns {
			w.pool.put(desk, c)
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			d.fail(fmt.Errorf("outbox sender panicked: %v", p))
		}
	}()
	lease := func(int) time.Duration { return w.o.SendTimeout + ClaimMargin }
	size := 1
	for !d.stopped() {
		if err := ctx.Err(); err != nil {
			d.fail(err)
			return
		}
		woke := d.marks.wokenSoFar()
		start := time.Now()
		unlock := w.lockDB()
		rows, err := w.db.ClaimOutgoing(ctx, w.o.Now().UTC(), size, lease)
		unlock()
		if err != nil {
			d.fail(err)
			return
		}
		if len(rows) == 0 {
			// Nothing due: write the marks, which may wake rows that
			// wait for the relay; go on if any were woken meanwhile.
			if _, err := d.marks.flush(ctx); err != nil {
				d.fail(err)
				return
			}
			if d.marks.wokenSoFar() == woke {
				return
			}
			continue
		}
		if len(rows) == size {
			size = min(2*size, w.o.ClaimBatch)
		}
		// Every send of this claim ends by deadline, a margin before the
		// claim does; a row whose turn comes later than half a send's time
		// before it is given back unattempted.
		deadline := start.Add(w.o.SendTimeout)
		for i := range rows {
			if d.stopped() || ctx.Err() != nil || time.Until(deadline) < w.o.SendTimeout/2 {
				d.release(ctx, rows[i:])
				break
			}
			if err := d.send(ctx, &rows[i], conns, deadline); err != nil {
				d.fail(err)
				d.release(ctx, rows[i+1:])
				return
			}
		}
		w.pool.closeIdleHeld(conns, w.o.IdleClose)
	}
}

// release gives back claimed rows that were not attempted.
func (d *drainRun) release(ctx context.Context, rows []store.Outgoing) {
	if len(rows) == 0 {
		return
	}
	ptrs := make([]*store.Outgoing, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	unlock := d.w.lockDB()
	err := d.w.db.ReleaseClaims(rctx, ptrs, d.w.o.Now().UTC())
	unlock()
	if err != nil {
		// The claims expire by themselves; the rows are sent then.
		d.w.o.Logger.Warn("outbox rows not given back; they are sent when their claim expires", "rows", len(rows), "err", err)
	}
}

// send makes the attempt o was claimed for and records its outcome: a
// success joins the batch of marks, a failure is written at once.
func (d *drainRun) send(ctx context.Context, o *store.Outgoing, conns map[string]*conn, deadline time.Time) error {
	w := d.w
	log := w.o.Logger.With("outbox_id", o.ID, "desk", o.Desk, "kind", o.Kind, "message_id", o.MessageID, "attempt", o.Attempts)
	if o.TicketID.Valid {
		log = log.With("ticket", o.TicketID.Int64)
	}
	sender, ok := w.o.Senders[o.Desk]
	var err error
	if !ok {
		err = fmt.Errorf("no SMTP sender configured for desk %q", o.Desk)
	} else {
		c := conns[o.Desk]
		if c == nil {
			c = w.pool.get(o.Desk, sender)
			conns[o.Desk] = c
		}
		// The claim outlives this deadline by ClaimMargin: when it passes,
		// the connection is closed and nobody else has sent the row yet.
		sctx, cancel := context.WithDeadline(ctx, deadline)
		err = c.send(sctx, o, w.o.MaxPerConnection)
		cancel()
	}
	if err == nil {
		d.count(func(st *Stats) { st.Sent++ })
		log.Info("mail sent", "to", o.Recipients)
		if err := d.marks.add(ctx, o); err != nil {
			return err
		}
		return ctx.Err()
	}
	if err := d.failed(ctx, o, ok, err, log); err != nil {
		return err
	}
	return ctx.Err()
}

// failed records a failed attempt at once (even when ctx was cancelled
// mid-send): retried later, or given up and reported.
func (d *drainRun) failed(ctx context.Context, o *store.Outgoing, configured bool, err error, log *slog.Logger) error {
	w := d.w
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := w.o.Now().UTC()
	a := store.Attempt{Err: err.Error(), RelayDown: !configured || w.o.RelayFault(err)}
	since := o.CreatedAt
	if o.RequeuedAt.Valid {
		since = o.RequeuedAt.Time
	}
	switch {
	case configured && w.o.IsPermanent(err):
		a.GiveUp = true
		d.count(func(st *Stats) { st.Failed++ })
		log.Error("mail rejected permanently; given up", "to", o.Recipients, "err", err)
	case now.Sub(since) >= w.o.GiveUpAfter:
		a.GiveUp = true
		a.Err = fmt.Sprintf("%s%s of queueing: %s", giveUpExpired, w.o.GiveUpAfter, a.Err)
		d.count(func(st *Stats) { st.Failed++ })
		log.Error("mail not delivered in time; given up", "to", o.Recipients, "queued", since, "err", err)
	default:
		a.Next = now.Add(w.Backoff(o.Attempts))
		d.count(func(st *Stats) { st.Retried++ })
		log.Warn("mail not sent; will retry", "next_attempt_at", a.Next, "relay_down", a.RelayDown, "err", err)
	}
	unlock := w.lockDB()
	_, ferr := w.db.FinishAttempt(rctx, o, now, a)
	unlock()
	switch {
	case errors.Is(ferr, store.ErrClaimLost):
		log.Warn("outbox row was claimed again or requeued during the attempt; outcome not recorded", "err", err)
	case ferr != nil:
		return ferr
	case a.GiveUp && w.o.OnGiveUp != nil:
		g := *o
		g.Raw = nil
		g.State, g.LastError, g.ClaimedUntil = store.OutFailed, a.Err, sql.NullTime{}
		g.GivenUpAt, g.RelayDown = sql.NullTime{Time: now, Valid: true}, a.RelayDown
		if herr := w.o.OnGiveUp(rctx, g); herr != nil {
			log.Error("mail given up, but telling the agents failed; the digest reports it", "err", herr)
		}
	}
	return nil
}

// recipients splits a row's newline-separated recipients.
func recipients(o *store.Outgoing) []string { return strings.Split(o.Recipients, "\n") }
