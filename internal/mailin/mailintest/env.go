package mailintest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailin"
)

// Env is one scenario's playground: an account and a fresh, empty folder
// that belongs to this test alone.
type Env struct {
	Account Account
	Folder  string
	// Drop closes every connection from the server side (a server restart
	// or network failure). Nil when the server cannot do that; scenarios
	// that need it are then skipped.
	Drop func()
	// Log collects what the poller logs (also copied to the test log).
	Log *LogBuffer

	dialer *trackingDialer
}

// NewEnv creates a uniquely named folder on acct, deleted again (with its
// processed twin) at the end of the test. drop may be nil: Drop then
// closes the poller's connections from the client side, through the
// Options.Dial that Options installs, which looks the same to the poller.
func NewEnv(t testing.TB, acct Account, drop func()) Env {
	t.Helper()
	folder := fmt.Sprintf("otvet-test-%d-%04d", time.Now().UnixNano()%1e9, rand.IntN(10000))
	c := acct.Client(t)
	CreateFolder(t, c, folder)
	t.Cleanup(func() {
		c2, err := dialLogin(acct)
		if err != nil {
			return
		}
		defer c2.Close()
		_ = c2.Delete(folder).Wait()
		_ = c2.Delete(folder + "-done").Wait()
	})
	d := &trackingDialer{conns: map[net.Conn]struct{}{}}
	if drop == nil {
		drop = d.dropAll
	}
	return Env{Account: acct, Folder: folder, Drop: drop, Log: &LogBuffer{tb: t}, dialer: d}
}

// MemEnv starts an in-process server and returns an Env on it.
func MemEnv(t testing.TB) Env {
	t.Helper()
	s := StartMemServer(t)
	return NewEnv(t, s.Account, s.DropConnections)
}

// Options returns poller options for the Env: plain TCP, \Seen after
// commit, fast reconnects, and a PollInterval of an hour so that in IDLE
// mode only IDLE notifications can trigger a pass.
func (e Env) Options() mailin.Options {
	return mailin.Options{
		Name:          "desk-" + e.Folder,
		Addr:          e.Account.Addr,
		Security:      cmp.Or(e.Account.Security, mailin.SecurityPlain),
		TLSConfig:     e.Account.TLSConfig,
		Username:      e.Account.Username,
		Password:      e.Account.Password,
		Folder:        e.Folder,
		MarkSeen:      true,
		PollInterval:  time.Hour,
		BackoffMin:    5 * time.Millisecond,
		BackoffMax:    50 * time.Millisecond,
		ShutdownGrace: 10 * time.Second,
		Dial:          e.dialer.DialContext,
		Logger:        slog.New(slog.NewTextHandler(e.Log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// LogBuffer is an io.Writer that keeps everything written and copies it
// to the test log while the test runs.
type LogBuffer struct {
	tb   testing.TB
	mu   sync.Mutex
	buf  bytes.Buffer
	done bool
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if l.tb != nil && !l.done {
		func() {
			defer func() {
				if recover() != nil {
					l.done = true // the test has ended; keep the bytes only
				}
			}()
			l.tb.Log(strings.TrimRight(string(p), "\n"))
		}()
	}
	return len(p), nil
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// WaitFor blocks until substr has been logged at least n times, or fails
// the test after WaitTimeout.
func (l *LogBuffer) WaitFor(tb testing.TB, substr string, n int) {
	tb.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for strings.Count(l.String(), substr) < n {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %d log lines with %q", WaitTimeout, n, substr)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// trackingDialer dials TCP and remembers the connections so that a test
// can cut them.
type trackingDialer struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (d *trackingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.conns[c] = struct{}{}
	d.mu.Unlock()
	return c, nil
}

func (d *trackingDialer) dropAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for c := range d.conns {
		c.Close()
		delete(d.conns, c)
	}
}
