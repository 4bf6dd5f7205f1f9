package outbox

import (
	"context"
	"sync"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// Session is a connection to a desk's relay kept for several messages
// (*mailout.SMTPSession): Send as Sender.Send, Close ends the connection
// and leaves the session usable (it connects again).
type Session interface {
	Send(ctx context.Context, envelopeFrom string, to []string, raw []byte) error
	Close() error
}

// SessionOpener is a Sender that can keep its connection between messages.
// *mailout.SMTPSender is one through its Session method; a Sender that is
// neither sends each message on its own.
type SessionOpener interface {
	OpenSession() Session
}

// NewSession opens a session on s: its own when s is a SessionOpener or a
// *mailout.SMTPSender, else one that sends each message with s.Send (a
// wrapper that counts sends opens its sessions with NewSession on the
// sender it wraps).
func NewSession(s Sender) Session {
	switch v := s.(type) {
	case SessionOpener:
		return v.OpenSession()
	case *mailout.SMTPSender:
		return v.Session()
	}
	return single{s}
}

// single sends every message on its own connection.
type single struct{ s Sender }

func (o single) Send(ctx context.Context, from string, to []string, raw []byte) error {
	return o.s.Send(ctx, from, to, raw)
}
func (single) Close() error { return nil }

// conn is one session held by a sender, or idle in the pool.
type conn struct {
	s    Session
	n    int       // messages since the session last closed
	last time.Time // last use
}

func (c *conn) send(ctx context.Context, o *store.Outgoing, maxPer int) error {
	err := c.s.Send(ctx, o.EnvelopeFrom, recipients(o), o.Raw)
	c.last = time.Now()
	c.n++
	if err != nil || c.n >= maxPer {
		// A failed session closes itself; this also ends one that has
		// carried its share of messages.
		c.close()
	}
	return err
}

func (c *conn) close() {
	_ = c.s.Close()
	c.n = 0
}

// pool keeps the idle sessions of a worker by desk between drains.
type pool struct {
	mu   sync.Mutex
	idle map[string][]*conn
}

func newPool() *pool { return &pool{idle: map[string][]*conn{}} }

// get takes an idle session of desk, or opens one (it connects on its first
// Send).
func (p *pool) get(desk string, s Sender) *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.idle[desk]; len(l) > 0 {
		c := l[len(l)-1]
		p.idle[desk] = l[:len(l)-1]
		return c
	}
	return &conn{s: NewSession(s), last: time.Now()}
}

func (p *pool) put(desk string, c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idle[desk] = append(p.idle[desk], c)
}

// closeIdle closes the sessions unused for idle and forgets them.
func (p *pool) closeIdle(idle time.Duration) {
	p.mu.Lock()
	var old []*conn
	for desk, l := range p.idle {
		keep := l[:0]
		for _, c := range l {
			if time.Since(c.last) >= idle {
				old = append(old, c)
			} else {
				keep = append(keep, c)
			}
		}
		if len(keep) == 0 {
			delete(p.idle, desk)
		} else {
			p.idle[desk] = keep
		}
	}
	p.mu.Unlock()
	for _, c := range old {
		c.close()
	}
}

func (p *pool) closeAll() { p.closeIdle(-1) }

// nextIdle is when the first idle session will have been unused for idle.
func (p *pool) nextIdle(idle time.Duration) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var at time.Time
	for _, l := range p.idle {
		for _, c := range l {
			if t := c.last.Add(idle); at.IsZero() || t.Before(at) {
				at = t
			}
		}
	}
	return at, !at.IsZero()
}

// closeIdleHeld closes, among the sessions a sender holds, those unused for
// idle (a desk whose mail stopped while others' goes on).
func (p *pool) closeIdleHeld(held map[string]*conn, idle time.Duration) {
	for desk, c := range held {
		if time.Since(c.last) >= idle {
			c.close()
			delete(held, desk)
		}
	}
}
