package mailin

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
)

// logoutTimeout bounds the wait for the server's answer to LOGOUT.
const logoutTimeout = 5 * time.Second

// session is one authenticated connection.
type session struct {
	p      *Poller
	log    *slog.Logger
	c      *imapclient.Client
	notify chan struct{} // a new-message (EXISTS) announcement arrived; buffered 1
	idle   bool          // the server offers IDLE and it is not disabled

	// needRecovery asks the next pass to flag/move messages at or below the
	// cursor that a crash or a failed STORE/MOVE left behind. True for the
	// first pass of every session.
	needRecovery bool
	// listening is set by the first pass, which logs how much mail waits.
	listening bool

	stopForce func() bool // stops the forced close after ctx cancel + grace
}

// open dials, authenticates and prepares a session. The connection is
// forcibly closed ShutdownGrace after ctx is cancelled, so no network wait
// outlives the grace period.
func (p *Poller) open(ctx context.Context) (*session, error) {
	o := p.opts
	s := &session{
		p:            p,
		log:          o.Logger,
		notify:       make(chan struct{}, 1),
		needRecovery: true,
	}
	copts := &imapclient.Options{
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					s.wake()
				}
			},
		},
	}
	c, err := p.dial(ctx, copts)
	if err != nil {
		return nil, fmt.Errorf("mailin: connect %s: %w", o.Addr, hinted(err))
	}
	s.c = c
	// Until the session is ready nothing is in flight: a cancellation
	// closes the connection at once (servers delay failed logins by seconds).
	s.stopForce = context.AfterFunc(ctx, func() { c.Close() })
	if err := c.WaitGreeting(); err != nil {
		s.abort()
		return nil, fmt.Errorf("mailin: greeting from %s: %w", o.Addr, cmp.Or(ctx.Err(), err))
	}
	if err := c.Login(o.Username, o.Password).Wait(); err != nil {
		s.abort()
		// The error is the server's response; it never echoes the password.
		return nil, fmt.Errorf("mailin: login as %q: %w", o.Username, cmp.Or(ctx.Err(), err))
	}
	if !s.stopForce() {
		s.abort()
		return nil, fmt.Errorf("mailin: login as %q: %w", o.Username, ctx.Err())
	}
	// From now on a cancellation leaves ShutdownGrace for the delivery in
	// flight and the LOGOUT before the connection is cut.
	s.stopForce = context.AfterFunc(ctx, func() {
		t := time.NewTimer(o.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			c.Close()
		case <-c.Closed():
		}
	})
	// Capabilities are often fuller after login: go-imap resets its cached
	// set on LOGIN and asks again.
	caps := c.Caps()
	s.idle = !o.DisableIdle && caps.Has(imap.CapIdle)
	if o.ProcessedFolder != "" {
		if err := s.ensureFolder(o.ProcessedFolder); err != nil {
			s.close()
			return nil, err
		}
	}
	mode := "polling every " + o.PollInterval.String()
	if s.idle {
		mode = "IDLE"
	}
	s.log.Info("logged in to imap", "addr", o.Addr, "user", o.Username, "mode", mode, "idle", s.idle,
		"move", caps.Has(imap.CapMove), "uidplus", caps.Has(imap.CapUIDPlus))
	return s, nil
}

// dial opens the transport according to Options.Security.
func (p *Poller) dial(ctx context.Context, copts *imapclient.Options) (*imapclient.Client, error) {
	o := p.opts
	conn, err := o.Dial(ctx, "tcp", o.Addr)
	if err != nil {
		return nil, err
	}
	switch o.Security {
	case SecurityPlain:
		return imapclient.New(conn, copts), nil
	case SecurityStartTLS:
		copts.TLSConfig = p.tlsConfig()
		// NewStartTLS closes conn on failure and refuses PREAUTH.
		return imapclient.NewStartTLS(conn, copts)
	default:
		tc := tls.Client(conn, p.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("tls handshake: %w", err)
		}
		return imapclient.New(tc, copts), nil
	}
}

func (p *Poller) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if p.opts.TLSConfig != nil {
		cfg = p.opts.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(p.opts.Addr)
		cfg.ServerName = host
	}
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"imap"}
	}
	return cfg
}

// ensureFolder creates folder unless LIST shows it exists.
func (s *session) ensureFolder(folder string) error {
	list, err := s.c.List("", folder, nil).Collect()
	if err != nil {
		return fmt.Errorf("mailin: list %q: %w", folder, err)
	}
	for _, l := range list {
		if l.Mailbox == folder {
			return nil
		}
	}
	err = s.c.Create(folder, nil).Wait()
	var ierr *imap.Error
	if errors.As(err, &ierr) && ierr.Code == imap.ResponseCodeAlreadyExists {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("mailin: create processed folder %q: %w", folder, err)
	}
	s.log.Info("created processed folder", "folder", folder)
	return nil
}

// wake records a new-message announcement without blocking the decoder.
func (s *session) wake() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// drainNotify forgets announcements the coming SELECT will cover anyway.
func (s *session) drainNotify() {
	select {
	case <-s.notify:
	default:
	}
}

// close logs out politely (bounded) and closes the connection.
func (s *session) close() {
	select {
	case <-s.c.Closed():
	default:
		done := make(chan error, 1)
		go func() { done <- s.c.Logout().Wait() }()
		t := time.NewTimer(logoutTimeout)
		select {
		case <-done:
		case <-t.C:
		case <-s.c.Closed():
		}
		t.Stop()
	}
	s.abort()
}

// abort closes the connection without LOGOUT. go-imap's Close waits for its
// reader goroutine, which a half-consumed response can block: give up
// waiting after a while rather than hang the poller.
func (s *session) abort() {
	if s.stopForce != nil {
		s.stopForce()
	}
	done := make(chan struct{})
	go func() {
		s.c.Close()
		close(done)
	}()
	t := time.NewTimer(logoutTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Error("imap connection did not close in time; abandoning it")
	}
}

// kill closes the connection without waiting, so that a blocked reader
// fails fast and pending responses can be drained.
func (s *session) kill() {
	go s.c.Close()
}
