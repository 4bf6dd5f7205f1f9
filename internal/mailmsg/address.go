package mailmsg

import (
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// parseAddressList parses an address header. net/mail is tried first (with
// our word decoder); when it fails, a lenient scan salvages what looks like
// addresses. ok is false when salvage was needed.
func (d *decoder) parseAddressList(raw string) (list []Address, ok bool) {
	v := raw
	if !isASCIIString(v) {
		v = d.words8bit(v)
	}
	ap := mail.AddressParser{WordDecoder: d.wordDecoder()}
	if as, err := ap.ParseList(v); err == nil {
		for _, a := range as {
			if addr, good := normalizeAddr(a.Address); good {
				list = append(list, Address{Name: d.name(a.Name), Email: addr})
			}
		}
		return list, true
	}
	for _, piece := range splitAddressList(v) {
		if a, good := salvageAddress(piece, d.p); good {
			list = append(list, a)
		}
	}
	return list, false
}

// name finishes a display name from net/mail: encoded words inside quotes
// (which Outlook writes and net/mail leaves alone) are decoded too.
func (d *decoder) name(s string) string {
	if strings.Contains(s, "=?") {
		s = decodeWords(s, d.p)
	}
	return singleLine(s)
}

// words8bit converts raw 8-bit bytes only (no RFC 2047), so that an encoded
// name is decoded after the address syntax is parsed.
func (d *decoder) words8bit(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	cs := d.hint
	if cs == "" {
		cs = detect([]byte(v))
	}
	s, _ := toUTF8([]byte(v), cs, "header", d.p)
	return s
}

// wordDecoder is the RFC 2047 decoder given to net/mail: its charset reader
// never fails, falling back to detection like every other decoding here.
func (d *decoder) wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(io.LimitReader(r, 1<<16))
		if err != nil {
			return nil, err
		}
		s, _ := toUTF8(b, cs, "header encoded word", d.p)
		return strings.NewReader(s), nil
	}}
}

// normalizeAddr validates local@domain loosely and lower-cases the domain.
func normalizeAddr(s string) (string, bool) {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", false
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if domain == "" || strings.ContainsAny(domain, " \t\r\n<>()[],;:\"@\\") {
		if !(strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]")) {
			return "", false
		}
	}
	if strings.ContainsAny(local, "\r\n\x00") || strings.HasPrefix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	return local + "@" + strings.ToLower(domain), true
}

// splitAddressList splits at commas outside quotes, angle brackets and
// comments.
func splitAddressList(s string) []string {
	var out []string
	depth, angle, quote := 0, false, false
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quote:
			i++
		case c == '"':
			quote = !quote
		case quote:
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case (c == ',' || c == ';') && depth == 0 && !angle:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// salvageAddress extracts one address from a malformed piece such as
// `Иван <ivan@x.ru`, `"Bad" Name <a@b.c> junk` or `a@b.c (Name`.
func salvageAddress(piece string, p *problems) (Address, bool) {
	piece = strings.TrimSpace(piece)
	if piece == "" {
		return Address{}, false
	}
	var name, addr string
	if lt := strings.LastIndexByte(piece, '<'); lt >= 0 {
		rest := piece[lt+1:]
		if gt := strings.IndexByte(rest, '>'); gt >= 0 {
			rest = rest[:gt]
		}
		addr = strings.TrimSpace(rest)
		name = piece[:lt]
	}
	if !strings.Contains(addr, "@") {
		// Find the word that carries an @.
		at := strings.IndexByte(piece, '@')
		if at < 0 {
			return Address{}, false
		}
		s, e := at, at
		for s > 0 && !isAddrStop(piece[s-1]) {
			s--
		}
		for e < len(piece) && !isAddrStop(piece[e]) {
			e++
		}
		addr = piece[s:e]
		name = piece[:s] + " " + piece[e:]
	}
	email, ok := normalizeAddr(addr)
	if !ok {
		return Address{}, false
	}
	name = strings.Trim(strings.TrimSpace(name), `"'() `)
	name = strings.TrimSpace(strings.Trim(name, `"`))
	return Address{Name: singleLine(decodeWords(name, p)), Email: email}, true
}

func isAddrStop(c byte) bool {
	switch c {
	case ' ', '\t', '<', '>', '(', ')', '"', ',', ';', '[', ']', ':', '\'':
		return true
	}
	return false
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// parseIDs returns the message ids in a Message-ID, In-Reply-To or
// References value, without angle brackets. Values without brackets are
// split at whitespace.
func parseIDs(v string) []string {
	var out []string
	if !strings.Contains(v, "<") {
		for _, f := range strings.Fields(v) {
			f = strings.Trim(f, ",;")
			if strings.Contains(f, "@") || len(out) == 0 {
				if f != "" {
					out = append(out, singleLine(f))
				}
			}
		}
		return out
	}
	for {
		lt := strings.IndexByte(v, '<')
		if lt < 0 {
			return out
		}
		v = v[lt+1:]
		gt := strings.IndexByte(v, '>')
		if gt < 0 {
			if id := strings.TrimSpace(v); id != "" {
				out = append(out, singleLine(id))
			}
			return out
		}
		if id := strings.TrimSpace(v[:gt]); id != "" {
			out = append(out, singleLine(id))
		}
		v = v[gt+1:]
		if len(out) >= 1000 {
			return out
		}
	}
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 January 2006 15:04:05 -0700",
	"Mon, 02-Jan-2006 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"2006-01-02 15:04:05 -0700",
	time.RFC3339,
}

// parseDate parses a Date header leniently.
func parseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	// Drop a trailing comment, collapse blanks.
	if i := strings.IndexByte(v, '('); i > 0 {
		v = strings.TrimSpace(v[:i])
	}
	v = strings.Join(strings.Fields(v), " ")
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
