package mailin

import (
	"sync"
	"time"
)

// Status is a snapshot of a poller's health, for /readyz and /metrics.
type Status struct {
	Connected  bool      // a session is open now (Run)
	LastPass   time.Time // the end of the last successful pass (zero: none yet)
	LastError  string    // the last session error ("" after a good pass)
	Reconnects int64     // sessions that failed and were retried
}

// status is the mutable state behind Status.
type status struct {
	mu sync.Mutex
	s  Status
}

func (st *status) update(f func(s *Status)) {
	st.mu.Lock()
	defer st.mu.Unlock()
	f(&st.s)
}

// Status returns the poller's current health snapshot.
func (p *Poller) Status() Status {
	p.status.mu.Lock()
	defer p.status.mu.Unlock()
	return p.status.s
}

// Name is the poller's mailbox name (the desk).
func (p *Poller) Name() string { return p.opts.Name }
