package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
)

// ioTimeout bounds every single SMTP or IMAP exchange with the test servers.
const ioTimeout = 30 * time.Second

// SendMail submits raw through Postfix (SMTPAddr, no TLS, no auth) and fails the test when it
// is not accepted. Delivery into Dovecot follows within milliseconds; see WaitForMessages.
func (e *Env) SendMail(t testing.TB, from string, to []string, raw []byte) {
	t.Helper()
	if err := e.TrySendMail(t.Context(), from, to, raw); err != nil {
		t.Fatalf("testenv: send mail from %s to %v: %v%s", from, to, err, e.logHint())
	}
}

// TrySendMail is SendMail returning the error, for tests that expect a rejection; an SMTP
// refusal is a *smtp.SMTPError (github.com/emersion/go-smtp).
func (e *Env) TrySendMail(ctx context.Context, from string, to []string, raw []byte) error {
	d := net.Dialer{Timeout: ioTimeout}
	conn, err := d.DialContext(ctx, "tcp", e.SMTPAddr)
	if err != nil {
		return fmt.Errorf("dial %s: %w", e.SMTPAddr, err)
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	c.CommandTimeout = ioTimeout
	c.SubmissionTimeout = ioTimeout
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// DialIMAP connects to plain IMAP, logs in as mailbox (an address from NewMailbox) and returns
// the client; it is logged out when the test ends. opts may be nil.
func (e *Env) DialIMAP(t testing.TB, mailbox string, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	c, err := e.dialIMAP(mailbox, opts)
	if err != nil {
		t.Fatalf("testenv: %v%s", err, e.logHint())
	}
	t.Cleanup(func() { closeIMAP(c) })
	return c
}

func (e *Env) dialIMAP(mailbox string, opts *imapclient.Options) (*imapclient.Client, error) {
	var o imapclient.Options
	if opts != nil {
		o = *opts
	}
	if o.Dialer == nil {
		o.Dialer = &net.Dialer{Timeout: ioTimeout}
	}
	c, err := imapclient.DialInsecure(e.IMAPAddr, &o)
	if err != nil {
		return nil, fmt.Errorf("dial IMAP %s: %w", e.IMAPAddr, err)
	}
	if err := c.Login(mailbox, e.Password).Wait(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("IMAP login as %s: %w", mailbox, err)
	}
	return c, nil
}

func closeIMAP(c *imapclient.Client) {
	_ = c.Logout().Wait()
	_ = c.Close()
}

// Append stores raws in mailbox's INBOX with IMAP APPEND, bypassing Postfix: the fast way to
// load many messages. Dovecot returns them with CRLF line endings.
func (e *Env) Append(t testing.TB, mailbox string, raws ...[]byte) {
	t.Helper()
	c, err := e.dialIMAP(mailbox, nil)
	if err != nil {
		t.Fatalf("testenv: %v%s", err, e.logHint())
	}
	defer closeIMAP(c)
	for i, raw := range raws {
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		_, werr := cmd.Write(raw)
		cerr := cmd.Close()
		if _, err := cmd.Wait(); err != nil || werr != nil || cerr != nil {
			t.Fatalf("testenv: append message %d to %s: %v (write: %v, close: %v)", i, mailbox, err, werr, cerr)
		}
	}
}

// WaitForMessages polls mailbox's INBOX until it holds at least n messages or timeout passes
// (then the test fails), and returns every message in INBOX in order, raw (BODY.PEEK[], so
// nothing is marked seen).
func (e *Env) WaitForMessages(t testing.TB, mailbox string, n int, timeout time.Duration) [][]byte {
	t.Helper()
	c, err := e.dialIMAP(mailbox, nil)
	if err != nil {
		t.Fatalf("testenv: %v%s", err, e.logHint())
	}
	defer closeIMAP(c)

	deadline := time.Now().Add(timeout)
	for {
		st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			t.Fatalf("testenv: STATUS INBOX of %s: %v", mailbox, err)
		}
		have := int(*st.NumMessages)
		if have >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: %s has %d of %d messages after %v%s", mailbox, have, n, timeout, e.logHint())
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("testenv: waiting for mail to %s: %v", mailbox, t.Context().Err())
		case <-time.After(20 * time.Millisecond):
		}
	}

	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("testenv: EXAMINE INBOX of %s: %v", mailbox, err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("testenv: FETCH from %s: %v", mailbox, err)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].SeqNum < msgs[j].SeqNum })
	raws := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		raws = append(raws, m.FindBodySection(section))
	}
	return raws
}
