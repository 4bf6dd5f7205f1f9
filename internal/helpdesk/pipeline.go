package helpdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/store"
)

// The intake pipeline: while one batch is committed by the single database
// writer, the batch that follows it is parsed (mailin.AheadSink). The
// poison-message guard still sees every message that may kill the process:
// before the parsing of the next batch starts, the recorded attempt covers
// both batches, and the commit of the first replaces it by one covering the
// next batch alone (endAttempt). That attempt is this process's own doing,
// so the next call does not mistake it for a crash (keepAhead).

// ahead is a batch being parsed in the background.
type ahead struct {
	uidValidity uint32
	first, last uint32
	n           int
	cancel      context.CancelFunc
	prep        *preparing
}

// startAhead parses fs in the background. The parsing does not end with
// ctx (the caller's delivery ends first); discard ends it.
func (s *Service) startAhead(ctx context.Context, d *Desk, uidValidity uint32, fs []mailin.Fetched, now time.Time) *ahead {
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &ahead{uidValidity: uidValidity, first: fs[0].UID, last: fs[len(fs)-1].UID, n: len(fs), cancel: cancel,
		prep: s.startPrepare(actx, d, uidValidity, fs, now)}
}

// matches reports whether a is the parsing of fs.
func (a *ahead) matches(uidValidity uint32, fs []mailin.Fetched) bool {
	return a != nil && len(fs) == a.n && a.uidValidity == uidValidity && fs[0].UID == a.first && fs[len(fs)-1].UID == a.last
}

// discard stops a parsing nobody will use (or that was used: it is over
// then) and waits for it to end.
func (a *ahead) discard() {
	if a == nil {
		return
	}
	a.cancel()
	<-a.prep.done
}

// takeAhead takes the desk's batch parsed ahead, if any.
func (s *Service) takeAhead(desk string) *ahead {
	s.guard.mu.Lock()
	defer s.guard.mu.Unlock()
	a := s.guard.ahead[desk]
	delete(s.guard.ahead, desk)
	return a
}

// keepAhead keeps a batch parsed ahead for the next call, with the attempt
// the commit left for it.
func (s *Service) keepAhead(desk string, a *ahead, att store.IntakeAttempt) {
	s.guard.mu.Lock()
	defer s.guard.mu.Unlock()
	if old := s.guard.ahead[desk]; old != nil && old != a {
		go old.discard()
	}
	s.guard.ahead[desk] = a
	s.guard.handled[desk] = att
}

// endAttempt ends a batch's attempt in its transaction: cleared, or, when
// the next batch is being parsed, replaced by the attempt on that batch.
func endAttempt(ctx context.Context, tx *store.Tx, desk string, next *store.IntakeAttempt) error {
	if next == nil {
		return tx.ClearIntakeAttempt(ctx, desk)
	}
	return tx.SetIntakeAttempt(ctx, *next)
}

// Settle is called once intake has stopped (a graceful stop). The attempts
// this process left behind — one covering a batch parsed ahead and never
// committed, or one whose intake ended with an error the process survived —
// are cleared, so the next start does not take their messages for ones
// that stopped the service.
func (s *Service) Settle(ctx context.Context) error {
	s.guard.mu.Lock()
	aheads, handled := s.guard.ahead, s.guard.handled
	s.guard.ahead, s.guard.handled = map[string]*ahead{}, map[string]store.IntakeAttempt{}
	s.guard.mu.Unlock()
	for _, a := range aheads {
		a.discard()
	}
	for _, h := range handled {
		if err := s.db.Tx(ctx, func(tx *store.Tx) error { return tx.ClearIntakeAttemptIf(ctx, h) }); err != nil {
			return fmt.Errorf("settle intake of %s: %w", h.Desk, err)
		}
	}
	return nil
}
