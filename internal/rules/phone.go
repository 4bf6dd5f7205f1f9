package rules

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a byte range of a text.
type span struct{ start, end int }

// findPhones returns the Russian telephone numbers in text, in order:
// +7 (912) 345-67-89, 8-912-345-67-89, 89123456789, 8 (34341) 2-11-05,
// (34341) 2-11-05, 2-44-90 доб. 91, and international numbers written with
// "+" and separators (+44 20 7946 0958). A bare local number needs dashes
// (2-44-90) or a phone label before it ("тел. 24490"). Numbers after "№",
// ИНН, СНИЛС and similar labels, dates, IP addresses and amounts are not
// phones. An extension ("доб. 91", "вн. 12") is part of the span.
func findPhones(text string) []span {
	var out []span
	for i := 0; i < len(text); {
		if i = nextPhoneStart(text, i); i >= len(text) {
			break
		}
		c := text[i]
		start := c >= '0' && c <= '9' ||
			(c == '+' || c == '(') && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9'
		if !start || !phoneBoundaryBefore(text, i) {
			i++
			continue
		}
		end, ok := phoneAt(text, i)
		if ok {
			end = extension(text, end)
			out = append(out, span{i, end})
		}
		if end <= i {
			end = i + 1
		}
		i = end
	}
	return out
}

// nextPhoneStart returns the index of the first byte from i on at which a
// phone number can start (phoneStartByte), or len(s). Most of a text has
// none, so it is read eight bytes at a time: a word none of whose bytes is
// in '('..'9' (the range holds "(", "+" and the digits) is skipped whole.
func nextPhoneStart(s string, i int) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
		low7 = 0x7F7F7F7F7F7F7F7F
		m, n = '(' - 1, '9' + 1 // the bytes strictly between m and n
	)
	for {
		for ; i+8 <= len(s); i += 8 {
			b := s[i : i+8] // read as one load
			x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
				uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			// Some byte of x is in (m, n) ("hasbetween", for bytes below
			// 0x80; bytes from 0x80 on never are).
			if (ones*(127+n)-(x&low7))&^x&((x&low7)+ones*(127-m))&high != 0 {
				break
			}
		}
		for end := min(i+8, len(s)); i < end; i++ {
			if phoneStartByte[s[i]] {
				return i
			}
		}
		if i >= len(s) {
			return len(s)
		}
	}
}

// phoneStartByte: a phone number can start at the byte.
var phoneStartByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['+'], t['('] = true, true
	return t
}()

// phoneBoundaryBefore: the rune before i is not a letter or digit, nor a
// "." "," "/" "-" ":" glued to a digit ("1.2-11-05", "3/24-56").
func phoneBoundaryBefore(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, n := utf8.DecodeLastRuneInString(text[:i])
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return false
	}
	switch r {
	case '.', ',', '/', '-', ':':
		return i-n == 0 || !isDigitByte(text[i-n-1])
	}
	return true
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// phoneAt scans the number candidate starting at i and reports where it
// ends and whether it is a phone.
func phoneAt(text string, i int) (int, bool) {
	var digits, groups, lastGroup int
	first := byte(0)
	plus, dash, paren, space := false, false, false, false
	parenDigits := 0
	inParen := false
	end := i
	j := i
	for j < len(text) {
		r, n := utf8.DecodeRuneInString(text[j:])
		switch {
		case r >= '0' && r <= '9':
			if first == 0 {
				first = byte(r)
			}
			if j == i || !isDigitByte(text[j-1]) {
				groups++
				lastGroup = 0
			}
			digits++
			lastGroup++
			if inParen {
				parenDigits++
			}
			end = j + n
		case r == '+' && j == i:
			plus = true
		case r == '-' || r == '–' || r == '‑':
			dash = true
		case r == '(' && !paren:
			paren, inParen = true, true
		case r == ')' && inParen:
			inParen = false
			end = j + n
		case (r == ' ' || r == '\u00a0') && j+n < len(text) && (isDigitByte(text[j+n]) || text[j+n] == '(' || text[j+n] == '-'):
			space = true
		default:
			goto done
		}
		j += n
		if digits > 15 {
			return j, false
		}
	}
done:
	if digits == 0 {
		return j, false
	}
	// A decimal or a date/IP continues with ".digit" or ",digit": not a phone.
	if end < len(text)-1 && (text[end] == '.' || text[end] == ',' || text[end] == ':' || text[end] == '/') && isDigitByte(text[end+1]) {
		return j, false
	}
	if end < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[end:]); unicode.IsLetter(r) {
			return j, false // "5км", "100мб"
		}
	}
	// Separators after the last digit ("2-44-90 (доб.91)") do not count.
	num := text[i:end]
	dash = strings.ContainsAny(num, "-–‑")
	space = strings.ContainsAny(num, " \u00a0")
	paren = strings.Contains(num, "(")
	if digits < 5 {
		return end, false // every kind of phone below has five digits or more
	}
	ctx := lookback(text, i)
	if hasAny(ctx, notPhoneLabels) {
		return end, false
	}
	labelled := hasAny(ctx, phoneLabels)
	sep := dash || space || paren
	ok := false
	switch {
	case plus && first == '7' && digits == 11:
		ok = true
	case plus && digits >= 10 && digits <= 15 && (sep || labelled):
		ok = true // an international number: +44 20 7946 0958
	case (first == '8' || first == '7') && digits == 11:
		ok = true
	case digits == 10 && first == '9' && (sep || labelled):
		ok = true
	case digits == 10 && paren && parenDigits >= 3 && parenDigits <= 5:
		ok = true
	case digits >= 5 && digits <= 7 && dash && !space && groups >= 2 && lastGroup == 2 && !plus:
		ok = groupsShort(text[i:end])
	case labelled && digits >= 5 && digits <= 12:
		ok = true
	}
	return end, ok
}

// groupsShort: every digit group has at most three digits (2-44-90, 21-1-05).
func groupsShort(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if isDigitByte(s[i]) {
			run++
			if run > 3 {
				return false
			}
		} else {
			run = 0
		}
	}
	return true
}

// lookback returns the lower-cased text shortly before i, from the last
// line break, comma or semicolon.
func lookback(text string, i int) string {
	from := i - 40
	if from < 0 {
		from = 0
	}
	for from < i && !utf8.RuneStart(text[from]) {
		from++
	}
	s := text[from:i]
	if k := strings.LastIndexAny(s, "\n,;"); k >= 0 {
		s = s[k+1:]
	}
	return lower(s)
}

func hasAny(s string, list []string) bool {
	for _, w := range list {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var phoneLabels = []string{"тел", "т.", "моб", "сот", "phone", "tel", "cell", "конт", "звоните", "номер", "call me"}

var notPhoneLabels = []string{
	"№", "инн", "огрн", "кпп", "бик", "снилс", "окпо", "оквэд", "октмо", "счет", "р/с", "к/с",
	"паспорт", "договор", "приказ", "заявк", "no.", "#", "верси", "сумм",
}

// extension extends a phone span over a following "доб. 91", "(доб.90)",
// "вн. 12" or "ext. 5".
func extension(text string, end int) int {
	j := end
	for j < len(text) && (text[j] == ' ' || text[j] == ',' || text[j] == '(') {
		j++
	}
	n, ok := 0, false
	for _, p := range []string{"добавочный", "доб", "вн", "ext", "внутр"} {
		if n, ok = prefixFold(text[j:], p); ok {
			break
		}
	}
	if !ok {
		return end
	}
	j += n
	for j < len(text) && (text[j] == '.' || text[j] == ':' || text[j] == ' ') {
		j++
	}
	k := j
	for k < len(text) && isDigitByte(text[k]) && k-j < 6 {
		k++
	}
	if k == j {
		return end
	}
	if k < len(text) && text[k] == ')' && strings.Contains(text[end:j], "(") {
		k++
	}
	return k
}

// prefixFold reports whether s starts with p (lower case) ignoring case and
// ё/е, and how many bytes of s that prefix takes.
func prefixFold(s, p string) (int, bool) {
	i := 0
	for k, m := 0, 0; k < len(p); k += m {
		var q rune
		q, m = decodeRune(p, k)
		if i >= len(s) {
			return 0, false
		}
		r, n := decodeRune(s, i)
		if foldRune(r) != q {
			return 0, false
		}
		i += n
	}
	return i, true
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) with ASCII and the
// Cyrillic U+0400–U+047F read in place.
func decodeRune(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c&^1 == 0xD0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

// prefixSet is a list of lower-case prefixes for prefixFold with the first
// rune of each, so that a text is compared only with the prefixes that
// start as it does.
type prefixSet struct {
	ps    []string
	first []rune
	// byFirst[firstSlot(f)] has bit k set when ps[k] starts with f (sets
	// of up to 64 prefixes whose first runes all have a slot; else nil).
	byFirst *[firstSlots]uint64
}

// firstSlots: a slot for each ASCII rune and each rune U+0400–U+04FF.
const firstSlots = 128 + 256

// firstSlot is the slot of r in prefixSet.byFirst, or -1.
func firstSlot(r rune) int {
	switch {
	case r >= 0 && r < 128:
		return int(r)
	case r >= 0x400 && r < 0x500:
		return int(r-0x400) + 128
	}
	return -1
}

func newPrefixSet(ps []string) *prefixSet {
	s := &prefixSet{ps: ps, first: make([]rune, len(ps))}
	idx := new([firstSlots]uint64)
	for k, p := range ps {
		s.first[k] = firstFold(p)
		if k >= 64 || firstSlot(s.first[k]) < 0 {
			idx = nil
		} else if idx != nil {
			idx[firstSlot(s.first[k])] |= 1 << k
		}
	}
	s.byFirst = idx
	return s
}

// starting returns the prefixes that start with f0 as a bit set (ok), or
// false when the set has no index or f0 no slot.
func (set *prefixSet) starting(f0 rune) (bits uint64, ok bool) {
	if set.byFirst == nil {
		return 0, false
	}
	if i := firstSlot(f0); i >= 0 {
		return set.byFirst[i], true
	}
	return 0, true // no prefix starts with f0
}

// firstFold is the first rune of s folded by foldRune (-1 for "").
func firstFold(s string) rune {
	if s == "" {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s)
	return foldRune(r)
}

// match is prefixFold(s, p) for the first p of the set that s starts with;
// f0 is firstFold(s).
func (set *prefixSet) match(s string, f0 rune) (int, bool) {
	if m, ok := set.starting(f0); ok {
		for ; m != 0; m &= m - 1 {
			if n, ok := prefixFold(s, set.ps[bits.TrailingZeros64(m)]); ok {
				return n, true
			}
		}
		return 0, false
	}
	for k, p := range set.ps {
		if set.first[k] != f0 {
			continue
		}
		if n, ok := prefixFold(s, p); ok {
			return n, true
		}
	}
	return 0, false
}

// mayMatch: some prefix of the set starts with f0.
func (set *prefixSet) mayMatch(f0 rune) bool {
	for _, f := range set.first {
		if f == f0 {
			return true
		}
	}
	return false
}
