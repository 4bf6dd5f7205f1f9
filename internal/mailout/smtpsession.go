package mailout

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

// SMTPSession submits several messages over one connection to the relay:
// the first Send connects (EHLO, TLS, AUTH as SMTPSender.Send does), later
// ones say RSET and reuse it. Any error closes the connection, and the next
// Send connects again. A Send on a reused connection that fails before the
// relay could have accepted anything (RSET, MAIL FROM, or a temporary
// refusal of a recipient, after which the transaction was reset) is tried
// once more on a new connection: a relay that closed an idle connection, or
// that takes only so many messages per connection, costs no retry of the
// message. Errors are *SendError, as from SMTPSender.Send.
//
// A session is not safe for concurrent use; Close it when done (QUIT).
type SMTPSession struct {
	s    *SMTPSender
	sc   *gosmtp.Client
	conn net.Conn
	n    int    // messages submitted on this connection
	buf  []byte // the commands of a pipelined transaction
}

// Session returns a session with the relay; it connects on the first Send.
func (s *SMTPSender) Session() *SMTPSession { return &SMTPSession{s: s} }

// Send submits raw like SMTPSender.Send, on the session's connection.
func (ss *SMTPSession) Send(ctx context.Context, envelopeFrom string, to []string, raw []byte) (err error) {
	defer func() { err = ss.s.redact(err) }()
	from, rcpts, err := checkEnvelope(envelopeFrom, to, raw)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &SendError{Phase: PhaseConnect, Err: err}
	}
	if ss.sc != nil {
		err = ss.submit(ctx, from, rcpts, raw, true)
		if err == nil || !untouched(err) || ctx.Err() != nil {
			return err
		}
		ss.s.log.Debug("smtp: reused connection failed before the message; connecting again", "host", ss.s.o.Host, "err", err)
	}
	sc, conn, err := ss.s.connect(ctx)
	if err != nil {
		return err
	}
	ss.sc, ss.conn, ss.n = sc, conn, 0
	return ss.submit(ctx, from, rcpts, raw, false)
}

// errReset is a failed RSET on a reused connection.
var errReset = errors.New("RSET failed")

// submit runs one transaction on the open connection, after RSET when
// reset; any error drops the connection.
func (ss *SMTPSession) submit(ctx context.Context, from string, rcpts []string, raw []byte, reset bool) (err error) {
	conn := ss.conn
	// A cancelled context aborts the transaction by closing the socket.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer func() {
		if !stop() || err != nil {
			ss.drop()
		}
	}()
	switch pipelining, _ := ss.sc.Extension("PIPELINING"); {
	case reset && pipelining:
		err = ss.pipelined(from, rcpts, raw)
	case reset:
		_ = ss.sc.UpdateDeadline(ss.s.o.Timeout)
		if rerr := ss.sc.Reset(); rerr != nil {
			return &SendError{Phase: PhaseMail, Code: replyCode(rerr), Err: fmt.Errorf("%w: %w", errReset, rerr)}
		}
		fallthrough
	default:
		err = ss.s.transaction(ss.sc, from, rcpts, raw, false)
	}
	if err != nil && ctx.Err() != nil {
		var se *SendError
		if errors.As(err, &se) && len(se.Delivered) == 0 {
			se.Err, se.Permanent = fmt.Errorf("%w (%v)", ctx.Err(), se.Err), false
		}
	}
	if err == nil {
		ss.n++
		ss.s.log.Debug("smtp: message submitted", "host", ss.s.o.Host, "recipients", len(rcpts), "size", len(raw), "on_connection", ss.n)
	}
	return err
}

// pipelined is transaction on a used connection to a relay that offers
// PIPELINING (RFC 2920): RSET, MAIL FROM, every RCPT TO and DATA go out in
// one write and their replies are read in order, then the message — two
// round trips instead of five. When a recipient was refused for now, the
// message is not sent even if the relay answered DATA with 354: the
// connection is dropped (submit), which aborts the transaction, so a
// recipient refused for now still means nobody gets the message. Any error
// drops the connection (submit), which also ends the transaction.
//
// BDAT (RFC 3030, CHUNKING) is not used: sent with the envelope, it would
// save the second round trip, but Postfix then answers in two small
// segments and the second one waits for the delayed ACK of the first
// (Nagle): 45 ms a message instead of 2–6 on loopback, docs/loadtest.md.
func (ss *SMTPSession) pipelined(from string, rcpts []string, raw []byte) error {
	sc, t := ss.sc, ss.sc.Text
	b := append(ss.buf[:0], "RSET\r\nMAIL FROM:<"...)
	b = append(b, from...)
	b = append(b, '>')
	// The parameters gosmtp's Mail adds.
	if ok, _ := sc.Extension("8BITMIME"); ok {
		b = append(b, " BODY=8BITMIME"...)
	}
	if ok, _ := sc.Extension("SMTPUTF8"); ok {
		b = append(b, " SMTPUTF8"...)
	}
	b = append(b, "\r\n"...)
	for _, r := range rcpts {
		b = append(b, "RCPT TO:<"...)
		b = append(b, r...)
		b = append(b, ">\r\n"...)
	}
	b = append(b, "DATA\r\n"...)
	ss.buf = b
	_ = sc.UpdateDeadline(ss.s.o.Timeout)
	if _, err := t.W.Write(b); err != nil {
		return &SendError{Phase: PhaseMail, Err: fmt.Errorf("%w: %w", errReset, err)}
	}
	if err := t.W.Flush(); err != nil {
		return &SendError{Phase: PhaseMail, Err: fmt.Errorf("%w: %w", errReset, err)}
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return &SendError{Phase: PhaseMail, Code: replyCode(err), Err: fmt.Errorf("%w: %w", errReset, err)}
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return replyError(PhaseMail, "", err)
	}
	var accepted []string
	var refused []*SendError
	for _, r := range rcpts {
		_, _, err := t.ReadResponse(25)
		if err == nil {
			accepted = append(accepted, r)
			continue
		}
		se := replyError(PhaseRcpt, r, err)
		if !se.Permanent {
			// Deliver to nobody now, retry all later (as transaction):
			// the message is not sent, the connection is dropped.
			return se
		}
		refused = append(refused, se)
	}
	if len(accepted) == 0 {
		// The relay refuses DATA without a recipient; if it said 354
		// anyway, dropping the connection aborts the transaction.
		return joinRefused(refused, nil)
	}
	if _, _, err := t.ReadResponse(354); err != nil {
		return replyError(PhaseData, "", err)
	}
	_ = sc.UpdateDeadline(ss.s.o.Timeout + time.Duration(len(raw)/(64<<10))*time.Second)
	if err := writeDotted(t.W, raw); err != nil {
		return replyError(PhaseData, "", err)
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return replyError(PhaseData, "", err)
	}
	if len(refused) > 0 {
		return joinRefused(refused, accepted)
	}
	return nil
}

// writeDotted writes raw as the content of DATA and the final dot, as
// textproto's DotWriter does — every line ends in CRLF (a bare LF gets its
// CR, a last line without one gets its end), a line that starts with a dot gets
// another — but without going through the message byte by byte: composed
// mail (CRLF lines, no leading dot) goes out in one write as it is.
func writeDotted(w *bufio.Writer, raw []byte) error {
	crlf := []byte("\r\n")
	if raw[0] != '.' && !bytes.Contains(raw, []byte("\n.")) && bytes.HasSuffix(raw, crlf) &&
		bytes.Count(raw, []byte("\n")) == bytes.Count(raw, crlf) {
		if _, err := w.Write(raw); err != nil {
			return err
		}
	} else {
		for len(raw) > 0 {
			if raw[0] == '.' {
				_ = w.WriteByte('.')
			}
			i := bytes.IndexByte(raw, '\n')
			if i < 0 {
				_, _ = w.Write(raw)
				if raw[len(raw)-1] == '\r' {
					_ = w.WriteByte('\n')
				} else {
					_, _ = w.Write(crlf)
				}
				break
			}
			if i > 0 && raw[i-1] == '\r' {
				_, _ = w.Write(raw[:i+1])
			} else {
				_, _ = w.Write(raw[:i])
				_, _ = w.Write(crlf)
			}
			raw = raw[i+1:]
		}
	}
	if _, err := w.WriteString(".\r\n"); err != nil {
		return err
	}
	return w.Flush()
}

// untouched reports whether err happened before the relay could have
// accepted the message for anyone: RSET, MAIL FROM, or a temporary refusal
// of a recipient (the transaction was then reset).
func untouched(err error) bool {
	var se *SendError
	if !errors.As(err, &se) || len(se.Delivered) > 0 {
		return false
	}
	switch se.Phase {
	case PhaseMail:
		return true
	case PhaseRcpt:
		return !se.Permanent
	}
	return false
}

// drop closes the connection without QUIT.
func (ss *SMTPSession) drop() {
	if ss.conn != nil {
		_ = ss.conn.Close()
	}
	ss.sc, ss.conn, ss.n = nil, nil, 0
}

// Close ends the session with QUIT and closes the connection; the session
// may be used again (it connects anew).
func (ss *SMTPSession) Close() error {
	if ss.sc == nil {
		return nil
	}
	_ = ss.sc.UpdateDeadline(ss.s.o.Timeout)
	err := ss.sc.Quit()
	ss.drop()
	if err != nil {
		return fmt.Errorf("mailout: smtp quit: %w", err)
	}
	return nil
}
