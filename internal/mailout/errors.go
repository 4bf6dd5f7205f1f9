package mailout

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
)

// ErrInvalidMessage marks errors that no retry can fix: a message or
// envelope that cannot be composed or sent as given. IsPermanent reports
// true for it.
var ErrInvalidMessage = errors.New("mailout: invalid message")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidMessage}, args...)...)
}

// Phases of an SMTP submission, in order.
const (
	PhasePrepare = "prepare" // local checks of the envelope and message
	PhaseConnect = "connect" // dial, greeting, EHLO
	PhaseTLS     = "tls"     // STARTTLS or the implicit TLS handshake
	PhaseAuth    = "auth"    // SMTP AUTH
	PhaseMail    = "mail"    // MAIL FROM
	PhaseRcpt    = "rcpt"    // RCPT TO
	PhaseData    = "data"    // DATA, the message and the final reply
)

// SendError is the error of SMTPSender.Send.
type SendError struct {
	Phase        string
	Code         int      // SMTP reply code; 0 when the error is not a reply
	EnhancedCode string   // RFC 3463 code from the reply, e.g. "5.1.1"
	Recipients   []string // refused recipients (PhaseRcpt)
	// Delivered lists recipients that accepted the message although others
	// were refused: the message is out and must not be sent again.
	Delivered []string
	Permanent bool
	Err       error
}

func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("mailout: smtp ")
	b.WriteString(e.Phase)
	if len(e.Recipients) > 0 {
		b.WriteString(" <" + strings.Join(e.Recipients, ">, <") + ">")
	}
	if len(e.Delivered) > 0 {
		b.WriteString(" (delivered to <" + strings.Join(e.Delivered, ">, <") + ">)")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *SendError) Unwrap() error { return e.Err }

// Temporary is the opposite of Permanent, for code that asks the
// net.Error-style question.
func (e *SendError) Temporary() bool { return !e.Permanent }

// IsPermanent reports whether retrying err cannot succeed: 5xx replies to
// MAIL, RCPT or DATA, and invalid messages or envelopes (ErrInvalidMessage).
// Network errors, timeouts, 4xx replies, TLS and AUTH failures (the relay or
// our configuration is at fault, not the message) and context errors are
// temporary.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var se *SendError
	if errors.As(err, &se) {
		return se.Permanent
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500 && te.Code < 600
	}
	return false
}
