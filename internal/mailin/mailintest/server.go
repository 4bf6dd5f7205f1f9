// Package mailintest holds test helpers for package mailin: an in-process
// IMAP server (go-imap's imapmemserver), IMAP helpers that work against any
// server (append, list flags, recreate a folder), a recording Sink and a
// scenario suite that can run against the in-process server or a real one
// such as Dovecot.
package mailintest

import (
	"crypto/tls"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Account says how to reach a test IMAP account on loopback.
type Account struct {
	Addr      string // 127.0.0.1:port
	Username  string
	Password  string
	Security  string      // as mailin.Options.Security; "" means plain
	TLSConfig *tls.Config // trusted roots for "tls" and "starttls"
}

// MemServer is an imapmemserver listening on 127.0.0.1 for one user.
type MemServer struct {
	Account
	srv *imapserver.Server
	ln  *trackingListener
}

// MemServerOptions change how StartMemServerWith serves.
type MemServerOptions struct {
	// TLSConfig, when set, offers STARTTLS (and refuses LOGIN before it),
	// or with ImplicitTLS serves TLS from the first byte.
	TLSConfig   *tls.Config
	ImplicitTLS bool
	// NoIdle serves IMAP4rev1 with UIDPLUS and MOVE but without IDLE: go-imap
	// always announces IDLE, so the server's output is rewritten on the way out.
	NoIdle bool
}

// StartMemServer starts an in-process IMAP server (IMAP4rev2: IDLE, MOVE,
// UIDPLUS) with one user and an INBOX on plain TCP. It stops at the end of
// the test.
func StartMemServer(tb testing.TB) *MemServer {
	tb.Helper()
	return StartMemServerWith(tb, MemServerOptions{})
}

// StartMemServerWith is StartMemServer with options.
func StartMemServerWith(tb testing.TB, opts MemServerOptions) *MemServer {
	tb.Helper()
	mem := imapmemserver.New()
	acct := Account{Username: "support", Password: "s3cret-pa55"}
	u := imapmemserver.NewUser(acct.Username, acct.Password)
	if err := u.Create("INBOX", nil); err != nil {
		tb.Fatalf("create INBOX: %v", err)
	}
	mem.AddUser(u)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	if opts.NoIdle {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapMove: {}}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: opts.TLSConfig == nil || opts.ImplicitTLS,
		TLSConfig:    opts.TLSConfig,
		Logger:       tbLogger{tb},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	acct.Addr = l.Addr().String()
	if opts.ImplicitTLS {
		l = tls.NewListener(l, opts.TLSConfig)
	}
	if opts.NoIdle {
		l = noIdleListener{l}
	}
	ln := &trackingListener{Listener: l, conns: map[net.Conn]struct{}{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		srv.Close()
		<-done
	})
	return &MemServer{Account: acct, srv: srv, ln: ln}
}

// DropConnections closes every client connection from the server side, as
// a server restart or a network failure would; the mailbox data stays.
func (s *MemServer) DropConnections() { s.ln.dropAll() }

// trackingListener remembers accepted connections so they can be dropped.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.conns[c] = struct{}{}
	l.mu.Unlock()
	return c, nil
}

func (l *trackingListener) dropAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.Close()
		delete(l.conns, c)
	}
}

// tbLogger routes the server's error log to the test log. Connections that
// tests drop on purpose make it talk; that is fine.
type tbLogger struct{ tb testing.TB }

func (l tbLogger) Printf(format string, args ...any) {
	l.tb.Helper()
	defer func() { _ = recover() }() // logging after the test ended panics in testing
	l.tb.Logf("imapserver: "+format, args...)
}
