package mailout

import (
	"context"
	"crypto/tls"
	"net"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Check opens a session with the relay as Send does — connect, EHLO,
// STARTTLS or implicit TLS, AUTH when configured — and ends it with QUIT
// without sending anything (otvet doctor). Errors are *SendError.
func (s *SMTPSender) Check(ctx context.Context) (err error) {
	defer func() { err = s.redact(err) }()
	if err := ctx.Err(); err != nil {
		return &SendError{Phase: PhaseConnect, Err: err}
	}
	sc, conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer func() {
		stop()
		_ = conn.Close()
	}()
	_ = sc.UpdateDeadline(s.o.Timeout)
	if err := sc.Quit(); err != nil && ctx.Err() == nil {
		return replyError(PhaseConnect, "", err)
	}
	return nil
}

// connect dials the relay and returns a session that has said EHLO, secured
// the connection as configured and authenticated; errors are *SendError.
// The caller closes conn.
func (s *SMTPSender) connect(ctx context.Context) (*gosmtp.Client, net.Conn, error) {
	var conn net.Conn
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if s.implicit {
			c, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConf}).DialContext(dctx, network, addr)
		} else {
			c, err = d.DialContext(dctx, network, addr)
		}
		conn = c
		return c, err
	}
	client, err := gomail.NewClient(s.o.Host,
		gomail.WithPort(s.o.Port),
		gomail.WithTimeout(s.o.Timeout),
		gomail.WithTLSPolicy(s.policy),
		gomail.WithTLSConfig(s.tlsConf),
		gomail.WithHELO(s.o.HeloName),
		gomail.WithDialContextFunc(dial),
		gomail.WithoutNoop(),
	)
	if err != nil {
		return nil, nil, &SendError{Phase: PhaseConnect, Err: err, Permanent: true}
	}
	if s.cred != nil {
		client.SetSMTPAuthCustom(&autoAuth{user: s.cred.user, pass: s.cred.pass(), host: s.o.Host})
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		return nil, nil, s.connectError(ctx, err)
	}
	return sc, conn, nil
}
