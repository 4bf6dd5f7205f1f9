package mailout

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// TLS modes of SMTPOptions.TLS.
const (
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSStartTLS = "starttls" // STARTTLS required (port 587)
	TLSNone     = "none"     // plain text; AUTH is then refused except to localhost
)

// SMTPOptions configure an SMTPSender. The zero value of every field except
// Host means a default.
type SMTPOptions struct {
	Host string
	Port int    // 0: 465 for "tls", 587 for "starttls", 25 for "none"
	TLS  string // "tls" | "starttls" | "none"; "" = "starttls"
	// Username and Password enable AUTH (PLAIN, else LOGIN), only over TLS
	// or to localhost. The password never appears in logs or errors.
	Username, Password string
	TLSConfig          *tls.Config   // e.g. RootCAs for a private CA; ServerName defaults to Host
	HeloName           string        // "" = the host name of this machine
	Timeout            time.Duration // per SMTP command; 0 = 30s
	Logger             *slog.Logger  // nil = discard
}

// SMTPSender submits pre-composed messages to one relay. It is safe for
// concurrent use; every Send uses its own connection.
type SMTPSender struct {
	o        SMTPOptions // Password cleared: it lives behind cred only
	cred     *credentials
	tlsConf  *tls.Config
	policy   gomail.TLSPolicy
	implicit bool
	log      *slog.Logger
}

// NewSMTPSender validates o and returns a sender. It does not connect.
func NewSMTPSender(o SMTPOptions) (*SMTPSender, error) {
	if o.Host == "" {
		return nil, errors.New("mailout: smtp: host is required")
	}
	s := &SMTPSender{o: o, log: o.Logger}
	s.o.Password = ""
	if o.Username != "" {
		// Behind a closure, so that printing the sender in any format shows
		// an address, not the password.
		pass := o.Password
		s.cred = &credentials{user: o.Username, pass: func() string { return pass }}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	defPort := 587
	switch o.TLS {
	case TLSImplicit:
		s.implicit, s.policy, defPort = true, gomail.NoTLS, 465
	case TLSStartTLS, "":
		s.o.TLS, s.policy = TLSStartTLS, gomail.TLSMandatory
	case TLSNone:
		s.policy, defPort = gomail.NoTLS, 25
	default:
		return nil, fmt.Errorf("mailout: smtp: unknown TLS mode %q (want tls, starttls or none)", o.TLS)
	}
	if s.o.Port == 0 {
		s.o.Port = defPort
	}
	if s.o.Port < 1 || s.o.Port > 65535 {
		return nil, fmt.Errorf("mailout: smtp: bad port %d", o.Port)
	}
	if s.o.Timeout <= 0 {
		s.o.Timeout = 30 * time.Second
	}
	if s.o.HeloName == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "localhost"
		}
		s.o.HeloName = h
	}
	if o.TLSConfig != nil {
		s.tlsConf = o.TLSConfig.Clone()
	} else {
		s.tlsConf = &tls.Config{}
	}
	if s.tlsConf.ServerName == "" {
		s.tlsConf.ServerName = o.Host
	}
	if s.tlsConf.MinVersion == 0 {
		s.tlsConf.MinVersion = tls.VersionTLS12
	}
	return s, nil
}

// Send submits raw, a complete RFC 5322 message as produced by Compose, to
// the recipients in to with envelopeFrom as MAIL FROM ("" sends the null
// reverse-path "<>", as RFC 3834 recommends for automatic replies). The
// bytes go out unchanged, so every retry of an outbox row carries the same
// Message-ID. Errors are *SendError; classify them with IsPermanent.
//
// When some recipients are refused permanently and others accepted, the
// message is delivered to those that accepted and a permanent *SendError
// listing both is returned: retrying would duplicate the delivered copies.
func (s *SMTPSender) Send(ctx context.Context, envelopeFrom string, to []string, raw []byte) (err error) {
	defer func() { err = s.redact(err) }()
	from, rcpts, err := checkEnvelope(envelopeFrom, to, raw)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &SendError{Phase: PhaseConnect, Err: err}
	}

	sc, conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	// A cancelled context aborts a session in progress by closing the socket.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer func() {
		stop()
		_ = conn.Close()
	}()

	err = s.transaction(sc, from, rcpts, raw, true)
	if err != nil && ctx.Err() != nil {
		var se *SendError
		if errors.As(err, &se) && len(se.Delivered) == 0 {
			se.Err, se.Permanent = fmt.Errorf("%w (%v)", ctx.Err(), se.Err), false
		}
	}
	if err == nil {
		s.log.Debug("smtp: message submitted", "host", s.o.Host, "recipients", len(rcpts), "size", len(raw))
	}
	return err
}

func (s *SMTPSender) connectError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &SendError{Phase: PhaseConnect, Err: fmt.Errorf("%w (%v)", ctx.Err(), err)}
	}
	phase := PhaseConnect
	msg := err.Error()
	switch {
	case strings.Contains(msg, "SMTP AUTH") || errors.Is(err, gosmtp.ErrUnencrypted) || errors.Is(err, errNoAuthMech):
		phase = PhaseAuth
	case strings.Contains(msg, "STARTTLS") || strings.Contains(msg, "tls:") || isTLSError(err):
		phase = PhaseTLS
	}
	// Failures before MAIL FROM concern the relay or our configuration, not
	// this message: they are temporary so that mail waits for a fix.
	return &SendError{Phase: phase, Code: replyCode(err), Err: err}
}

func isTLSError(err error) bool {
	var re tls.RecordHeaderError
	var ae tls.AlertError
	var ce *tls.CertificateVerificationError
	return errors.As(err, &re) || errors.As(err, &ae) || errors.As(err, &ce)
}

// transaction submits one message on an open session and, with quit, ends
// the session after the message (SMTPSession keeps it open instead).
func (s *SMTPSender) transaction(sc *gosmtp.Client, from string, rcpts []string, raw []byte, quit bool) error {
	deadline := func(extra time.Duration) { _ = sc.UpdateDeadline(s.o.Timeout + extra) }
	deadline(0)
	if err := sc.Mail("<" + from + ">"); err != nil {
		return replyError(PhaseMail, "", err)
	}
	var accepted []string
	var refused []*SendError
	for _, r := range rcpts {
		deadline(0)
		err := sc.Rcpt("<" + r + ">")
		if err == nil {
			accepted = append(accepted, r)
			continue
		}
		se := replyError(PhaseRcpt, r, err)
		if !se.Permanent {
			// One temporary refusal: deliver to nobody now and retry all
			// later, so that no recipient ever gets two copies.
			_ = sc.Reset()
			return se
		}
		refused = append(refused, se)
	}
	if len(accepted) == 0 {
		_ = sc.Reset()
		return joinRefused(refused, nil)
	}
	deadline(0)
	w, err := sc.Data()
	if err != nil {
		return replyError(PhaseData, "", err)
	}
	// Allow 64 KiB/s for the body on top of the command timeout.
	deadline(time.Duration(len(raw)/(64<<10)) * time.Second)
	if _, err := w.Write(raw); err != nil {
		return replyError(PhaseData, "", err)
	}
	if err := w.Close(); err != nil {
		return replyError(PhaseData, "", err)
	}
	if quit {
		deadline(0)
		_ = sc.Quit()
	}
	if len(refused) > 0 {
		return joinRefused(refused, accepted)
	}
	return nil
}

func joinRefused(refused []*SendError, delivered []string) *SendError {
	se := &SendError{Phase: PhaseRcpt, Permanent: true, Delivered: delivered}
	errs := make([]error, 0, len(refused))
	for _, r := range refused {
		se.Recipients = append(se.Recipients, r.Recipients...)
		if se.Code == 0 {
			se.Code, se.EnhancedCode = r.Code, r.EnhancedCode
		}
		errs = append(errs, fmt.Errorf("<%s>: %w", strings.Join(r.Recipients, ">, <"), r.Err))
	}
	se.Err = errors.Join(errs...)
	if len(refused) == 1 {
		se.Err = refused[0].Err
	}
	return se
}

// checkEnvelope validates the envelope locally; its errors are permanent.
func checkEnvelope(from string, to []string, raw []byte) (string, []string, error) {
	bad := func(format string, args ...any) error {
		return &SendError{Phase: PhasePrepare, Permanent: true, Err: invalidf(format, args...)}
	}
	if from != "" {
		if _, err := checkEmail(from); err != nil {
			return "", nil, bad("envelope sender: %v", err)
		}
	}
	if len(to) == 0 {
		return "", nil, bad("no recipients")
	}
	var rcpts []string
	for _, r := range to {
		if _, err := checkEmail(r); err != nil {
			return "", nil, bad("recipient: %v", err)
		}
		if !slices.ContainsFunc(rcpts, func(x string) bool { return strings.EqualFold(x, r) }) {
			rcpts = append(rcpts, r)
		}
	}
	if len(raw) == 0 {
		return "", nil, bad("empty message")
	}
	return from, rcpts, nil
}

// redact removes the password from an error's text, in case a server or a
// library ever echoes it.
func (s *SMTPSender) redact(err error) error {
	if err == nil || s.cred == nil || s.cred.pass() == "" {
		return err
	}
	pass := s.cred.pass()
	var se *SendError
	if errors.As(err, &se) && se.Err != nil && strings.Contains(se.Err.Error(), pass) {
		se.Err = redactedError{msg: strings.ReplaceAll(se.Err.Error(), pass, "<redacted>"), err: se.Err}
	}
	return err
}

type credentials struct {
	user string
	pass func() string
}

// String, GoString and LogValue keep the password out of logs and dumps.
func (o SMTPOptions) String() string { return o.redacted() }

// GoString implements fmt.GoStringer.
func (o SMTPOptions) GoString() string { return o.redacted() }

// LogValue implements slog.LogValuer.
func (o SMTPOptions) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", o.Host), slog.Int("port", o.Port), slog.String("tls", o.TLS),
		slog.String("username", o.Username), slog.Bool("password_set", o.Password != ""),
		slog.String("helo", o.HeloName), slog.Duration("timeout", o.Timeout),
	)
}

func (o SMTPOptions) redacted() string {
	pw := ""
	if o.Password != "" {
		pw = "<redacted>"
	}
	return fmt.Sprintf("SMTPOptions{Host:%q Port:%d TLS:%q Username:%q Password:%q HeloName:%q Timeout:%s}",
		o.Host, o.Port, o.TLS, o.Username, pw, o.HeloName, o.Timeout)
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

var errNoAuthMech = errors.New("server offers neither AUTH PLAIN nor AUTH LOGIN")

// autoAuth picks PLAIN, else LOGIN, from what the server offers. Both refuse
// to run without TLS unless the server is localhost.
type autoAuth struct {
	user, pass, host string
	chosen           gosmtp.Auth
}

func (a *autoAuth) Start(si *gosmtp.ServerInfo) (string, []byte, error) {
	has := func(m string) bool {
		return slices.ContainsFunc(si.Auth, func(x string) bool { return strings.EqualFold(x, m) })
	}
	switch {
	case has("PLAIN"):
		a.chosen = gosmtp.PlainAuth("", a.user, a.pass, a.host, false)
	case has("LOGIN"):
		a.chosen = gosmtp.LoginAuth(a.user, a.pass, a.host, false)
	default:
		return "", nil, fmt.Errorf("%w (offered: %s)", errNoAuthMech, strings.Join(si.Auth, " "))
	}
	return a.chosen.Start(si)
}

func (a *autoAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.chosen.Next(fromServer, more)
}

// replyCode returns the SMTP reply code carried by err, or 0.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func replyError(phase, rcpt string, err error) *SendError {
	se := &SendError{Phase: phase, Err: err}
	if rcpt != "" {
		se.Recipients = []string{rcpt}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		se.Code = te.Code
		se.EnhancedCode = enhancedCode(te.Msg)
		se.Permanent = te.Code >= 500 && te.Code < 600
	} else if errors.Is(err, gosmtp.ErrUnencrypted) || strings.Contains(err.Error(), "must not contain CR or LF") {
		se.Permanent = true
	}
	return se
}

// enhancedCode returns the RFC 3463 code at the start of a reply text.
func enhancedCode(msg string) string {
	code, _, _ := strings.Cut(msg, " ")
	parts := strings.Split(code, ".")
	if len(parts) != 3 || (parts[0] != "2" && parts[0] != "4" && parts[0] != "5") {
		return ""
	}
	for _, p := range parts[1:] {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 999 || len(p) > 3 {
			return ""
		}
	}
	return code
}
