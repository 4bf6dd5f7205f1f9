// Package outbox sends the mail queued in the database: at least once, never
// twice at the same time, and never giving up because the relay was down.
//
// The worker claims one row at a time. A claim writes the attempt number and
// the time of the next attempt before the attempt, and holds the row for
// SendTimeout plus a margin; the send itself is cut off after SendTimeout
// (cancelling it closes the SMTP connection), so no other sender — another
// instance, or a cron `poll --once` beside `serve` — can take the row while
// it is being sent. Only permanent rejections of the message end a row at
// once; temporary failures (4xx, network, TLS, AUTH) are retried with a
// backoff capped at RetryMax until GiveUpAfter has passed since the row was
// queued (or requeued). A success after a failure of the relay wakes every
// row of the desk that waits for the relay.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// Sender delivers one composed message to the relay (mailout.SMTPSender).
type Sender interface {
	Send(ctx context.Context, envelopeFrom string, to []string, raw []byte) error
}

// Options tune the worker. Zero values mean the defaults.
type Options struct {
	Senders     map[string]Sender // by desk name
	IsPermanent func(error) bool  // the message itself was rejected (mailout.IsPermanent); default: never
	// RelayFault reports whether a temporary failure is the relay's (down,
	// unreachable, TLS, AUTH) rather than this message's (a 4xx reply to
	// MAIL, RCPT or DATA). Rows that failed for the relay are woken by the
	// next success on their desk. Default: RelayFault below.
	RelayFault   func(error) bool
	GiveUpAfter  time.Duration // temporary failures are retried this long after queueing; default 7 days
	RetryMin     time.Duration // first retry delay, doubled each attempt; default 30s
	RetryMax     time.Duration // cap of the retry delay; default 5m
	SendTimeout  time.Duration // one attempt is cut off after this; default 10m (the claim lasts a minute longer)
	PollInterval time.Duration // default 5s
	Now          func() time.Time
	Logger       *slog.Logger
	// OnGiveUp is called once for each row given up, after the give-up is
	// recorded, with the row as it now is (state failed, given_up_at,
	// last_error); helpdesk tells the ticket's agents. An error is logged:
	// the row stays given up and is reported in the digest.
	OnGiveUp func(ctx context.Context, o store.Outgoing) error
}

// giveUpExpired starts last_error of a row given up because it was not
// delivered within GiveUpAfter.
const giveUpExpired = "giving up: not delivered within "

// GiveUpReason tells why a row was given up from its last_error:
// mailout.GiveUpExpired (not delivered within give_up_after; detail is
// the last failure) or mailout.GiveUpRejected (the relay refused the
// message; detail is its answer).
func GiveUpReason(lastError string) (reason, detail string) {
	rest, ok := strings.CutPrefix(lastError, giveUpExpired)
	if !ok {
		return mailout.GiveUpRejected, lastError
	}
	if _, d, ok := strings.Cut(rest, ": "); ok {
		return mailout.GiveUpExpired, d
	}
	return mailout.GiveUpExpired, ""
}

// ClaimMargin is how much longer a claim lasts than the send it covers: the
// time to record the outcome and the clock difference tolerated between
// instances.
const ClaimMargin = time.Minute

// Worker drains the outbox.
type Worker struct {
	db   *store.DB
	o    Options
	wake chan struct{}
}

// New builds a worker.
func New(db *store.DB, o Options) *Worker {
	if o.GiveUpAfter <= 0 {
		o.GiveUpAfter = 7 * 24 * time.Hour
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 30 * time.Second
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(5*time.Minute, o.RetryMin)
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 10 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Second
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
	if o.RelayFault == nil {
		o.RelayFault = RelayFault
	}
	return &Worker{db: db, o: o, wake: make(chan struct{}, 1)}
}

// RelayFault is the default Options.RelayFault: every failure except an
// SMTP reply to MAIL FROM, RCPT TO or DATA (which concerns this message).
func RelayFault(err error) bool {
	var se *mailout.SendError
	if errors.As(err, &se) {
		switch se.Phase {
		case mailout.PhaseMail, mailout.PhaseRcpt, mailout.PhaseData:
			return se.Code == 0
		}
	}
	return true
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

// Stats count one drain. Woken counts rows made due at once because the
// relay answered again after failing.
type Stats struct{ Sent, Retried, Failed, Woken int }

// Drain sends everything that is due now, one row at a time, and returns;
// for `poll --once`, tests and Run.
func (w *Worker) Drain(ctx context.Context) (Stats, error) {
	var st Stats
	lease := func(int) time.Duration { return w.o.SendTimeout + ClaimMargin }
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		rows, err := w.db.ClaimOutgoing(ctx, w.o.Now().UTC(), 1, lease)
		if err != nil {
			return st, err
		}
		if len(rows) == 0 {
			return st, nil
		}
		if err := w.send(ctx, &rows[0], &st); err != nil {
			return st, err
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
		// The claim outlives this deadline by ClaimMargin: when it passes,
		// the connection is closed and nobody else has sent the row yet.
		sctx, cancel := context.WithTimeout(ctx, w.o.SendTimeout)
		err = sender.Send(sctx, o.EnvelopeFrom, strings.Split(o.Recipients, "\n"), o.Raw)
		cancel()
	}
	// Record the result even when ctx was cancelled mid-send.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := w.o.Now().UTC()
	var a store.Attempt
	if err == nil {
		st.Sent++
		log.Info("mail sent", "to", o.Recipients)
	} else {
		a.Err = err.Error()
		a.RelayDown = !ok || w.o.RelayFault(err)
		since := o.CreatedAt
		if o.RequeuedAt.Valid {
			since = o.RequeuedAt.Time
		}
		switch {
		case ok && w.o.IsPermanent(err):
			a.GiveUp = true
			st.Failed++
			log.Error("mail rejected permanently; given up", "to", o.Recipients, "err", err)
		case now.Sub(since) >= w.o.GiveUpAfter:
			a.GiveUp = true
			a.Err = fmt.Sprintf("%s%s of queueing: %s", giveUpExpired, w.o.GiveUpAfter, a.Err)
			st.Failed++
			log.Error("mail not delivered in time; given up", "to", o.Recipients, "queued", since, "err", err)
		default:
			a.Next = now.Add(w.Backoff(o.Attempts))
			st.Retried++
			log.Warn("mail not sent; will retry", "next_attempt_at", a.Next, "relay_down", a.RelayDown, "err", err)
		}
	}
	woken, ferr := w.db.FinishAttempt(rctx, o, now, a)
	switch {
	case errors.Is(ferr, store.ErrClaimLost):
		log.Warn("outbox row was claimed again or requeued during the attempt; outcome not recorded", "err", err)
	case ferr != nil:
		return ferr
	case woken > 0:
		st.Woken += woken
		log.Info("relay answers again: waiting mail is due now", "woken", woken)
	case a.GiveUp && w.o.OnGiveUp != nil:
		g := *o
		g.Raw = nil
		g.State, g.LastError, g.ClaimedUntil = store.OutFailed, a.Err, sql.NullTime{}
		g.GivenUpAt, g.RelayDown = sql.NullTime{Time: now, Valid: true}, a.RelayDown
		if herr := w.o.OnGiveUp(rctx, g); herr != nil {
			log.Error("mail given up, but telling the agents failed; the digest reports it", "err", herr)
		}
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
			if d := next.Sub(w.o.Now()); d < wait {
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
