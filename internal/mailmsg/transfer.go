package mailmsg

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// Lenient Content-Transfer-Encoding decoders. They never fail: bytes that do
// not belong are skipped (base64) or kept literally (quoted-printable), and
// the caller is told how many were bad so it can note a Problem. Each has a
// counting mode so that the decoded size of an attachment that will be
// dropped is known without keeping its data.

// b64Table maps a byte to its base64 digit value (standard or URL-safe
// alphabet) or 0xff.
const b64Table = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x3e\xff\x3e\xff\x3f\x34\x35\x36\x37\x38\x39\x3a\x3b\x3c\x3d\xff\xff\xff\xff\xff\xff" +
	"\xff\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\xff\xff\xff\xff\x3f" +
	"\xff\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" +
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

// b64v returns the value of a base64 digit, or -1.
func b64v(c byte) int8 {
	v := b64Table[c]
	if v == 0xff {
		return -1
	}
	return int8(v)
}

// b64state is a base64 decoder that skips anything outside the alphabet
// (line breaks, spaces, garbage) and treats '=' as the end of a quantum, so
// concatenated padded blocks decode too.
type b64state struct {
	acc  uint32
	bits uint
	bad  int // bytes outside the alphabet other than whitespace
}

func (s *b64state) decode(dst, src []byte) []byte {
	for _, c := range src {
		v := b64v(c)
		if v < 0 {
			switch c {
			case '=':
				s.acc, s.bits = 0, 0
			case '\r', '\n', ' ', '\t':
			default:
				s.bad++
			}
			continue
		}
		s.acc = s.acc<<6 | uint32(v)
		s.bits += 6
		if s.bits >= 8 {
			s.bits -= 8
			dst = append(dst, byte(s.acc>>s.bits))
			s.acc &= 1<<s.bits - 1
		}
	}
	return dst
}

// count returns the number of bytes decode would produce.
func (s *b64state) count(src []byte) int64 {
	var n int64
	for _, c := range src {
		v := b64v(c)
		if v < 0 {
			switch c {
			case '=':
				s.bits = 0
			case '\r', '\n', ' ', '\t':
			default:
				s.bad++
			}
			continue
		}
		s.bits += 6
		if s.bits >= 8 {
			s.bits -= 8
			n++
		}
	}
	return n
}

// base64Body decodes a base64 body. Lines that are mostly outside the
// alphabet (a signature appended by a list server, a stray text line) are
// skipped whole rather than mixed into the data.
func base64Body(dst, src []byte, countOnly bool) (out []byte, n int64, bad int) {
	// Fast path: well-formed data (the common case) goes through the
	// standard decoder, which skips CR and LF itself.
	if countOnly {
		if n, ok := base64CleanSize(src); ok {
			return dst, n, 0
		}
	} else {
		buf := dst[:cap(dst)]
		if k, err := base64.StdEncoding.Decode(buf, src); err == nil {
			return buf[:k], int64(k), 0
		}
	}
	var st b64state
	for len(src) > 0 {
		line := src
		if i := indexByte(src, '\n'); i >= 0 {
			line, src = src[:i+1], src[i+1:]
		} else {
			src = nil
		}
		if garbageLine(line) {
			bad++
			continue
		}
		if countOnly {
			n += st.count(line)
		} else {
			dst = st.decode(dst, line)
		}
	}
	if !countOnly {
		n = int64(len(dst))
	}
	return dst, n, bad + st.bad
}

// base64CleanSize returns the decoded size of src when it holds only
// alphabet characters, line breaks and trailing padding.
func base64CleanSize(src []byte) (int64, bool) {
	var digits int64
	pad := false
	for _, c := range src {
		switch {
		case b64Table[c] != 0xff && c != '-' && c != '_':
			if pad {
				return 0, false
			}
			digits++
		case c == '\r' || c == '\n':
		case c == '=':
			pad = true
		default:
			return 0, false
		}
	}
	return digits * 6 / 8, true
}

// garbageLine reports a line that is text rather than damaged data: it
// starts like a separator ("--"), has blanks inside, or more than one in
// eight of its characters are outside the alphabet ("Thanks!").
func garbageLine(line []byte) bool {
	line = bytes.TrimRight(line, " \t\r\n")
	if len(line) >= 2 && line[0] == '-' && line[1] == '-' {
		return true
	}
	bad := 0
	for _, c := range line {
		switch {
		case c == ' ' || c == '\t':
			return true
		case b64v(c) < 0 && c != '=':
			bad++
		}
	}
	return bad*8 > len(line)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// qpBody decodes quoted-printable leniently: soft line breaks (also with
// trailing whitespace after the '='), =XX in either case; a malformed '='
// is kept literally. Trailing whitespace at line ends is removed.
func qpBody(dst, src []byte, countOnly bool) (out []byte, n int64, bad int) {
	emit := func(c byte) {
		n++
		if !countOnly {
			dst = append(dst, c)
		}
	}
	for len(src) > 0 {
		line := src
		nl := false
		if i := indexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
			nl = true
		} else {
			src = nil
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		// Trailing whitespace is transport padding.
		end := len(line)
		for end > 0 && (line[end-1] == ' ' || line[end-1] == '\t') {
			end--
		}
		line = line[:end]
		soft := false
		if end > 0 && line[end-1] == '=' {
			soft = true
			line = line[:end-1]
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '=' {
				if i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
					emit(unhex(line[i+1])<<4 | unhex(line[i+2]))
					i += 2
					continue
				}
				bad++
			}
			emit(c)
		}
		if nl && !soft {
			emit('\r')
			emit('\n')
		}
	}
	return dst, n, bad
}

// decodeTransfer decodes body according to cte. It returns the decoded data
// (nil in countOnly mode), the decoded size and the number of bad bytes.
func decodeTransfer(body []byte, cte string, countOnly bool) ([]byte, int64, int) {
	switch cte {
	case "base64":
		var dst []byte
		if !countOnly {
			dst = make([]byte, 0, len(body)*3/4+3)
		}
		return base64Body(dst, body, countOnly)
	case "quoted-printable":
		var dst []byte
		if !countOnly {
			dst = make([]byte, 0, len(body))
		}
		return qpBody(dst, body, countOnly)
	}
	if countOnly {
		return nil, int64(len(body)), 0
	}
	return body, int64(len(body)), 0
}

func normalizeCTE(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexAny(v, " ;("); i >= 0 {
		v = v[:i]
	}
	return strings.Trim(v, `"`)
}
