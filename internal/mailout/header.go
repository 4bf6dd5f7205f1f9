package mailout

import (
	"encoding/base64"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Header values are built here and only here. Every free-text value goes
// through sanitize (no CR, LF, NUL or other controls survive), every address
// through checkEmail, and every line is folded to at most 78 octets where
// whitespace allows it.

const maxLineLen = 78

// sanitize makes s safe for a header: invalid UTF-8 is replaced, control
// characters (CR, LF, NUL, TAB, DEL, C1) become spaces, runs of spaces
// collapse and the result is trimmed.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || r == ' ' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// needsEncoding reports whether an already sanitized value must be written
// as RFC 2047 encoded words: non-ASCII text, text that would itself look
// like an encoded word, or a word too long to fold.
func needsEncoding(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return true
		}
		if c == ' ' {
			run = 0
			continue
		}
		if run++; run > maxLineLen-12 {
			return true
		}
	}
	return strings.Contains(s, "=?")
}

// encodeWords encodes s as a space-separated sequence of UTF-8 "B" encoded
// words, each at most 75 characters and never splitting a rune.
func encodeWords(s string) []string {
	// 39 bytes -> 52 base64 chars; 10 + 52 + 2 = 64, so "Reply-To: " and a
	// word still fit in 78 octets.
	const maxChunk = 39
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxChunk {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return words
}

// textWords turns a free-text header value into foldable words.
func textWords(s string) []string {
	s = sanitize(s)
	if s == "" {
		return nil
	}
	if needsEncoding(s) {
		return encodeWords(s)
	}
	return strings.Split(s, " ")
}

// writeHeader writes "Name: w1 w2 ...\r\n", folding between words so that
// lines stay within maxLineLen where possible.
func writeHeader(b *strings.Builder, name string, words []string) {
	b.WriteString(name)
	b.WriteByte(':')
	lineLen := len(name) + 1
	for _, w := range words {
		if w == "" {
			continue
		}
		if lineLen+1+len(w) > maxLineLen && lineLen > len(name)+1 {
			b.WriteString("\r\n")
			lineLen = 0
		}
		b.WriteByte(' ')
		b.WriteString(w)
		lineLen += 1 + len(w)
	}
	b.WriteString("\r\n")
}

// atext characters of RFC 5322 plus space: a display name made only of these
// needs no quoting.
var atextRE = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_{|}~ -]*$`)

// addressWords formats one address as header words; the trailing comma for
// lists is added by the caller.
func addressWords(a Address) ([]string, error) {
	email, err := checkEmail(a.Email)
	if err != nil {
		return nil, err
	}
	name := sanitize(a.Name)
	switch {
	case name == "":
		return []string{"<" + email + ">"}, nil
	case needsEncoding(name):
		return append(encodeWords(name), "<"+email+">"), nil
	case atextRE.MatchString(name):
		return append(strings.Split(name, " "), "<"+email+">"), nil
	default:
		q := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)
		return []string{`"` + q + `"`, "<" + email + ">"}, nil
	}
}

// checkEmail accepts a bare addr-spec only: no display name, no brackets,
// no CR/LF or anything else net/mail would not round-trip.
func checkEmail(s string) (string, error) {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "\r\n\x00<> \t,;") {
		return "", invalidf("email address %q", s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", invalidf("email address %q", s)
	}
	return s, nil
}

func addressListWords(list []Address) ([]string, error) {
	var words []string
	for i, a := range list {
		w, err := addressWords(a)
		if err != nil {
			return nil, err
		}
		if i < len(list)-1 {
			w[len(w)-1] += ","
		}
		words = append(words, w...)
	}
	return words, nil
}

// msgIDRE matches the inside of a msg-id (RFC 5322 3.6.4), brackets excluded:
// dot-atom-text "@" (dot-atom-text / no-fold-literal).
var msgIDRE = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~.-]+@([A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~.-]+|\[[!-Z^-~]*\])$`)

func validMsgID(id string) bool { return len(id) <= 250 && msgIDRE.MatchString(id) }

// headerNameRE restricts extra header names to letters, digits and hyphens.
var headerNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,75}$`)

// isReservedHeader reports whether a canonical header name may only be set
// through Mail's own fields.
func isReservedHeader(name string) bool {
	switch name {
	case "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-Id",
		"In-Reply-To", "References", "Mime-Version", "Content-Type", "Content-Transfer-Encoding",
		"Content-Disposition", "Content-Id", "Auto-Submitted", "Return-Path", "Received",
		"Dkim-Signature":
		return true
	}
	return false
}

// Deliverable reports whether addr can be written into a message's
// recipients: a bare addr-spec Otvet's composer accepts. Intake never makes
// an address that is not a participant, so one bad address cannot silence a
// ticket.
func Deliverable(addr string) bool {
	_, err := checkEmail(addr)
	return err == nil
}
