package mailmsg

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// text decodes a body text part to clean UTF-8. The undecoded input is cut
// first so that a huge text part costs no more than the text limit.
//
// All the text parts of a message together get at most twice MaxTextBytes
// (the text and the HTML body are each cut to MaxTextBytes later); parts past
// that budget are not decoded.
func (w *walker) text(body []byte, cte, ct string, params map[string]string, path string) string {
	limit := min(w.opts.MaxTextBytes, 2*w.opts.MaxTextBytes-w.textBytes)
	if limit <= 0 {
		w.p.cutf("text parts past %d bytes in total not read", 2*w.opts.MaxTextBytes)
		return ""
	}
	inLimit := limit
	switch cte {
	case "base64":
		inLimit = limit/3*4 + 8 + limit/38 // line breaks every 76 chars
	case "quoted-printable":
		inLimit = limit * 3
	}
	truncated := false
	if len(body) > inLimit {
		body = body[:inLimit]
		truncated = true
	}
	data, _, bad := decodeTransfer(body, cte, false)
	if bad > 0 {
		w.p.addf("%d invalid bytes skipped while decoding %s (%s)", bad, partName(path), cte)
	}
	if len(data) > limit {
		data = data[:limit]
		truncated = true
	}
	if truncated {
		data = trimPartialRune(data)
	}
	cs := params["charset"]
	if cs == "" && ct == "text/html" {
		cs = sniffHTMLCharset(data)
	}
	s, _ := toUTF8(data, cs, partName(path), w.p)
	s, nuls := cleanText(s, ct == "text/plain")
	if ct == "text/plain" && strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	if nuls > 0 {
		w.p.addf("%d NUL bytes removed from %s", nuls, partName(path))
	}
	if truncated || len(s) > limit {
		s = truncateUTF8(s, limit)
		w.p.cutf("%s truncated to %d bytes", partName(path), limit)
	}
	w.textBytes += len(s)
	return s
}

// cleanText removes NUL and other control characters (keeping tab and line
// feed) and, for plain text, turns CRLF and lone CR into LF. It returns the
// number of NULs removed.
func cleanText(s string, plain bool) (string, int) {
	dirty, crlfOnly := false, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' {
			dirty = true
			if c != '\r' || i+1 >= len(s) || s[i+1] != '\n' {
				crlfOnly = false
				break
			}
		}
	}
	if !dirty {
		return s, 0
	}
	if crlfOnly {
		if !plain {
			return s, 0
		}
		return strings.ReplaceAll(s, "\r\n", "\n"), 0
	}
	var b strings.Builder
	b.Grow(len(s))
	nuls := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				if !plain {
					b.WriteByte('\r')
				}
				continue
			}
			b.WriteByte('\n')
		case c == 0:
			nuls++
		case c < 0x20 && c != '\n' && c != '\t':
			// drop other control characters
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nuls
}

// trimPartialRune drops an incomplete UTF-8 sequence left at the end of b
// by a cut, so that a truncated UTF-8 text still validates as UTF-8.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676); s
// has LF line ends.
func unflow(s string, delsp bool) string {
	if !strings.Contains(s, " \n") {
		return s
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s))
	for i, line := range lines {
		line = strings.TrimPrefix(line, " ") // space-stuffing
		soft := strings.HasSuffix(line, " ") && line != "-- " && i+1 < len(lines)
		if soft && delsp {
			line = line[:len(line)-1]
		}
		b.WriteString(line)
		if !soft && i+1 < len(lines) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// sniffHTMLCharset finds a <meta charset> or http-equiv charset in the
// first bytes of an HTML document.
func sniffHTMLCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	lower := bytes.ToLower(b)
	i := bytes.Index(lower, []byte("charset="))
	if i < 0 {
		return ""
	}
	rest := lower[i+len("charset="):]
	rest = bytes.TrimLeft(rest, `"' `)
	end := 0
	for end < len(rest) && end < 40 {
		c := rest[end]
		if c == '"' || c == '\'' || c == ';' || c == '>' || c == ' ' || c == '/' {
			break
		}
		end++
	}
	return string(rest[:end])
}
