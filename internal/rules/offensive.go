package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Offensive reports whether text contains obscene or insulting words
// (§4.6.3) and returns the matched words in normalised form, each once, in
// order of appearance. extra are operator stems (see Config).
//
// Words are normalised before matching: lower case, ё→е, Latin look-alikes
// and digits in Cyrillic words (xyй, 6ля, 3аебал, п0шел), masking
// characters as wildcards (х*й, бл@ть), repeated letters collapsed
// (сууука), and letters spaced or dotted apart joined (х у й, п.и.з.д.а).
// Roots are then matched with the prefixes and positions Russian uses, so
// that ordinary words (употреблять, корабль, застраховать, команда) never
// fire. E-mail addresses and links are ignored.
func Offensive(text string, extra []string) (bool, []string) {
	ws := offensiveWords(text, extra, nil)
	return len(ws) > 0, ws
}

// offMatcher carries the operator additions for one call.
type offMatcher struct {
	extra  []string // normalised stems; a leading "*" matches anywhere
	except map[string]bool
	found  []string
}

func offensiveWords(text string, extra, except []string) []string {
	return offensiveIn(extra, except, text)
}

// offensiveIn is offensiveWords on the texts one after the other, as if
// joined by newlines (no word, run or phrase is joined across a newline).
func offensiveIn(extra, except []string, texts ...string) []string {
	m := offMatcher{}
	for _, e := range extra {
		anywhere := strings.HasPrefix(e, "*")
		n := collapse(cyrForm(strings.TrimPrefix(e, "*"), true))
		if n == "" {
			continue
		}
		if anywhere {
			n = "*" + n
		}
		m.extra = append(m.extra, n)
	}
	if len(except) > 0 {
		m.except = make(map[string]bool, len(except))
		for _, e := range except {
			m.except[collapse(cyrForm(e, true))] = true
			m.except[collapse(latinForm(e, false))] = true
		}
	}
	// A token checked once gives the same answer again (found keeps the
	// first occurrence), so each distinct token is checked once.
	var seen map[string]struct{}
	for _, text := range texts {
		m.scan(text, &seen)
	}
	return m.found
}

// scan checks the tokens of text; seen holds the tokens checked (made on
// first use).
func (m *offMatcher) scan(text string, seen *map[string]struct{}) {
	toks := offTokens(text)
	for i, t := range toks {
		if raw := text[t.start:t.end]; !(len(m.extra) == 0 && t.clean) {
			if *seen == nil {
				*seen = make(map[string]struct{}, 16)
			}
			if !has(*seen, raw) {
				m.check(raw)
			}
		}
		// The joins below need a one-byte gap after the token (and the
		// runs a one-letter token): most tokens are rejected here.
		short := t.end-t.start <= utf8.UTFMax
		gap1 := i+1 < len(toks) && !t.brk && toks[i+1].start-t.end == 1
		// "ёб твою мать": the bare root before its object.
		if short && gap1 && joinable(text, t, toks[i+1], " ") {
			m.ebPhrase(text[t.start:t.end], text[toks[i+1].start:toks[i+1].end])
		}
		// Letters spaced apart: "х у й", "с.у.к.а".
		if short && oneLetter(text, t) {
			if j := singleLetterRun(text, toks, i); j-i >= 3 {
				m.check(joinTokens(text, toks[i:j]))
			}
		}
		// Pieces glued by in-word punctuation: "ху.йня", "пи-зд-ец".
		if gap1 && isGluedSep[text[t.end]] {
			if j := gluedRun(text, toks, i); j-i >= 2 && hasShortPiece(text, toks[i:j]) {
				m.check(joinTokens(text, toks[i:j]))
			}
		}
	}
}

type offTok struct {
	start, end int32 // a message's text is far shorter than 2 GB
	brk        bool  // an address or link follows: never join across it
	// clean: the token is an ordinary word in Cyrillic letters that
	// matchRu certainly rejects (cyrRootsOnce.plainClean, found while
	// tokenising).
	clean bool
}

func isOffRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '*' || c == '@' || c == '$' || c == '#' || c == '%'
	}
	if r >= 0x400 && r <= 0x481 { // the Cyrillic letters
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '*' || r == '@' || r == '$' || r == '#' || r == '%'
}

// offTokens splits text into word tokens, skipping e-mail addresses and
// links: one pass, with ASCII and Cyrillic runes classified without
// decoding.
func offTokens(text string) []offTok {
	toks := make([]offTok, 0, len(text)/10+8)
	for i := 0; i < len(text); {
		if c := text[i]; c == ' ' || '\t' <= c && c <= '\r' {
			i++ // an ASCII space between chunks
			continue
		}
		first := len(toks)
		addrish := false // the chunk holds "@" or ":"
		start := -1
		// A token starting with a Cyrillic letter is read by cleanRun as
		// far as it is plain; it is clean when it ends there.
		cleanStart, cleanEnd := -1, -1
		j := i
	chunk:
		for j < len(text) {
			if start >= 0 {
				// The rest of a token (letters, digits, masks; "@" marks
				// an address, see below) in a loop without calls.
				for j < len(text) {
					c := text[j]
					if c < utf8.RuneSelf {
						if !offASCII[c] || c == '@' {
							break
						}
						j++
					} else if (c == 0xD0 || c == 0xD1) && j+1 < len(text) && text[j+1]&0xC0 == 0x80 {
						j += 2
					} else {
						break
					}
				}
				if j >= len(text) {
					break
				}
			}
			c := text[j]
			n := 1
			var off bool
			switch {
			case c < utf8.RuneSelf:
				if c == ' ' || '\t' <= c && c <= '\r' {
					break chunk
				}
				off = offASCII[c]
				addrish = addrish || c == '@' || c == ':'
			case (c == 0xD0 || c == 0xD1) && j+1 < len(text) && text[j+1]&0xC0 == 0x80:
				if start < 0 {
					end, ok := cyrRootsOnce.cleanRun(text, j)
					start, cleanStart = j, j
					if cleanEnd = -1; ok {
						cleanEnd = end
					}
					j = end
					continue
				}
				off, n = true, 2 // U+0400–U+047F: Cyrillic letters
			default:
				var r rune
				r, n = utf8.DecodeRuneInString(text[j:])
				if isSpace(r) {
					break chunk
				}
				off = isOffRune(r)
			}
			if off {
				if start < 0 {
					start = j
				}
			} else if start >= 0 {
				toks = append(toks, offTok{start: int32(start), end: int32(j), clean: start == cleanStart && j == cleanEnd})
				start = -1
			}
			j += n
		}
		if j == i { // a space
			_, n := utf8.DecodeRuneInString(text[i:])
			i += n
			continue
		}
		if start >= 0 {
			toks = append(toks, offTok{start: int32(start), end: int32(j), clean: start == cleanStart && j == cleanEnd})
		}
		if c := text[i:j]; (addrish || len(c) > 4 && c[0]|0x20 == 'w') && isAddrChunk(c) {
			toks = toks[:first]
			if len(toks) > 0 {
				toks[len(toks)-1].brk = true
			}
		}
		i = j
	}
	return toks
}

// offASCII is isOffRune for ASCII.
var offASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isOffRune(rune(c))
	}
	return t
}()

// isAddrChunk: a link or an e-mail address.
func isAddrChunk(c string) bool {
	if !strings.ContainsAny(c, "@:") && !(len(c) > 4 && c[0]|0x20 == 'w') {
		return false
	}
	c = strings.Trim(c, "<>()[]{},;:\"'«»")
	// lower(c) holds "://" exactly when c does: no other rune folds to them.
	if _, www := prefixFold(c, "www."); www || strings.Contains(c, "://") {
		return true
	}
	at := strings.LastIndexByte(c, '@')
	if at <= 0 {
		return false
	}
	dom := strings.TrimRight(c[at+1:], ".")
	dot := strings.IndexByte(dom, '.')
	if dot <= 0 || dot == len(dom)-1 {
		return false
	}
	for i := 0; i < len(dom); i++ {
		b := dom[i] | 0x20
		if !(b >= 'a' && b <= 'z' || dom[i] >= '0' && dom[i] <= '9' || dom[i] == '.' || dom[i] == '-') {
			return false
		}
	}
	return true
}

// singleLetterRun returns the end of the run of one-letter tokens starting
// at i that are separated by exactly one space or in-word mark.
func singleLetterRun(text string, toks []offTok, i int) int {
	if i > 0 && oneLetter(text, toks[i-1]) && joinable(text, toks[i-1], toks[i], " .-_,/|+~") {
		return i // not the start of a run
	}
	j := i
	for j < len(toks) && oneLetter(text, toks[j]) {
		j++
		if j < len(toks) && !joinable(text, toks[j-1], toks[j], " .-_,/|+~") {
			break
		}
	}
	return j
}

// gluedSeps glue the pieces of a word ("ху.йня", "пи-зд-ец").
const gluedSeps = ".-_'`~"

// isGluedSep: the byte is one of gluedSeps.
var isGluedSep = func() (t [256]bool) {
	for i := 0; i < len(gluedSeps); i++ {
		t[gluedSeps[i]] = true
	}
	return t
}()

// gluedRun returns the end of the run of tokens starting at i glued by a
// single in-word punctuation mark (no spaces).
func gluedRun(text string, toks []offTok, i int) int {
	if i > 0 && joinable(text, toks[i-1], toks[i], gluedSeps) {
		return i
	}
	j := i + 1
	for j < len(toks) && joinable(text, toks[j-1], toks[j], gluedSeps) {
		j++
	}
	return j
}

func oneLetter(text string, t offTok) bool {
	switch n := t.end - t.start; {
	case n > utf8.UTFMax:
		return false
	case n == 1: // ASCII (a token holds no lone byte from 0x80 on)
		c := text[t.start]
		return 'a' <= c|0x20 && c|0x20 <= 'z' || c == '@' || c == '*'
	case n == 2 && text[t.start]&^1 == 0xD0 && text[t.start+1]&0xC0 == 0x80:
		return true // a Cyrillic letter U+0400–U+047F
	}
	r, n := utf8.DecodeRuneInString(text[t.start:t.end])
	return n == int(t.end-t.start) && (unicode.IsLetter(r) || r == '@' || r == '*')
}

// joinable: a and b are separated by exactly one of seps (ASCII).
func joinable(text string, a, b offTok, seps string) bool {
	return !a.brk && b.start-a.end == 1 && strings.IndexByte(seps, text[a.end]) >= 0
}

func hasShortPiece(text string, toks []offTok) bool {
	for _, t := range toks {
		if utf8.RuneCountInString(text[t.start:t.end]) <= 2 {
			return true
		}
	}
	return false
}

func joinTokens(text string, toks []offTok) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(text[t.start:t.end])
	}
	return b.String()
}

// check normalises one raw token and records it when it matches.
func (m *offMatcher) check(raw string) {
	raw = strings.Trim(raw, "*#%")
	if raw == "" {
		return
	}
	cyr, lat, lookalike := scripts(raw)
	switch {
	case cyr:
		m.try(collapse(cyrForm(raw, true)), cyrAlphabet, matchRu)
	case lat:
		if m.try(collapse(latinForm(raw, false)), latAlphabet, matchEn) {
			return
		}
		if strings.Contains(raw, "4") && m.try(collapse(latinForm(raw, true)), latAlphabet, matchEn) {
			return
		}
		if lookalike {
			m.try(collapse(cyrForm(raw, false)), cyrAlphabet, matchRu)
		}
	}
}

const (
	cyrAlphabet = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
	latAlphabet = "abcdefghijklmnopqrstuvwxyz"
)

// try matches w, expanding up to two "*" wildcards with letters of alphabet.
func (m *offMatcher) try(w, alphabet string, match func(string) bool) bool {
	if w == "" || m.except[w] {
		return false
	}
	stars := strings.Count(w, "*")
	if stars == 0 {
		if match(w) || m.matchExtra(w) {
			m.add(w)
			return true
		}
		return false
	}
	if stars > 2 || utf8.RuneCountInString(w)-stars < stars+1 {
		return false
	}
	i := strings.IndexByte(w, '*')
	for _, r := range alphabet {
		c := w[:i] + string(r) + w[i+1:]
		if m.except[c] {
			continue
		}
		if strings.IndexByte(c, '*') >= 0 {
			if m.try(c, alphabet, match) {
				return true
			}
			continue
		}
		if match(c) || m.matchExtra(c) {
			m.add(c)
			return true
		}
	}
	return false
}

// ebObjects follow a bare "ёб" in the curse «ёб твою мать».
var ebObjects = map[string]bool{"твою": true, "твоюмать": true, "вашу": true, "тебя": true, "вас": true,
	"его": true, "ее": true, "их": true, "мать": true}

// ebPhrase records «ёб твою …»: a bare "еб"/"ёб" is not a word on its own
// (ЕБ is an abbreviation), but it is before one of ebObjects.
func (m *offMatcher) ebPhrase(first, second string) {
	if len(first) > 4 || utf8.RuneCountInString(first) != 2 {
		return // a cheap reject: "ёб" is two runes
	}
	// Only б, Б and 6 end up as the б of "еб" in cyrForm.
	if !strings.HasSuffix(first, "б") && !strings.HasSuffix(first, "Б") && !strings.HasSuffix(first, "6") {
		return
	}
	f, s := collapse(cyrForm(first, true)), collapse(cyrForm(second, true))
	if f != "еб" || !ebObjects[s] {
		return
	}
	if w := f + " " + s; !m.except[w] {
		m.add(w)
	}
}

func (m *offMatcher) matchExtra(w string) bool {
	for _, e := range m.extra {
		if s, ok := strings.CutPrefix(e, "*"); ok {
			if strings.Contains(w, s) {
				return true
			}
		} else if strings.HasPrefix(w, e) {
			return true
		}
	}
	return false
}

func (m *offMatcher) add(w string) {
	for _, f := range m.found {
		if f == w {
			return
		}
	}
	m.found = append(m.found, w)
}

// scripts classifies a token: any Cyrillic letter, any Latin letter, and
// whether every Latin letter is a Cyrillic look-alike.
func scripts(s string) (cyr, lat, lookalike bool) {
	lookalike = true
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			c := byte(r) | 0x20
			if c >= 'a' && c <= 'z' {
				lat = true
				if !strings.ContainsRune("aeopcxykmthb", rune(c)) {
					lookalike = false
				}
			}
		case r >= 0x400 && r <= 0x484 || unicode.Is(unicode.Cyrillic, r):
			cyr = true
		case unicode.IsLetter(r):
			lookalike = false
		}
	}
	return cyr, lat, lookalike && lat
}

// cyrForm lower-cases s, folds ё, maps Latin look-alikes, digits and "@"
// to Cyrillic letters and masking characters to "*". mixed also maps the
// looser look-alikes (n→п, u→и, r→г, z→з) used inside Cyrillic words.
// Only a lone digit stands for a letter (п1здец, 3аебал, 6ля); a run of
// digits is a number and is kept (10шт, 16гб).
func cyrForm(s string, mixed bool) string {
	plain := true
	for _, r := range s {
		if r < 'а' || r > 'я' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		r = foldRune(r)
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case c >= 'a' && c <= 'z':
				if m := lookalikes[c-'a']; m != 0 && (mixed || !strings.ContainsRune("nurz", r)) {
					r = m
				}
			case c >= '0' && c <= '9':
				if m := digitLetters[c-'0']; m != 0 && loneDigit(s, i) {
					r = m
				}
			case c == '@':
				r = 'а'
			case c == '$':
				r = 'с'
			case c == '*' || c == '#' || c == '%':
				r = '*'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// digitLetters maps 0..9 to the Cyrillic letter it imitates (0: none).
var digitLetters = [10]rune{'о', 'и', 0, 'з', 'ч', 0, 'б', 0, 0, 'я'}

// loneDigit: the digit at byte i of s has no digit next to it.
func loneDigit(s string, i int) bool {
	return (i == 0 || s[i-1] < '0' || s[i-1] > '9') && (i+1 >= len(s) || s[i+1] < '0' || s[i+1] > '9')
}

// lookalikes maps a..z to the Cyrillic letter it imitates (0: none).
var lookalikes = [26]rune{
	'а', 'в', 'с', 0, 'е', 0, 0, 'н', 0, 0, 'к', 0, 'м', 'п', 'о', 'р', 0, 'г', 0, 'т', 'и', 0, 0, 'х', 'у', 'з',
}

// latinForm lower-cases s and undoes leetspeak (0→o, 1→i, 3→e, 4→a, @→a,
// $→s, 5→s; lone digits only, as in cyrForm). ch4 reads a lone 4 as "ch"
// instead, the transliteration of ч (su4ka).
func latinForm(s string, ch4 bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		r = foldRune(r)
		if r >= '0' && r <= '9' && !loneDigit(s, i) {
			b.WriteRune(r)
			continue
		}
		switch r {
		case '0':
			r = 'o'
		case '1':
			r = 'i'
		case '3':
			r = 'e'
		case '4':
			if ch4 {
				b.WriteByte('c')
				r = 'h'
			} else {
				r = 'a'
			}
		case '@':
			r = 'a'
		case '$', '5':
			r = 's'
		case '#', '%':
			r = '*'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// collapse squeezes runs of the same letter: "сууука" → "сука".
func collapse(s string) string {
	var prev rune = -1
	same := false
	for _, r := range s {
		if r == prev {
			same = true
			break
		}
		prev = r
	}
	if !same {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev = -1
	for _, r := range s {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// has adds k to set and reports whether it was there.
func has(set map[string]struct{}, k string) bool {
	if _, ok := set[k]; ok {
		return true
	}
	set[k] = struct{}{}
	return false
}

// isSpace is unicode.IsSpace with the ASCII and Cyrillic answers first.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	if r >= 0x400 && r <= 0x4FF {
		return false
	}
	return unicode.IsSpace(r)
}
