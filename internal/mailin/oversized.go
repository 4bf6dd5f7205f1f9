package mailin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Bounds of the fetch of an oversized message (larger than
// Options.MaxMessageBytes): its header, its BODYSTRUCTURE and at most
// oversizedTextParts text parts of at most oversizedTextBytes each.
const (
	oversizedTextParts = 8
	oversizedTextBytes = 1 << 20
	oversizedListed    = 50 // parts not taken listed one by one; the rest counted
)

// OmittedHeader is the header field of an assembled oversized message that
// lists, one field per entry, what was not fetched (ParseOmitted reads it).
// A sender's own fields of that name are removed before assembly.
const OmittedHeader = "X-Otvet-Omitted"

// Kinds of Omitted entries.
const (
	OmittedFile    = "file"     // a part that was not fetched
	OmittedTextCut = "text-cut" // a text part fetched only up to Kept bytes
	OmittedMore    = "more"     // Count further parts, not listed
)

// Omitted is one entry of what an oversized message lost on the way in.
type Omitted struct {
	Kind     string // OmittedFile, OmittedTextCut, OmittedMore
	Section  string // IMAP part number, "1.2"
	Type     string // media type, "application/zip"
	Filename string // "" when the part has none
	Size     int64  // decoded size, estimated from the encoded one
	Kept     int64  // OmittedTextCut: bytes of the encoded text kept
	Count    int    // OmittedMore: how many
}

// ParseOmitted reads the OmittedHeader values of an assembled message;
// malformed entries are skipped.
func ParseOmitted(values []string) []Omitted {
	var out []Omitted
	for _, v := range values {
		kind, p, err := mime.ParseMediaType(v)
		if err != nil {
			continue
		}
		o := Omitted{Kind: kind, Section: p["section"], Type: p["type"], Filename: p["filename"]}
		o.Size, _ = strconv.ParseInt(p["size"], 10, 64)
		o.Kept, _ = strconv.ParseInt(p["kept"], 10, 64)
		o.Count, _ = strconv.Atoi(p["count"])
		switch kind {
		case OmittedFile, OmittedTextCut, OmittedMore:
			out = append(out, o)
		}
	}
	return out
}

func (o Omitted) field() string {
	p := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("section", o.Section)
	set("type", o.Type)
	set("filename", clean(o.Filename, 200))
	if o.Size > 0 {
		set("size", strconv.FormatInt(o.Size, 10))
	}
	if o.Kept > 0 {
		set("kept", strconv.FormatInt(o.Kept, 10))
	}
	if o.Count > 0 {
		set("count", strconv.Itoa(o.Count))
	}
	return mime.FormatMediaType(o.Kind, p)
}

// clean drops control characters and caps s at n bytes (on a rune boundary).
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	for len(s) > n {
		_, size := lastRune(s)
		s = s[:len(s)-size]
	}
	return s
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0x80 || s[i] >= 0xC0 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// textPart is a part of an oversized message chosen to be fetched.
type textPart struct {
	path []int
	part *imap.BodyStructureSinglePart
}

// plan splits a message's structure into the text parts to fetch (at most
// oversizedTextParts inline text/plain and text/html) and the rest.
func plan(bs imap.BodyStructure) (take []textPart, omitted []Omitted) {
	more := 0
	bs.Walk(func(path []int, p imap.BodyStructure) bool {
		sp, ok := p.(*imap.BodyStructureSinglePart)
		if !ok {
			return true
		}
		mt := sp.MediaType()
		name := filename(sp)
		attachment := name != "" || (sp.Disposition() != nil && strings.EqualFold(sp.Disposition().Value, "attachment"))
		if (mt == "text/plain" || mt == "text/html") && !attachment && len(take) < oversizedTextParts {
			take = append(take, textPart{path: slices.Clone(path), part: sp})
			return true
		}
		if len(omitted) >= oversizedListed {
			more++
			return true
		}
		omitted = append(omitted, Omitted{Kind: OmittedFile, Section: section(path), Type: mt,
			Filename: name, Size: decodedSize(sp)})
		return true
	})
	if more > 0 {
		omitted = append(omitted, Omitted{Kind: OmittedMore, Count: more})
	}
	return take, omitted
}

// filename is a part's file name from its disposition's or its type's
// parameters. Servers pass RFC 2231 parameters (filename* with a charset
// prefix, continuations filename*0*, …) through undecoded; they are
// decoded here.
func filename(sp *imap.BodyStructureSinglePart) string {
	var disp map[string]string
	if d := sp.Disposition(); d != nil {
		disp = d.Params
	}
	for _, try := range []struct {
		params map[string]string
		key    string
	}{{disp, "filename"}, {sp.Params, "name"}} {
		if v := try.params[try.key]; v != "" {
			return v
		}
		if v := rfc2231(try.params, try.key); v != "" {
			return v
		}
	}
	return ""
}

// rfc2231 decodes the extended forms of parameter key by handing them to
// mime.ParseMediaType; a charset it does not know leaves the value as sent.
func rfc2231(params map[string]string, key string) string {
	var b strings.Builder
	b.WriteString("x")
	found := ""
	for k, v := range params {
		if !strings.HasPrefix(k, key+"*") {
			continue
		}
		found = v
		if strings.HasSuffix(k, "*") {
			b.WriteString("; " + k + "=" + v)
		} else {
			b.WriteString("; " + k + "=" + strconv.Quote(v))
		}
	}
	if found == "" {
		return ""
	}
	if _, p, err := mime.ParseMediaType(b.String()); err == nil && p[key] != "" {
		return p[key]
	}
	if _, v, ok := strings.Cut(found, "''"); ok {
		if u, err := url.PathUnescape(v); err == nil {
			return u
		}
	}
	return found
}

func section(path []int) string {
	s := make([]string, len(path))
	for i, n := range path {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ".")
}

// decodedSize estimates a part's size once its transfer encoding is undone:
// base64 carries 57 bytes in a line of 78.
func decodedSize(p *imap.BodyStructureSinglePart) int64 {
	n := int64(p.Size)
	if strings.EqualFold(p.Encoding, "base64") {
		return n * 57 / 78
	}
	return n
}

// fetchOversized fetches what matters of one message over the size limit:
// its header and BODYSTRUCTURE, then its text parts (capped), and assembles
// them into one multipart/mixed message whose header lists what was left
// out (OmittedHeader). ok is false when the server returned nothing (the
// message was expunged meanwhile).
func (s *session) fetchOversized(ctx context.Context, uid uint32) (Fetched, bool, error) {
	f := Fetched{UID: uid, Truncated: true}
	set := imap.UIDSetNum(imap.UID(uid))
	cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader, Peek: true}}})
	var (
		header []byte
		bs     imap.BodyStructure
		found  bool
	)
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var (
			h   []byte
			b   imap.BodyStructure
			got uint32
		)
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				got = uint32(item.UID)
			case imapclient.FetchItemDataBodyStructure:
				b = item.BodyStructure
			case imapclient.FetchItemDataBodySection:
				if item.Literal != nil {
					raw, err := readLiteral(item.Literal, s.p.opts.MaxMessageBytes)
					if err != nil {
						cmd.Close()
						return f, false, fmt.Errorf("read header of UID %d: %w", uid, err)
					}
					h = raw
				}
			}
		}
		if got == uid {
			header, bs, found = h, b, true
		}
	}
	if err := cmd.Close(); err != nil {
		return f, false, fmt.Errorf("fetch structure of UID %d: %w", uid, err)
	}
	if !found {
		return f, false, nil
	}
	if ctx.Err() != nil {
		return f, false, ctx.Err()
	}
	var (
		take    []textPart
		omitted []Omitted
	)
	if bs != nil {
		take, omitted = plan(bs)
	} else {
		s.log.Warn("server returned no BODYSTRUCTURE for an oversized message", "uid", uid)
	}
	bodies, cut, err := s.fetchParts(uid, take)
	if err != nil {
		return f, false, err
	}
	for i, tp := range take {
		if b := bodies[i]; cut[i] {
			omitted = append(omitted, Omitted{Kind: OmittedTextCut, Section: section(tp.path), Type: tp.part.MediaType(),
				Size: decodedSize(tp.part), Kept: int64(len(b))})
		}
	}
	f.Raw = assemble(header, take, bodies, omitted)
	return f, true, nil
}

// fetchParts fetches the text parts of one message, each up to
// oversizedTextBytes, cut back to a whole line when cut (cut[i]).
func (s *session) fetchParts(uid uint32, take []textPart) (out [][]byte, cut []bool, err error) {
	out, cut = make([][]byte, len(take)), make([]bool, len(take))
	if len(take) == 0 {
		return out, cut, nil
	}
	sections := make([]*imap.FetchItemBodySection, len(take))
	for i, tp := range take {
		sections[i] = &imap.FetchItemBodySection{Part: tp.path, Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: oversizedTextBytes}}
	}
	cmd := s.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, BodySection: sections})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var got uint32
		bodies, cuts := make([][]byte, len(take)), make([]bool, len(take))
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				got = uint32(item.UID)
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil || item.Section == nil {
					continue
				}
				raw, err := readLiteral(item.Literal, oversizedTextBytes)
				if err != nil {
					cmd.Close()
					return nil, nil, fmt.Errorf("read part of UID %d: %w", uid, err)
				}
				for i, tp := range take {
					if slices.Equal(item.Section.Part, tp.path) && item.Section.Specifier == imap.PartSpecifierNone {
						bodies[i] = wholeLines(raw[:min(len(raw), oversizedTextBytes)])
						cuts[i] = len(raw) >= oversizedTextBytes && int64(tp.part.Size) > oversizedTextBytes
					}
				}
			}
		}
		if got == uid {
			out, cut = bodies, cuts
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, nil, fmt.Errorf("fetch text parts of UID %d: %w", uid, err)
	}
	return out, cut, nil
}

// wholeLines cuts a body fetched up to the cap back to its last line end,
// so that a base64 or quoted-printable text decodes to its end.
func wholeLines(b []byte) []byte {
	if len(b) < oversizedTextBytes {
		return b
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[:i+1]
	}
	return b
}

// assemble builds the message the helpdesk sees: the original header
// without its MIME fields, a multipart/mixed body of the text parts (their
// MIME headers rebuilt from BODYSTRUCTURE), and one OmittedHeader field
// per entry of omitted.
func assemble(header []byte, take []textPart, bodies [][]byte, omitted []Omitted) []byte {
	sum := sha256.New()
	for _, b := range bodies {
		sum.Write(b)
	}
	boundary := "otvet-oversized-" + hex.EncodeToString(sum.Sum(nil)[:12])
	var b bytes.Buffer
	b.Grow(len(header) + 1024)
	writeHeaderWithout(&b, header, "mime-version", "content-type", "content-transfer-encoding", strings.ToLower(OmittedHeader))
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n")
	for _, o := range omitted {
		b.WriteString(OmittedHeader + ": " + o.field() + "\r\n")
	}
	b.WriteString("\r\n")
	for i, tp := range take {
		if bodies[i] == nil {
			continue
		}
		b.WriteString("--" + boundary + "\r\n")
		params := map[string]string{}
		for k, v := range tp.part.Params {
			if k = strings.ToLower(k); k == "charset" || k == "format" || k == "delsp" {
				params[k] = clean(v, 64)
			}
		}
		b.WriteString("Content-Type: " + mime.FormatMediaType(tp.part.MediaType(), params) + "\r\n")
		if enc := clean(tp.part.Encoding, 32); enc != "" && !strings.ContainsAny(enc, " ;") {
			b.WriteString("Content-Transfer-Encoding: " + enc + "\r\n")
		}
		b.WriteString("\r\n")
		b.Write(bodies[i])
		if !bytes.HasSuffix(bodies[i], []byte("\n")) {
			b.WriteString("\r\n")
		}
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

// writeHeaderWithout copies a header section (without its final blank
// line) leaving out the named fields (lower case), folded lines included.
func writeHeaderWithout(b *bytes.Buffer, header []byte, drop ...string) {
	skipping := false
	for line := range bytes.Lines(header) {
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !skipping {
				b.Write(line)
			}
			continue
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		skipping = slices.Contains(drop, strings.ToLower(strings.TrimSpace(string(name))))
		if !skipping {
			b.Write(line)
			if !bytes.HasSuffix(line, []byte("\n")) {
				b.WriteString("\r\n")
			}
		}
	}
}
