package mailmsg

import (
	"bytes"
	"strings"
)

// field is one header field, unfolded. value keeps raw bytes (possibly 8-bit,
// possibly RFC 2047 encoded) with surrounding whitespace trimmed.
type field struct {
	name  string
	value string
}

type header struct {
	fields []field
}

func (h *header) get(name string) (string, bool) {
	if h == nil {
		return "", false
	}
	for _, f := range h.fields {
		if strings.EqualFold(f.name, name) {
			return f.value, true
		}
	}
	return "", false
}

func (h *header) all(name string) []string {
	if h == nil {
		return nil
	}
	var out []string
	for _, f := range h.fields {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

func (h *header) has(name string) bool {
	_, ok := h.get(name)
	return ok
}

// headerResult is what splitHeader found.
type headerResult struct {
	hdr        header
	body       []byte
	noBlank    bool // the header ended on a non-field line instead of a blank one
	badLines   int  // lines that were neither fields nor continuations, skipped
	skippedMbx bool // a leading mbox "From " line was skipped
	// open: the result depends on bytes past the end of raw, were there
	// any (a line the decision needed runs to its end): splitHeaderAt
	// then reads more of a part than the window it tried (reader.go).
	open bool
}

// splitHeader parses the header section of raw. It stops at the first blank
// line; a line that is neither a field nor a continuation ends the header when
// no field follows it closely, otherwise it is skipped. max bounds the size of
// the header section (0 means unlimited).
func splitHeader(raw []byte, max int) (headerResult, error) {
	var r headerResult
	if len(raw) == 0 {
		return r, ErrNoHeader
	}
	start := 0
	if bytes.HasPrefix(raw, []byte("From ")) {
		// mbox separator line: "From sender date".
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			start = i + 1
			r.skippedMbx = true
		} else {
			r.open = true
		}
	}
	// Find the end of the header section first so that the header text is
	// converted to a string once.
	end, bodyStart := -1, len(raw)
	pos := start
	for pos < len(raw) {
		if max > 0 && pos-start > max {
			return r, ErrHeaderTooLarge
		}
		nl := bytes.IndexByte(raw[pos:], '\n')
		var line []byte
		next := len(raw)
		if nl >= 0 {
			line = raw[pos : pos+nl]
			next = pos + nl + 1
		} else {
			line = raw[pos:]
		}
		if max > 0 && next-start > max+2 {
			return r, ErrHeaderTooLarge
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			end, bodyStart = pos, next
			r.open = r.open || nl < 0
			break
		}
		if line[0] != ' ' && line[0] != '\t' && !isFieldLine(line) {
			// Not a field: either junk inside the header or the body
			// starting without a blank line. Look ahead one line.
			if pos > start && !nextIsField(raw[next:]) {
				end, bodyStart = pos, pos
				r.noBlank = true
				r.open = r.open || bytes.IndexByte(raw[next:], '\n') < 0
				break
			}
		}
		pos = next
	}
	if end < 0 {
		end, bodyStart = len(raw), len(raw)
		r.open = true
	}
	text := string(raw[start:end])
	r.body = raw[bodyStart:]
	r.hdr.fields = make([]field, 0, 24)
	lines := text
	var cur strings.Builder
	curName, curFirst := "", ""
	folded := false
	flush := func() {
		if curName == "" {
			return
		}
		v := curFirst
		if folded {
			v = cur.String()
		}
		r.hdr.fields = append(r.hdr.fields, field{name: curName, value: strings.TrimSpace(v)})
		curName, curFirst, folded = "", "", false
		cur.Reset()
	}
	for len(lines) > 0 {
		var line string
		if i := strings.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			line, lines = lines, ""
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if curName == "" {
				r.badLines++
				continue
			}
			if !folded {
				cur.WriteString(curFirst)
				folded = true
			}
			cur.WriteString(line)
			continue
		}
		flush()
		colon := strings.IndexByte(line, ':')
		if colon <= 0 || !isFieldName(strings.TrimRight(line[:colon], " \t")) {
			r.badLines++
			continue
		}
		curName = strings.TrimRight(line[:colon], " \t")
		curFirst = line[colon+1:]
	}
	flush()
	if len(r.hdr.fields) == 0 {
		return r, ErrNoHeader
	}
	return r, nil
}

func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

func isFieldLine(line []byte) bool {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	return isFieldName(strings.TrimRight(string(line[:colon]), " \t"))
}

// nextIsField reports whether rest starts with a header field line.
func nextIsField(rest []byte) bool {
	nl := bytes.IndexByte(rest, '\n')
	if nl >= 0 {
		rest = rest[:nl]
	}
	rest = bytes.TrimSuffix(rest, []byte("\r"))
	return len(rest) > 0 && isFieldLine(rest)
}
