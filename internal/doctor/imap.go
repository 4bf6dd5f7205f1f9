package doctor

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
)

// IMAP is how to reach a desk's mailbox, with the TLS options the poller
// uses (internal/mailin).
type IMAP struct {
	Addr     string // host:port
	Security string // "tls" (default) | "starttls" | "plain"
	// TLSConfig: ServerName defaults to the host of Addr.
	TLSConfig          *tls.Config
	Username, Password string
	// Folders are searched for the probe in order: the desk's folder, then
	// its processed folder (a running poller may have moved the probe there).
	Folders []string
	// Dial replaces net.Dialer (tests).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// connect dials, authenticates and returns the client; it is closed when
// ctx ends before the login completes.
func (o IMAP) connect(ctx context.Context) (*imapclient.Client, error) {
	dial := o.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", o.Addr, err)
	}
	copts := &imapclient.Options{WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader}}
	var c *imapclient.Client
	switch o.Security {
	case "plain":
		c = imapclient.New(conn, copts)
	case "starttls":
		copts.TLSConfig = o.tlsConfig()
		if c, err = imapclient.NewStartTLS(conn, copts); err != nil {
			return nil, fmt.Errorf("starttls %s: %w", o.Addr, err)
		}
	default:
		tc := tls.Client(conn, o.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("tls handshake with %s: %w", o.Addr, err)
		}
		c = imapclient.New(tc, copts)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("greeting from %s: %w", o.Addr, cmp.Or(ctx.Err(), err))
	}
	// The error is the server's response; it never echoes the password.
	if err := c.Login(o.Username, o.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %q: %w", o.Username, cmp.Or(ctx.Err(), err))
	}
	if ctx.Err() != nil {
		c.Close()
		return nil, ctx.Err()
	}
	return c, nil
}

func (o IMAP) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if o.TLSConfig != nil {
		cfg = o.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(o.Addr)
		cfg.ServerName = host
	}
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"imap"}
	}
	return cfg
}

// logout ends the session politely, then closes the connection.
func logout(c *imapclient.Client) {
	_ = c.Logout().Wait()
	c.Close()
}

// IMAPLogin logs in to the desk's mailbox and examines its folder.
func IMAPLogin(ctx context.Context, o IMAP) Result {
	c, err := o.connect(ctx)
	if err != nil {
		return bad(Error, "check imap host, port, security, username and password (or password_file) of the desk",
			"%v", err)
	}
	defer logout(c)
	if len(o.Folders) == 0 {
		return okf("logged in as %s at %s", o.Username, o.Addr)
	}
	d, err := c.Select(o.Folders[0], &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return bad(Error, "create the folder or correct imap.folder", "logged in as %s, but folder %q: %v",
			o.Username, o.Folders[0], err)
	}
	return okf("logged in as %s at %s; %s holds %d message(s)", o.Username, o.Addr, o.Folders[0], d.NumMessages)
}

var (
	errNotFound = errors.New("not found")
	errNoFolder = errors.New("cannot select the folder")
)
