// Package outbox sends the mail queued in the database: at least once, never
// twice at the same time, and never giving up because the relay was down.
//
// Several senders (Options.Parallel) drain the outbox at once. Each claims a
// few rows at a time; a claim writes the attempt number and the time of the
// next attempt before the attempt, and holds the rows for SendTimeout plus a
// margin; the sends of one claim are cut off SendTimeout after it (cancelling
// a send closes the SMTP connection), and rows whose turn comes too late are
// given back unattempted, so no other sender — another of this worker's,
// another instance, or a cron `poll --once` beside `serve` — can take a row
// while it is being sent. Each sender keeps its SMTP connection to a desk's
// relay between messages (RSET between them), and closes it when it has been
// idle for IdleClose. The rows the relay accepted are marked sent in batches
// (MarkBatch rows or MarkDelay, whichever comes first); until its mark is
// written a row stays claimed, so a crash in between sends it again when the
// claim expires, with the same bytes and Message-ID — never loses it. Only
// permanent rejections of the message end a row at once; temporary failures
// (4xx, network, TLS, AUTH) are retried with a backoff capped at RetryMax
// until GiveUpAfter has passed since the row was queued (or requeued). A
// success after a failure of the relay wakes every row of the desk that
// waits for the relay.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
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
	SendTimeout  time.Duration // the sends of one claim are cut off after this; default 10m (the claim lasts a minute longer)
	PollInterval time.Duration // default 5s
	// Parallel is the number of senders draining at once, each with its own
	// claims and its own connection to each desk's relay (default 4).
	Parallel int
	// ClaimBatch caps the rows one claim takes (default 16). A sender starts
	// with one row a claim and doubles while rows keep coming, so a short
	// queue is spread over the senders.
	ClaimBatch int
	// MarkBatch and MarkDelay: the rows the relay accepted are marked sent
	// in one transaction per MarkBatch rows, or after MarkDelay (defaults 64
	// and 50ms).
	MarkBatch int
	MarkDelay time.Duration
	// IdleClose: a connection to a relay unused this long is closed (QUIT);
	// default 5s. Drain closes its connections when it returns.
	IdleClose time.Duration
	// MaxPerConnection: a connection is closed after this many messages and
	// the next one opens a new one (default 100; relays often limit it).
	MaxPerConnection int
	Now              func() time.Time
	Logger           *slog.Logger
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
	pool *pool // connections kept between drains of Run
	// dbmu serialises this worker's transactions on SQLite, where writers
	// take turns anyway: its senders queue here rather than in SQLite's
	// busy handler, which sleeps up to 100 ms a turn, and hold one
	// connection of the pool rather than all of them.
	dbmu *sync.Mutex
}

// lockDB takes dbmu (SQLite) and returns its unlock.
func (w *Worker) lockDB() func() {
	if w.dbmu == nil {
		return func() {}
	}
	w.dbmu.Lock()
	return w.dbmu.Unlock
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
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.ClaimBatch <= 0 {
		o.ClaimBatch = 16
	}
	if o.MarkBatch <= 0 {
		o.MarkBatch = 64
	}
	if o.MarkDelay <= 0 {
		o.MarkDelay = 50 * time.Millisecond
	}
	if o.IdleClose <= 0 {
		o.IdleClose = 5 * time.Second
	}
	if o.MaxPerConnection <= 0 {
		o.MaxPerConnection = 100
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
	w := &Worker{db: db, o: o, wake: make(chan struct{}, 1), pool: newPool()}
	if db != nil && db.Dialect() == store.SQLite {
		w.dbmu = &sync.Mutex{}
	}
	return w
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

// Run drains the outbox until ctx is done: on Wake, when the next row is due,
// and at least every PollInterval. Errors are logged and retried. Connections
// to the relays stay open between drains until idle for IdleClose, and are
// closed when Run returns.
func (w *Worker) Run(ctx context.Context) error {
	defer w.pool.closeAll()
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
		if at, ok := w.pool.nextIdle(w.o.IdleClose); ok {
			wait = max(min(wait, time.Until(at)), 10*time.Millisecond)
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
		w.pool.closeIdle(w.o.IdleClose)
	}
}

func (w *Worker) drainSafely(ctx context.Context) (st Stats, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("outbox worker panicked: %v", p)
		}
	}()
	return w.drain(ctx)
}
