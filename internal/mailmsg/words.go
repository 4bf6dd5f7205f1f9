package mailmsg

import (
	"strings"
	"unicode/utf8"
)

// decoder turns raw header values into UTF-8: raw 8-bit bytes are converted
// with the message's charset hint (or detection), then RFC 2047 encoded
// words are decoded. Adjacent words in one charset are joined before
// conversion so that a character split across two words survives.
type decoder struct {
	hint string // charset for raw 8-bit header bytes; "" means detect
	p    *problems
}

func (d *decoder) words(v string) string {
	if !utf8.ValidString(v) {
		b := []byte(v)
		cs := d.hint
		if cs == "" {
			cs = detect(b)
		}
		v, _ = toUTF8(b, cs, "header", d.p)
	}
	if !strings.Contains(v, "=?") {
		return v
	}
	return decodeWords(v, d.p)
}

// decodeWords decodes RFC 2047 encoded words in s. Malformed words are kept
// as they are.
func decodeWords(s string, p *problems) string {
	var out strings.Builder
	out.Grow(len(s))
	var pend []byte
	pendCS := ""
	flush := func() {
		if len(pend) > 0 {
			t, _ := toUTF8(pend, pendCS, "header encoded word", p)
			out.WriteString(t)
			pend = pend[:0]
		}
	}
	afterWord := false
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			flush()
			out.WriteString(s[i:])
			break
		}
		before := s[i : i+j]
		cs, data, n, ok := parseWord(s[i+j:])
		if !(afterWord && isBlank(before)) {
			flush()
			out.WriteString(before)
		}
		if !ok {
			flush()
			out.WriteString("=?")
			i += j + 2
			afterWord = false
			continue
		}
		if canonicalCharset(cs) != canonicalCharset(pendCS) {
			flush()
		}
		pendCS = cs
		pend = append(pend, data...)
		afterWord = true
		i += j + n
	}
	flush()
	return out.String()
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// parseWord parses "=?charset?enc?text?=" at the start of s and returns the
// charset, the decoded bytes and the length consumed.
func parseWord(s string) (cs string, data []byte, n int, ok bool) {
	// s starts with "=?"
	rest := s[2:]
	if len(rest) > 4200 {
		rest = rest[:4200] // bound the scans below: no quadratic work on junk
	}
	q1 := strings.IndexByte(rest, '?')
	if q1 <= 0 || q1 > 64 {
		return "", nil, 0, false
	}
	cs = rest[:q1]
	if strings.ContainsAny(cs, " \t\r\n\"") {
		return "", nil, 0, false
	}
	if k := strings.IndexByte(cs, '*'); k >= 0 { // RFC 2231 language suffix
		cs = cs[:k]
	}
	rest = rest[q1+1:]
	if len(rest) < 2 || rest[1] != '?' {
		return "", nil, 0, false
	}
	enc := rest[0] | 0x20
	rest = rest[2:]
	end := strings.Index(rest, "?=")
	if end < 0 || end > 4096 {
		return "", nil, 0, false
	}
	text := rest[:end]
	if strings.Contains(text, "=?") {
		return "", nil, 0, false
	}
	n = 2 + q1 + 1 + 2 + end + 2
	switch enc {
	case 'b':
		buf := make([]byte, 0, len(text)*3/4+3)
		var st b64state
		buf = st.decode(buf, []byte(text))
		if len(buf) == 0 && len(text) > 0 {
			return "", nil, 0, false
		}
		return cs, buf, n, true
	case 'q':
		if strings.ContainsAny(text, "\r\n") {
			return "", nil, 0, false
		}
		buf := make([]byte, 0, len(text))
		for i := 0; i < len(text); i++ {
			c := text[i]
			switch {
			case c == '_':
				buf = append(buf, ' ')
			case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
				buf = append(buf, unhex(text[i+1])<<4|unhex(text[i+2]))
				i += 2
			default:
				buf = append(buf, c)
			}
		}
		return cs, buf, n, true
	}
	return "", nil, 0, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	default:
		return c | 0x20 - 'a' + 10
	}
}

// singleLine makes s safe as a one-line header value: control characters
// (CR, LF, NUL, ...) and Unicode line separators become spaces, runs of
// whitespace collapse to one space, and the ends are trimmed.
func singleLine(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 || (c == ' ' && (i == 0 || i+1 == len(s) || s[i+1] == ' ')) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ' ' || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
