package mailintest

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// DialFunc is the type of mailin.Options.Dial.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// StartMemServerWithoutIdle starts an in-process IMAP4rev1 server (UIDPLUS,
// MOVE) that does not offer IDLE: its CAPABILITY responses never list it.
// go-imap's server always announces IDLE for IMAP4rev1 (and IMAP4rev2
// implies it), so the server's output is rewritten on the way out. It stops
// at the end of the test.
func StartMemServerWithoutIdle(tb testing.TB) *MemServer {
	tb.Helper()
	return StartMemServerWith(tb, MemServerOptions{NoIdle: true})
}

// noIdleListener hands out connections whose server output has IDLE
// removed from every capability list.
type noIdleListener struct{ net.Listener }

func (l noIdleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &noIdleServerConn{Conn: c}, nil
}

// noIdleServerConn rewrites what the server writes, a whole line at a time.
type noIdleServerConn struct {
	net.Conn
	mu      sync.Mutex
	pending []byte
}

func (c *noIdleServerConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = append(c.pending, p...)
	out, rest := filterLines(c.pending, hideIdle)
	c.pending = append(c.pending[:0], rest...)
	if len(out) > 0 {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// HideIdle wraps a dialer so that the client never sees IDLE in the
// server's capability lists: the poller then treats a real server such as
// Dovecot as one without IDLE.
func HideIdle(next DialFunc) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &noIdleClientConn{Conn: c}, nil
	}
}

// noIdleClientConn rewrites what the client reads, a whole line at a time.
type noIdleClientConn struct {
	net.Conn
	mu       sync.Mutex
	pending  []byte // read, not yet a whole line
	filtered []byte // rewritten, not yet returned
}

func (c *noIdleClientConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	buf := make([]byte, 4096)
	for len(c.filtered) == 0 {
		n, err := c.Conn.Read(buf)
		c.pending = append(c.pending, buf[:n]...)
		out, rest := filterLines(c.pending, hideIdle)
		c.filtered = append(c.filtered, out...)
		c.pending = append(c.pending[:0], rest...)
		if err != nil && len(c.filtered) == 0 {
			return 0, err
		}
	}
	n := copy(p, c.filtered)
	c.filtered = c.filtered[n:]
	return n, nil
}

// filterLines applies f to every complete line (CRLF or LF terminated) of
// b and returns the result and the incomplete rest.
func filterLines(b []byte, f func([]byte) []byte) (out, rest []byte) {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return out, b
		}
		out = append(out, f(b[:i+1])...)
		b = b[i+1:]
	}
}

// capLine matches the capability lists of an IMAP server: "* CAPABILITY …"
// and the "[CAPABILITY …]" response code of a greeting or a tagged OK.
var capLine = regexp.MustCompile(`(?i)^(\S+ (?:OK \[)?CAPABILITY )([^\]\r\n]*)`)

// hideIdle removes the IDLE capability from a capability line; other lines
// pass unchanged.
func hideIdle(line []byte) []byte {
	m := capLine.FindSubmatchIndex(line)
	if m == nil {
		return line
	}
	var keep []string
	for _, c := range strings.Fields(string(line[m[4]:m[5]])) {
		if !strings.EqualFold(c, string(imap.CapIdle)) {
			keep = append(keep, c)
		}
	}
	out := append([]byte(nil), line[:m[4]]...)
	out = append(out, strings.Join(keep, " ")...)
	return append(out, line[m[5]:]...)
}

// Command is one command a client sent: its name in upper case ("SELECT",
// "UID FETCH", "IDLE"; "DONE" for the end of an IDLE) and when it was written.
type Command struct {
	Name string
	At   time.Time
}

// Commands records the commands sent over the connections of a dialer. It
// is safe for concurrent use.
type Commands struct {
	mu   sync.Mutex
	list []Command
}

// Dial wraps next so that every command written on its connections is
// recorded.
func (r *Commands) Dial(next DialFunc) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &recordingConn{Conn: c, r: r}, nil
	}
}

// Times returns when the commands named name were sent, in order.
func (r *Commands) Times(name string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Time
	for _, c := range r.list {
		if c.Name == name {
			out = append(out, c.At)
		}
	}
	return out
}

// Count returns how many commands named name were sent.
func (r *Commands) Count(name string) int { return len(r.Times(name)) }

// All returns every recorded command, in order.
func (r *Commands) All() []Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Command(nil), r.list...)
}

func (r *Commands) record(line []byte, at time.Time) {
	f := strings.Fields(strings.ToUpper(string(line)))
	var name string
	switch {
	case len(f) == 1 && f[0] == "DONE":
		name = "DONE"
	case len(f) >= 3 && f[1] == "UID":
		name = "UID " + f[2]
	case len(f) >= 2:
		name = f[1]
	default:
		return
	}
	r.mu.Lock()
	r.list = append(r.list, Command{Name: name, At: at})
	r.mu.Unlock()
}

type recordingConn struct {
	net.Conn
	r       *Commands
	mu      sync.Mutex
	pending []byte
}

func (c *recordingConn) Write(p []byte) (int, error) {
	now := time.Now()
	c.mu.Lock()
	c.pending = append(c.pending, p...)
	_, rest := filterLines(c.pending, func(line []byte) []byte {
		c.r.record(line, now)
		return nil
	})
	c.pending = append(c.pending[:0], rest...)
	c.mu.Unlock()
	return c.Conn.Write(p)
}
