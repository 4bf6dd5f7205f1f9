package mailout

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Address is a mailbox: an optional display name and a bare addr-spec.
type Address struct{ Name, Email string }

// Attachment is a file carried by a Mail. With ContentID set it is inline
// (referenced from the HTML body as "cid:<ContentID>").
type Attachment struct {
	Filename, ContentType string
	Data                  []byte
	ContentID             string
}

// Mail is an outgoing message before composition. Free-text header values
// (names, subject, extra header values) are sanitized; addresses and ids are
// validated and rejected when malformed.
type Mail struct {
	From          Address
	To, Cc        []Address
	ReplyTo       *Address
	Subject       string
	Text, HTML    string    // HTML optional: multipart/alternative when set
	MessageID     string    // without brackets; required
	InReplyTo     string    // without brackets; dropped when malformed
	References    []string  // without brackets; malformed entries dropped
	Date          time.Time // required; written exactly as given (RFC 1123Z, its zone)
	AutoSubmitted string    // "auto-replied", "auto-generated", ...; "" = absent
	// Headers are extra headers, e.g. "X-Otvet-Ticket". Names must be
	// letters, digits and hyphens and must not name a header Mail sets itself.
	Headers     map[string]string
	Attachments []Attachment
}

// maxReferences bounds the References header: the first id and the most
// recent ones are kept, as RFC 5322 3.6.4 suggests for long threads.
const maxReferences = 20

// Compose renders m as an RFC 5322 message in UTF-8 with CRLF line endings.
// Its output is deterministic except for MIME boundaries.
func Compose(m Mail) ([]byte, error) {
	return composer{boundary: randomBoundary}.compose(m)
}

func randomBoundary() string { return "otvet-" + strings.ToLower(rand.Text()) }

type composer struct {
	boundary func() string
}

func (c composer) compose(m Mail) ([]byte, error) {
	var h strings.Builder
	if err := writeTopHeaders(&h, m); err != nil {
		return nil, err
	}
	body, err := c.composeBody(m)
	if err != nil {
		return nil, err
	}
	return append([]byte(h.String()), body...), nil
}

func writeTopHeaders(h *strings.Builder, m Mail) error {
	if m.Date.IsZero() {
		return invalidf("Date is required")
	}
	if !validMsgID(m.MessageID) {
		return invalidf("invalid Message-ID %q", m.MessageID)
	}
	if len(m.To)+len(m.Cc) == 0 {
		return invalidf("no recipients")
	}
	writeHeader(h, "Date", []string{m.Date.Format(time.RFC1123Z)})
	from, err := addressWords(m.From)
	if err != nil {
		return fmt.Errorf("mailout: compose: From: %w", err)
	}
	writeHeader(h, "From", from)
	if m.ReplyTo != nil {
		w, err := addressWords(*m.ReplyTo)
		if err != nil {
			return fmt.Errorf("mailout: compose: Reply-To: %w", err)
		}
		writeHeader(h, "Reply-To", w)
	}
	for _, f := range []struct {
		name string
		list []Address
	}{{"To", m.To}, {"Cc", m.Cc}} {
		if len(f.list) == 0 {
			continue
		}
		w, err := addressListWords(f.list)
		if err != nil {
			return fmt.Errorf("mailout: compose: %s: %w", f.name, err)
		}
		writeHeader(h, f.name, w)
	}
	writeHeader(h, "Message-ID", []string{"<" + m.MessageID + ">"})
	if validMsgID(m.InReplyTo) {
		writeHeader(h, "In-Reply-To", []string{"<" + m.InReplyTo + ">"})
	}
	if refs := referenceWords(m.References); len(refs) > 0 {
		writeHeader(h, "References", refs)
	}
	writeHeader(h, "Subject", textWords(m.Subject))
	if m.AutoSubmitted != "" {
		v := sanitize(m.AutoSubmitted)
		if needsEncoding(v) || strings.ContainsAny(v, "\"\\") {
			return invalidf("invalid Auto-Submitted %q", m.AutoSubmitted)
		}
		writeHeader(h, "Auto-Submitted", strings.Split(v, " "))
		if _, ok := m.Headers["X-Auto-Response-Suppress"]; !ok {
			// Keeps Exchange from answering our automatic mail with its own.
			writeHeader(h, "X-Auto-Response-Suppress", []string{"All"})
		}
	}
	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if !headerNameRE.MatchString(name) || isReservedHeader(canon) {
			return invalidf("header name %q not allowed", name)
		}
		if words := textWords(m.Headers[name]); len(words) > 0 {
			writeHeader(h, name, words)
		}
	}
	return nil
}

func referenceWords(refs []string) []string {
	var ids []string
	for _, r := range refs {
		if validMsgID(r) && !slices.Contains(ids, "<"+r+">") {
			ids = append(ids, "<"+r+">")
		}
	}
	if len(ids) > maxReferences {
		ids = append(ids[:1], ids[len(ids)-maxReferences+1:]...)
	}
	return ids
}

// part is a MIME entity to be written: its headers and a body writer.
type part struct {
	header textproto.MIMEHeader
	write  func(w io.Writer) error
	// children, when set, make this a multipart entity of the given subtype.
	subtype  string
	children []part
}

// writeBody writes the body tree of m and returns the top-level content
// headers in order.
func (c composer) writeBody(w *bytes.Buffer, m Mail) ([][2]string, error) {
	root := textPart("plain", m.Text)
	if m.HTML != "" {
		root = part{subtype: "alternative", children: []part{root, textPart("html", m.HTML)}}
	}
	var inline, attached []part
	for _, a := range m.Attachments {
		p, err := attachmentPart(a)
		if err != nil {
			return nil, err
		}
		if a.ContentID != "" {
			inline = append(inline, p)
		} else {
			attached = append(attached, p)
		}
	}
	if len(inline) > 0 {
		root = part{subtype: "related", children: append([]part{root}, inline...)}
	}
	if len(attached) > 0 {
		root = part{subtype: "mixed", children: append([]part{root}, attached...)}
	}

	if root.children == nil {
		if err := root.write(w); err != nil {
			return nil, err
		}
		return [][2]string{
			{"Content-Type", root.header.Get("Content-Type")},
			{"Content-Transfer-Encoding", root.header.Get("Content-Transfer-Encoding")},
		}, nil
	}
	boundary := c.boundary()
	if err := c.writeMultipart(w, root, boundary); err != nil {
		return nil, err
	}
	return [][2]string{{"Content-Type", multipartType(root.subtype, boundary)}}, nil
}

// crlf is s with each LF as CRLF (s has no CR), in one allocation.
func crlf(s string) []byte {
	b := make([]byte, 0, len(s)+strings.Count(s, "\n"))
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(b, s...)
		}
		b = append(append(b, s[:i]...), '\r', '\n')
		s = s[i+1:]
	}
}

// bodySize is about what writeBody writes for m: its text, HTML and files in
// base64 (a third more, and CRLF every 76 characters), and room for the
// parts' headers. A buffer made that large once spares the copies of
// growing it as it fills (a notification with its request's files is the
// largest thing intake composes).
func bodySize(m Mail) int {
	n := len(m.Text) + len(m.HTML)
	for _, a := range m.Attachments {
		n += len(a.Data)
	}
	return n*4/3 + n/38 + 512*(2+len(m.Attachments))
}

func multipartType(subtype, boundary string) string {
	return mime.FormatMediaType("multipart/"+subtype, map[string]string{"boundary": boundary})
}

func (c composer) writeMultipart(w io.Writer, p part, boundary string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return invalidf("%w", err)
	}
	for _, child := range p.children {
		if child.children != nil {
			b := c.boundary()
			pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {multipartType(child.subtype, b)}})
			if err != nil {
				return err
			}
			if err := c.writeMultipart(pw, child, b); err != nil {
				return err
			}
			continue
		}
		pw, err := mw.CreatePart(child.header)
		if err != nil {
			return err
		}
		if err := child.write(pw); err != nil {
			return err
		}
	}
	return mw.Close()
}

// textPart is a UTF-8 text body, quoted-printable when mostly ASCII and
// base64 otherwise (Cyrillic in quoted-printable triples in size).
func textPart(subtype, s string) part {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	nonASCII := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			nonASCII++
		}
	}
	useB64 := nonASCII*3 > len(s)
	cte := "quoted-printable"
	if useB64 {
		cte = "base64"
	}
	return part{
		header: textproto.MIMEHeader{
			"Content-Type":              {"text/" + subtype + "; charset=utf-8"},
			"Content-Transfer-Encoding": {cte},
		},
		write: func(w io.Writer) error {
			if useB64 {
				return writeBase64(w, crlf(s))
			}
			qw := quotedprintable.NewWriter(w)
			if _, err := io.WriteString(qw, s); err != nil {
				return err
			}
			return qw.Close()
		},
	}
}

func attachmentPart(a Attachment) (part, error) {
	name := attachmentName(a.Filename)
	ctype := "application/octet-stream"
	if mt, params, err := mime.ParseMediaType(a.ContentType); err == nil && strings.Contains(mt, "/") && !strings.HasPrefix(mt, "multipart/") {
		delete(params, "name")
		params["name"] = name
		if f := mime.FormatMediaType(mt, params); f != "" {
			ctype = f
		}
	} else {
		ctype = mime.FormatMediaType(ctype, map[string]string{"name": name})
	}
	disp := "attachment"
	h := textproto.MIMEHeader{
		"Content-Type":              {ctype},
		"Content-Transfer-Encoding": {"base64"},
	}
	if a.ContentID != "" {
		if !validMsgID(a.ContentID) && !headerNameRE.MatchString(a.ContentID) {
			return part{}, invalidf("invalid Content-ID %q", a.ContentID)
		}
		disp = "inline"
		h.Set("Content-ID", "<"+a.ContentID+">")
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": name}))
	data := a.Data
	return part{header: h, write: func(w io.Writer) error { return writeBase64(w, data) }}, nil
}

// attachmentName keeps the last path element, drops controls and bounds the
// length so that the RFC 2231-encoded parameter stays well within a line.
func attachmentName(s string) string {
	s = sanitize(strings.ReplaceAll(s, `\`, "/"))
	s = path.Base(s)
	if s == "." || s == "/" || s == "" {
		return "attachment"
	}
	if utf8.RuneCountInString(s) > 100 {
		r := []rune(s)
		ext := path.Ext(s)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		s = string(r[:100-len([]rune(ext))]) + ext
	}
	return s
}

// writeBase64 writes data base64-encoded in 76-character CRLF lines.
func writeBase64(w io.Writer, data []byte) error {
	const lineBytes = 57 // 57 bytes -> 76 chars
	line := make([]byte, 0, 78)
	for len(data) > 0 {
		n := min(lineBytes, len(data))
		line = base64.StdEncoding.AppendEncode(line[:0], data[:n])
		line = append(line, '\r', '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// NewMessageID returns a new random Message-ID, without brackets, in domain.
func NewMessageID(domain string) string {
	domain = strings.Trim(sanitize(domain), "<>@ ")
	if domain == "" || !validMsgID("x@"+domain) {
		domain = "otvet.invalid"
	}
	return strings.ToLower(rand.Text()) + "@" + domain
}

// Recipients returns the envelope recipients of m: the To and Cc addresses,
// without duplicates (compared case-insensitively).
func (m Mail) Recipients() []string {
	var out []string
	for _, a := range append(append([]Address(nil), m.To...), m.Cc...) {
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, a.Email) }) {
			out = append(out, a.Email)
		}
	}
	return out
}
