package mailmsg

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// problems collects non-fatal anomalies, bounded so that hostile input cannot
// make the list itself large.
type problems struct {
	list    []string
	omitted int
	cuts    []string // budgets exceeded: what was cut (also in list)
}

const maxCuts = 16

// cutf records that a budget was exceeded and something was cut: it is a
// Problem and also goes to Message.Cuts.
func (p *problems) cutf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	p.addf("%s", s)
	if len(p.cuts) >= maxCuts {
		return
	}
	for _, q := range p.cuts {
		if q == s {
			return
		}
	}
	p.cuts = append(p.cuts, s)
}

const maxProblems = 64

func (p *problems) addf(format string, args ...any) {
	if len(p.list) >= maxProblems {
		p.omitted++
		return
	}
	s := fmt.Sprintf(format, args...)
	for _, q := range p.list {
		if q == s {
			return
		}
	}
	p.list = append(p.list, s)
}

func (p *problems) result() []string {
	if p.omitted > 0 {
		return append(p.list, fmt.Sprintf("%d more problems omitted", p.omitted))
	}
	return p.list
}

// Canonical names of the charsets that detection chooses among.
const (
	csUTF8    = "utf-8"
	csCP1251  = "windows-1251"
	csKOI8R   = "koi8-r"
	csCP866   = "ibm866"
	csISO5    = "iso-8859-5"
	csCP1252  = "windows-1252"
	csUnknown = ""
)

// canonicalCharset maps common labels of the charsets we know well to a
// canonical name; it returns the cleaned label for anything else.
func canonicalCharset(label string) string {
	l := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch l {
	case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8":
		return csUTF8
	case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us":
		return "us-ascii"
	case "windows-1251", "cp1251", "win-1251", "win1251", "x-cp1251", "cp-1251", "windows1251", "ms-cyrl":
		return csCP1251
	case "koi8-r", "koi8r", "koi8", "cskoi8r", "koi":
		return csKOI8R
	case "ibm866", "cp866", "866", "csibm866", "ibm-866", "cp-866", "dos-866":
		return csCP866
	case "iso-8859-5", "iso8859-5", "iso_8859-5", "iso-ir-144", "cyrillic", "csisolatincyrillic", "iso_8859-5:1988":
		return csISO5
	case "windows-1252", "cp1252", "win-1252":
		return csCP1252
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "iso-8859-15", "latin-9":
		return l
	}
	return l
}

func charmapFor(cs string) *charmap.Charmap {
	switch cs {
	case csCP1251:
		return charmap.Windows1251
	case csKOI8R:
		return charmap.KOI8R
	case csCP866:
		return charmap.CodePage866
	case csISO5:
		return charmap.ISO8859_5
	case csCP1252:
		return charmap.Windows1252
	}
	return nil
}

// isLatinSingleByte reports charsets that are often a wrong label for
// Russian text (mail clients defaulting to Latin-1).
func isLatinSingleByte(cs string) bool {
	switch cs {
	case csCP1252, "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "iso-8859-15", "latin-9":
		return true
	}
	return false
}

// sevenBitCharset reports charsets whose ASCII-only bytes are not ASCII text.
func sevenBitCharset(cs string) bool {
	return strings.HasPrefix(cs, "utf-16") || strings.HasPrefix(cs, "utf-32") ||
		strings.HasPrefix(cs, "iso-2022") || cs == "utf-7" || cs == "hz-gb-2312" || cs == "ucs-2"
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// toUTF8 converts b, declared as label, to UTF-8. where names the part or
// header for Problems. It returns the text and the charset actually used.
// The result is valid UTF-8 but may still contain NUL and control bytes.
func toUTF8(b []byte, label, where string, p *problems) (string, string) {
	cs := canonicalCharset(label)
	if isASCII(b) && !sevenBitCharset(cs) {
		return string(b), cs
	}
	switch cs {
	case csUTF8, "us-ascii", "":
		if utf8.Valid(b) {
			if cs == "us-ascii" || cs == "" {
				// Undeclared or ASCII-declared but valid UTF-8: the usual
				// case of a client forgetting the label.
				if cs == "" && where != "" && !strings.HasPrefix(where, "header") {
					p.addf("8-bit text without a charset in %s; decoded as utf-8", where)
				}
			}
			return string(b), csUTF8
		}
		det := detect(b)
		switch cs {
		case csUTF8:
			p.addf("invalid utf-8 in %s; decoded as %s by detection", where, det)
		default:
			if !strings.HasPrefix(where, "header") {
				p.addf("8-bit text without a charset in %s; decoded as %s by detection", where, det)
			}
		}
		return decodeWith(b, det), det
	}
	if cm := charmapFor(cs); cm != nil || isLatinSingleByte(cs) {
		// Single-byte charset: every byte decodes, so check plausibility.
		if utf8.Valid(b) && hasMultibyte(b) {
			p.addf("%s declared %s but is utf-8; decoded as utf-8", where, cs)
			return string(b), csUTF8
		}
		if cm != nil && cs != csCP1252 {
			// A label is overridden when another Cyrillic charset reads
			// as plausible Russian and clearly better: the KOI8-R and
			// windows-1251 swap of a short subject still scores above
			// plausible as case-flipped letters («мЕ ПЮАНРЮЕР ОПХМРЕП»).
			own := score(b, cm)
			best, bestScore := bestCyrillic(b)
			if best != cs && bestScore >= plausible && bestScore-own >= labelMargin {
				p.addf("%s declared %s but looks like %s; decoded as %s by detection", where, cs, best, best)
				return decodeWith(b, best), best
			}
			return decodeSingle(b, cm), cs
		}
		if runRatio(b) >= 0.6 {
			if best, bestScore := bestCyrillic(b); bestScore >= plausible {
				p.addf("%s declared %s but looks like %s; decoded as %s by detection", where, cs, best, best)
				return decodeWith(b, best), best
			}
		}
		if cm != nil {
			return decodeSingle(b, cm), cs
		}
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err == nil {
		out, err := io.ReadAll(r)
		if err == nil {
			return strings.ToValidUTF8(string(out), "\uFFFD"), cs
		}
	}
	det := detect(b)
	p.addf("unknown charset %q in %s; decoded as %s by detection", label, where, det)
	return decodeWith(b, det), det
}

func hasMultibyte(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if n > 1 && r != utf8.RuneError {
			return true
		}
		b = b[n:]
	}
	return false
}

// decodeWith decodes b with one of the detection charsets.
func decodeWith(b []byte, cs string) string {
	if cs == csUTF8 {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	if cm := charmapFor(cs); cm != nil {
		return decodeSingle(b, cm)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func decodeSingle(b []byte, cm *charmap.Charmap) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
			continue
		}
		sb.WriteRune(cm.DecodeByte(c))
	}
	return sb.String()
}

// runRatio is the share of high bytes that have a high-byte neighbour: near
// 1 for Cyrillic words, low for Latin text with a few accented letters.
func runRatio(b []byte) float64 {
	high, inRun := 0, 0
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		if (i > 0 && b[i-1] >= 0x80) || (i+1 < len(b) && b[i+1] >= 0x80) {
			inRun++
		}
	}
	if high == 0 {
		return 0
	}
	return float64(inRun) / float64(high)
}
