// Package mailin is the IMAP intake: it fetches new messages of one mailbox
// by UID, hands each to a Sink that stores it and advances a persisted
// (UIDVALIDITY, last UID) cursor in one transaction, and only then flags or
// moves it on the server. Run keeps a session open, waits with IDLE (or
// polls) and reconnects with jittered exponential backoff.
//
// See docs/intake.md for the behaviour in detail.
package mailin

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Cursor is the persisted position of a mailbox: every message with a UID
// up to LastUID in the mailbox generation UIDValidity has been stored.
type Cursor struct{ UIDValidity, LastUID uint32 }

// Sink is implemented by the helpdesk store. It is the only place state is kept.
type Sink interface {
	// Cursor returns the persisted cursor of the mailbox ({0,0} when never polled).
	Cursor(ctx context.Context, mailbox string) (Cursor, error)
	// SetCursor persists a new cursor without delivering (used on a UIDVALIDITY change: {new, 0}).
	SetCursor(ctx context.Context, mailbox string, c Cursor) error
	// Deliver stores one message AND advances the cursor to {uidValidity, msg.UID} in ONE transaction.
	// It deduplicates by itself (SHA-256, or Message-ID with the same content), so re-delivering a
	// message is harmless. It must never let one message block the mailbox (the helpdesk
	// quarantines a message that crashes or hangs it, see docs/intake.md).
	// It returns an error only for failures that may go away (database down); the poller then
	// stops the pass and retries later from the same cursor. Unparseable mail is the sink's business.
	Deliver(ctx context.Context, mailbox string, uidValidity uint32, msg Fetched) error
}

// BatchSink is an optional extension of Sink: DeliverBatch stores several
// consecutive messages (ascending UIDs) AND advances the cursor to the last
// one's UID in ONE transaction, so a burst of mail costs one commit, not one
// per message. Its error contract is Deliver's: on error nothing of the batch
// counts as delivered and the pass retries from the cursor.
type BatchSink interface {
	DeliverBatch(ctx context.Context, mailbox string, uidValidity uint32, msgs []Fetched) error
}

// AheadSink is an optional extension of BatchSink for a pipelined intake:
// DeliverBatchAhead is DeliverBatch for msgs, told which batch (next) it will
// be given after them, so that it can prepare next (parse it) while it
// commits msgs. next is only a hint: the following call may bring other
// messages (after an error, say), and the sink must then take them as they
// come. The poller holds at most two batches for it.
type AheadSink interface {
	DeliverBatchAhead(ctx context.Context, mailbox string, uidValidity uint32, msgs, next []Fetched) error
}

// Fetched is one message as read from the server.
type Fetched struct {
	UID          uint32
	Raw          []byte    // the whole message, or when Truncated the message assembled from its fetched parts; nil when spooled
	Body         *Spool    // instead of Raw: a literal over Options.SpoolBytes, spooled to a temporary file (spool.go)
	Size         int64     // RFC822.SIZE as reported by the server
	Truncated    bool      // the message was larger than Options.MaxMessageBytes: only its header and text parts were fetched (see OmittedHeader)
	InternalDate time.Time // when the server received the message
}

// Locker is optional (PostgreSQL advisory locks): one process polls a mailbox at a time.
type Locker interface {
	TryLock(ctx context.Context, mailbox string) (release func(), ok bool, err error)
}

// LockHolder is a Locker that can tell whether a lock it granted is still
// held: a PostgreSQL advisory lock dies with its connection, and then
// another instance may take the mailbox. Run checks it before every pass
// after the first and ends the session when it is lost.
type LockHolder interface {
	Held(ctx context.Context, mailbox string) error
}

// Stats describe one pass.
type Stats struct {
	Fetched          int  // messages read from the server
	Delivered        int  // messages the sink accepted
	Truncated        int  // of Delivered, how many had only their header
	UIDValidityReset bool // the server's UIDVALIDITY differed from a non-zero stored one
}

// ErrLocked is returned by PollOnce when another instance holds the
// mailbox's lock.
var ErrLocked = errors.New("mailin: mailbox is being polled by another instance")

// Poller polls one mailbox. Its methods must not be called concurrently.
type Poller struct {
	opts   Options
	sink   Sink
	status *status // health snapshot (status.go)
}

// New validates opts (reporting every problem at once) and returns a Poller.
func New(opts Options, sink Sink) (*Poller, error) {
	opts = opts.withDefaults()
	err := opts.validate()
	if sink == nil {
		err = errors.Join(err, errors.New("mailin: sink: required"))
	}
	if err != nil {
		return nil, err
	}
	opts.Logger = opts.Logger.With("mailbox", opts.Name)
	return &Poller{opts: opts, sink: sink, status: &status{}}, nil
}

// PollOnce connects, logs in, selects the folder, delivers every new message,
// marks or moves the delivered ones, and logs out. When a Locker is set and
// another instance holds the lock, it returns ErrLocked without connecting.
func (p *Poller) PollOnce(ctx context.Context) (Stats, error) {
	release, err := p.lock(ctx)
	if err != nil {
		return Stats{}, err
	}
	defer release()
	s, err := p.open(ctx)
	if err != nil {
		return Stats{}, err
	}
	defer s.close()
	st, err := s.pass(ctx)
	if err == nil {
		p.status.update(func(s *Status) { s.LastPass, s.LastError = time.Now(), "" })
	}
	return st, err
}

// lock takes the Locker's lock, if any. It returns ErrLocked when the lock
// is held elsewhere.
func (p *Poller) lock(ctx context.Context) (release func(), err error) {
	if p.opts.Locker == nil {
		return func() {}, nil
	}
	release, ok, err := p.opts.Locker.TryLock(ctx, p.opts.Name)
	if err != nil {
		return nil, fmt.Errorf("mailin: lock: %w", err)
	}
	if !ok {
		return nil, ErrLocked
	}
	if release == nil {
		release = func() {}
	}
	return release, nil
}
