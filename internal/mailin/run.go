package mailin

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"time"
)

// Run polls until ctx is done: a pass, then IDLE (or a PollInterval sleep),
// another pass on new mail, and so on. On any error it logs, closes the
// connection and reconnects after a full-jitter exponential backoff, which
// is reset by a good pass. It returns nil when ctx is cancelled and never
// panics: a panic is logged and treated like a connection error.
func (p *Poller) Run(ctx context.Context) error {
	log := p.opts.Logger
	attempt := 0
	for {
		if ctx.Err() != nil {
			return nil
		}
		good, err := p.runSession(ctx)
		if ctx.Err() != nil {
			log.Info("poller stopped")
			return nil
		}
		if good {
			attempt = 0
		}
		var wait time.Duration
		if errors.Is(err, ErrLocked) {
			log.Debug("another instance polls this mailbox; waiting", "wait", p.opts.PollInterval)
			wait = p.opts.PollInterval
		} else {
			wait = backoff(attempt, p.opts.BackoffMin, p.opts.BackoffMax)
			attempt++
			p.status.update(func(s *Status) { s.Connected, s.Reconnects, s.LastError = false, s.Reconnects+1, fmt.Sprint(err) })
			log.Warn("imap session failed; reconnecting", "err", err, "attempt", attempt, "wait", wait.Round(time.Millisecond))
		}
		if !sleep(ctx, wait) {
			log.Info("poller stopped")
			return nil
		}
	}
}

// runSession runs one locked, connected session until an error or ctx
// cancellation. good reports whether at least one pass succeeded.
func (p *Poller) runSession(ctx context.Context) (good bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			p.opts.Logger.Error("panic in imap session", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("mailin: panic: %v", v)
		}
	}()
	release, err := p.lock(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	s, err := p.open(ctx)
	if err != nil {
		return false, err
	}
	defer s.close()
	p.status.update(func(s *Status) { s.Connected = true })
	defer p.status.update(func(s *Status) { s.Connected = false })
	holder, _ := p.opts.Locker.(LockHolder)
	for {
		if holder != nil && good {
			if err := holder.Held(ctx, p.opts.Name); err != nil {
				return good, fmt.Errorf("mailin: the mailbox lock was lost: %w", err)
			}
		}
		st, err := s.pass(ctx)
		if err != nil {
			return good, err
		}
		good = true
		p.status.update(func(s *Status) { s.LastPass, s.LastError = time.Now(), "" })
		if st.Delivered > 0 || st.UIDValidityReset {
			p.opts.Logger.Info("pass done", "fetched", st.Fetched, "delivered", st.Delivered,
				"truncated", st.Truncated, "uidvalidity_reset", st.UIDValidityReset)
		}
		if err := s.wait(ctx); err != nil {
			return good, err
		}
		if ctx.Err() != nil {
			return good, nil
		}
	}
}

// wait returns when a pass is due: new mail announced during IDLE, the
// PollInterval elapsed, or ctx is done (nil error in all three cases). An
// error means the connection is unusable.
func (s *session) wait(ctx context.Context) error {
	o := s.p.opts
	if !s.idle {
		t := time.NewTimer(o.PollInterval)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-s.c.Closed():
			return errors.New("mailin: connection closed by server")
		}
		return nil
	}
	safety := time.NewTimer(o.PollInterval)
	defer safety.Stop()
	for {
		idle, err := s.c.Idle()
		if err != nil {
			return fmt.Errorf("mailin: idle: %w", err)
		}
		s.log.Debug("idle started")
		restart := time.NewTimer(o.IdleRestart)
		var (
			check      <-chan time.Time
			checkTimer *time.Timer
		)
		if o.IdleCheck > 0 {
			checkTimer = time.NewTimer(o.IdleCheck)
			check = checkTimer.C
		}
		again, ask := false, false
		select {
		case <-ctx.Done():
		case <-s.notify:
		case <-safety.C:
		case <-restart.C:
			again = true
		case <-check:
			again, ask = true, true
		case <-s.c.Closed():
		}
		restart.Stop()
		if checkTimer != nil {
			checkTimer.Stop()
		}
		err = idle.Close()
		if err == nil {
			err = idle.Wait()
		}
		if err != nil {
			return fmt.Errorf("mailin: idle: %w", err)
		}
		if ask {
			// NOOP makes the server look at the mailbox now; an EXISTS it
			// announces lands in s.notify before the command completes.
			if err := s.c.Noop().Wait(); err != nil {
				return fmt.Errorf("mailin: noop: %w", err)
			}
			select {
			case <-s.notify:
				s.log.Debug("idle check found new mail")
				return nil
			default:
			}
		}
		if !again {
			return nil
		}
	}
}

// backoff returns a full-jitter exponential delay: uniform in
// [0, min(max, min·2^attempt)], but at least a millisecond.
func backoff(attempt int, lo, hi time.Duration) time.Duration {
	ceil := lo
	for i := 0; i < attempt && ceil < hi; i++ {
		if ceil > hi/2 {
			ceil = hi
			break
		}
		ceil *= 2
	}
	ceil = min(ceil, hi)
	if ceil <= time.Millisecond {
		return time.Millisecond
	}
	return time.Duration(rand.Int64N(int64(ceil))) + time.Millisecond
}

// sleep waits d or until ctx is done; it reports whether the full d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// graceContext returns a context that is not cancelled with parent but
// grace after it, so work in flight (a delivery transaction) can finish.
func graceContext(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ctx.Done():
		}
	})
	return ctx, func() {
		stop()
		cancel()
	}
}
