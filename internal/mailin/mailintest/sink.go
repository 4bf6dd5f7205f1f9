package mailintest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailin"
)

// Sink is an in-memory mailin.Sink that behaves like the real store: it
// keeps a cursor per mailbox, deduplicates by content hash, and advances the
// cursor with every accepted delivery (duplicates included). Hooks let a test
// fail, block or panic on chosen messages. It is safe for concurrent use.
type Sink struct {
	// FailOn, when set, is called before a delivery is stored; a non-nil
	// result is returned from Deliver and nothing is stored.
	FailOn func(ctx context.Context, f mailin.Fetched) error
	// AfterDeliver, when set, is called after a delivery was stored.
	AfterDeliver func(f mailin.Fetched)

	mu         sync.Mutex
	cond       *sync.Cond
	cursors    map[string]mailin.Cursor
	hashes     map[[32]byte]bool
	stored     []mailin.Fetched // first deliveries of each content
	accepted   []Delivery       // every Deliver that returned nil
	setCursors []mailin.Cursor
	calls      int
}

// Delivery is one accepted Deliver call.
type Delivery struct {
	UIDValidity uint32
	Msg         mailin.Fetched
	Duplicate   bool
}

// NewSink returns an empty Sink.
func NewSink() *Sink {
	s := &Sink{cursors: map[string]mailin.Cursor{}, hashes: map[[32]byte]bool{}}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Cursor implements mailin.Sink.
func (s *Sink) Cursor(_ context.Context, mailbox string) (mailin.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[mailbox], nil
}

// SetCursor implements mailin.Sink.
func (s *Sink) SetCursor(_ context.Context, mailbox string, c mailin.Cursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors[mailbox] = c
	s.setCursors = append(s.setCursors, c)
	return nil
}

// Deliver implements mailin.Sink.
func (s *Sink) Deliver(ctx context.Context, mailbox string, uidValidity uint32, f mailin.Fetched) error {
	s.mu.Lock()
	s.calls++
	cur := s.cursors[mailbox]
	s.mu.Unlock()
	if cur.UIDValidity == uidValidity && f.UID <= cur.LastUID {
		return fmt.Errorf("mailintest: UID %d delivered again at or below the cursor %d", f.UID, cur.LastUID)
	}
	if s.FailOn != nil {
		if err := s.FailOn(ctx, f); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err // a real transaction would be rolled back
	}
	if f.Body != nil {
		// Spooled: kept in memory here, the poller closes the spool.
		raw, err := f.Bytes()
		if err != nil {
			return err
		}
		f.Raw, f.Body = raw, nil
	}
	s.mu.Lock()
	h := sha256.Sum256(f.Raw)
	dup := s.hashes[h]
	if !dup {
		s.hashes[h] = true
		s.stored = append(s.stored, f)
	}
	s.accepted = append(s.accepted, Delivery{UIDValidity: uidValidity, Msg: f, Duplicate: dup})
	s.cursors[mailbox] = mailin.Cursor{UIDValidity: uidValidity, LastUID: f.UID}
	s.cond.Broadcast()
	s.mu.Unlock()
	if s.AfterDeliver != nil {
		s.AfterDeliver(f)
	}
	return nil
}

// Stored returns the distinct messages stored, in delivery order.
func (s *Sink) Stored() []mailin.Fetched {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailin.Fetched(nil), s.stored...)
}

// Accepted returns every Deliver call that returned nil, duplicates included.
func (s *Sink) Accepted() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.accepted...)
}

// SetCursors returns the cursors passed to SetCursor, in order.
func (s *Sink) SetCursors() []mailin.Cursor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailin.Cursor(nil), s.setCursors...)
}

// Calls returns how many times Deliver was called, failed calls included.
func (s *Sink) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// WaitStored blocks until at least n distinct messages are stored or
// timeout passes (then it fails the test). The timeout is a safety net for
// a hung test, not a performance assertion: pass something generous.
func (s *Sink) WaitStored(tb testing.TB, n int, timeout time.Duration) []mailin.Fetched {
	tb.Helper()
	expired := false
	t := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		expired = true
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer t.Stop()
	s.mu.Lock()
	for len(s.stored) < n && !expired {
		s.cond.Wait()
	}
	got := append([]mailin.Fetched(nil), s.stored...)
	s.mu.Unlock()
	if len(got) < n {
		tb.Fatalf("waited %v for %d stored messages, have %d", timeout, n, len(got))
	}
	return got
}

// NopSink accepts everything and keeps only the cursor (for benchmarks).
type NopSink struct {
	mu  sync.Mutex
	cur mailin.Cursor
}

// Cursor implements mailin.Sink.
func (s *NopSink) Cursor(context.Context, string) (mailin.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur, nil
}

// SetCursor implements mailin.Sink.
func (s *NopSink) SetCursor(_ context.Context, _ string, c mailin.Cursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = c
	return nil
}

// Deliver implements mailin.Sink.
func (s *NopSink) Deliver(_ context.Context, _ string, uidValidity uint32, f mailin.Fetched) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = mailin.Cursor{UIDValidity: uidValidity, LastUID: f.UID}
	return nil
}
