package mailintest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"html"
	"mime/quotedprintable"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/otvet/otvet/internal/mailin"
)

// Client returns a logged-in client for acct, closed at the end of the test.
// It uses only standard IMAP, so the helpers below work on any server.
func (a Account) Client(tb testing.TB) *imapclient.Client {
	tb.Helper()
	c, err := dialLogin(a)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func dialLogin(a Account) (*imapclient.Client, error) {
	var (
		c   *imapclient.Client
		err error
	)
	opts := &imapclient.Options{TLSConfig: a.TLSConfig}
	switch a.Security {
	case "", mailin.SecurityPlain:
		c, err = imapclient.DialInsecure(a.Addr, opts)
	case mailin.SecurityStartTLS:
		c, err = imapclient.DialStartTLS(a.Addr, opts)
	default:
		c, err = imapclient.DialTLS(a.Addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", a.Addr, err)
	}
	if err := c.Login(a.Username, a.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", a.Username, err)
	}
	return c, nil
}

// Append stores raw messages in folder and returns their UIDs (the server
// must support UIDPLUS).
func Append(tb testing.TB, c *imapclient.Client, folder string, raws ...[]byte) []uint32 {
	tb.Helper()
	uids := make([]uint32, 0, len(raws))
	for _, raw := range raws {
		cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: time.Now()})
		if _, err := cmd.Write(raw); err != nil {
			tb.Fatalf("append to %q: %v", folder, err)
		}
		if err := cmd.Close(); err != nil {
			tb.Fatalf("append to %q: %v", folder, err)
		}
		data, err := cmd.Wait()
		if err != nil {
			tb.Fatalf("append to %q: %v", folder, err)
		}
		if data.UID == 0 {
			tb.Fatalf("append to %q: server returned no UID (no UIDPLUS?)", folder)
		}
		uids = append(uids, uint32(data.UID))
	}
	return uids
}

// Msg is a message's UID and flags as the server reports them.
type Msg struct {
	UID   uint32
	Flags []imap.Flag
}

// Seen reports whether the message has the \Seen flag.
func (m Msg) Seen() bool { return slices.Contains(m.Flags, imap.FlagSeen) }

// Messages lists the messages of folder (read-only, so nothing changes),
// ascending by UID.
func Messages(tb testing.TB, c *imapclient.Client, folder string) []Msg {
	tb.Helper()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		tb.Fatalf("examine %q: %v", folder, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		tb.Fatalf("fetch flags of %q: %v", folder, err)
	}
	out := make([]Msg, 0, len(bufs))
	for _, b := range bufs {
		out = append(out, Msg{UID: uint32(b.UID), Flags: b.Flags})
	}
	slices.SortFunc(out, func(a, b Msg) int { return cmp.Compare(a.UID, b.UID) })
	return out
}

// UIDValidity returns the folder's current UIDVALIDITY.
func UIDValidity(tb testing.TB, c *imapclient.Client, folder string) uint32 {
	tb.Helper()
	data, err := c.Status(folder, &imap.StatusOptions{UIDValidity: true}).Wait()
	if err != nil {
		tb.Fatalf("status %q: %v", folder, err)
	}
	return data.UIDValidity
}

// CreateFolder creates folder (an existing one is an error).
func CreateFolder(tb testing.TB, c *imapclient.Client, folder string) {
	tb.Helper()
	if err := c.Create(folder, nil).Wait(); err != nil {
		tb.Fatalf("create %q: %v", folder, err)
	}
}

// DeleteFolder deletes folder, ignoring "does not exist".
func DeleteFolder(tb testing.TB, c *imapclient.Client, folder string) {
	tb.Helper()
	// A selected folder cannot always be deleted: unselect first.
	if c.State() == imap.ConnStateSelected {
		_ = c.Unselect().Wait()
	}
	err := c.Delete(folder).Wait()
	if err != nil && !strings.Contains(strings.ToLower(err.Error()), "exist") {
		tb.Fatalf("delete %q: %v", folder, err)
	}
}

// Recreate deletes and creates folder, which gives it a new UIDVALIDITY
// and no messages. It fails the test if the UIDVALIDITY did not change.
func Recreate(tb testing.TB, c *imapclient.Client, folder string) {
	tb.Helper()
	before := UIDValidity(tb, c, folder)
	DeleteFolder(tb, c, folder)
	CreateFolder(tb, c, folder)
	if after := UIDValidity(tb, c, folder); after == before {
		tb.Fatalf("recreating %q kept UIDVALIDITY %d", folder, before)
	}
}

// NewMessage returns a small RFC 5322 message whose Message-ID and body
// depend on i, padded with body lines to at least size bytes.
func NewMessage(i, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: User %d <user%d@example.test>\r\n", i, i)
	b.WriteString("To: support@example.test\r\n")
	fmt.Fprintf(&b, "Subject: Test message %d\r\n", i)
	b.WriteString("Date: Mon, 02 Feb 2026 10:00:00 +0300\r\n")
	fmt.Fprintf(&b, "Message-ID: <test-%d@example.test>\r\n", i)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	fmt.Fprintf(&b, "Body of message %d.\r\n", i)
	for b.Len() < size {
		b.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do.\r\n")
	}
	return []byte(b.String())
}

// NewMultipart returns a multipart/mixed message holding a
// multipart/alternative text (plain and HTML) and an attachment of about
// attachment bytes (base64) named filename.
func NewMultipart(i int, text string, attachment int, filename string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: User %d <user%d@example.test>\r\n", i, i)
	b.WriteString("To: support@example.test\r\n")
	fmt.Fprintf(&b, "Subject: Test message %d\r\n", i)
	b.WriteString("Date: Mon, 02 Feb 2026 10:00:00 +0300\r\n")
	fmt.Fprintf(&b, "Message-ID: <test-%d@example.test>\r\n", i)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n")
	b.WriteString("--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n")
	b.WriteString("--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(wrap76(base64.StdEncoding.EncodeToString([]byte(text))))
	b.WriteString("--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	var qp strings.Builder
	w := quotedprintable.NewWriter(&qp)
	fmt.Fprintf(w, "<p>%s</p>", html.EscapeString(text))
	w.Close()
	b.WriteString(qp.String() + "\r\n--alt--\r\n")
	fmt.Fprintf(&b, "--outer\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename*=utf-8''%s\r\n\r\n",
		url.PathEscape(filename))
	data := bytes.Repeat([]byte{0x25, 0x50, 0x44, 0x46, 7, 8, 9}, attachment/7+1)[:attachment]
	b.WriteString(wrap76(base64.StdEncoding.EncodeToString(data)))
	b.WriteString("--outer--\r\n")
	return []byte(b.String())
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s + "\r\n"
}

// HeaderOf returns the header block of raw including the blank line.
func HeaderOf(raw []byte) []byte {
	s := string(raw)
	if i := strings.Index(s, "\r\n\r\n"); i >= 0 {
		return raw[:i+4]
	}
	return raw
}
