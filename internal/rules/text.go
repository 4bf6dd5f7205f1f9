package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// normWords lower-cases s, folds ё to е and splits it into words of letters
// and digits. A word already in that form is a substring of s, the others
// are folded into one buffer.
func normWords(s string) []string {
	return appendNormWords(make([]string, 0, len(s)/12+4), s)
}

// appendNormWords appends the normWords of s to ws.
func appendNormWords(ws []string, s string) []string {
	// A word is s[from:i] until a rune of it must be folded; then it is
	// copied into buf and goes on there (from buf[at:]). A Builder only
	// appends, so the strings it gave stay valid as it grows.
	var buf strings.Builder
	from, at := -1, -1 // from: where the current word starts in s (-1: between words); at: in buf (-1: not folded)
	// fold switches the current word (started) to buf before the rune at i.
	fold := func(i int) {
		if at < 0 {
			if buf.Cap() == 0 {
				buf.Grow(max(64, 2*(i-from)))
			}
			at = buf.Len()
			buf.WriteString(s[from:i])
		}
	}
	// keep adds the letter or digit r of n bytes at i to the current word.
	keep := func(i, n int, r rune) {
		if f := foldRune(r); f != r {
			fold(i)
			buf.WriteRune(f)
		} else if at >= 0 {
			buf.WriteString(s[i : i+n])
		}
	}
	end := func(i int) {
		switch {
		case from < 0:
		case at >= 0:
			ws = append(ws, buf.String()[at:])
		default:
			ws = append(ws, s[from:i])
		}
		from, at = -1, -1
	}
	for i := 0; i < len(s); {
		// A run of bytes that are already folded letters or digits (a-z,
		// 0-9, а-я) is taken as it is.
		j := i
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf && foldedASCII[c] {
				j++
			} else if j+1 < len(s) && (c == 0xD0 && s[j+1] >= 0xB0 && s[j+1] <= 0xBF || c == 0xD1 && s[j+1] >= 0x80 && s[j+1] <= 0x8F) {
				j += 2
			} else {
				break
			}
		}
		if j > i {
			if from < 0 {
				from = i
			}
			if at >= 0 {
				buf.WriteString(s[i:j])
			}
			if i = j; i >= len(s) {
				break
			}
		}
		c := s[i]
		// The common runes are folded here without decoding: ASCII, and
		// Cyrillic А..я and Ёё.
		switch {
		case c < utf8.RuneSelf:
			if 'A' <= c && c <= 'Z' {
				if from < 0 {
					from = i
				}
				fold(i)
				buf.WriteByte(c + 'a' - 'A')
			} else { // not a-z or 0-9 (the run above took those)
				end(i)
			}
			i++
		case (c == 0xD0 || c == 0xD1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			// Cyrillic U+0400–U+047F: letters from Ѐ (U+0400) to ѿ (U+047F);
			// а..я were taken by the run above.
			d := s[i+1]
			if from < 0 {
				from = i
			}
			switch {
			case c == 0xD0 && d >= 0x90 && d <= 0x9F: // А..П
				fold(i)
				buf.WriteByte(0xD0)
				buf.WriteByte(d + 0x20)
			case c == 0xD0 && d >= 0xA0 && d <= 0xAF: // Р..Я
				fold(i)
				buf.WriteByte(0xD1)
				buf.WriteByte(d - 0x20)
			case c == 0xD0 && d == 0x81, c == 0xD1 && d == 0x91: // Ё, ё
				fold(i)
				buf.WriteByte(0xD0)
				buf.WriteByte(0xB5)
			default:
				keep(i, 2, rune(c&0x1F)<<6|rune(d&0x3F))
			}
			i += 2
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				if from < 0 {
					from = i
				}
				keep(i, n, r)
			} else {
				end(i)
			}
			i += n
		}
	}
	end(len(s))
	return ws
}

// foldedASCII: a-z and 0-9, the ASCII bytes normWords keeps as they are.
var foldedASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	return t
}()

// foldRune lower-cases r and folds ё to е.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	switch {
	case r >= 'а' && r <= 'я':
		return r
	case r >= 'А' && r <= 'Я':
		return r + 'а' - 'А'
	case r == 'ё' || r == 'Ё':
		return 'е'
	}
	return unicode.ToLower(r)
}

// lower folds s with foldRune (for comparisons only: byte offsets may change).
// ASCII and Cyrillic А..я, Ё, ё are folded here without decoding; a text
// with other runes goes through strings.Map.
func lower(s string) string {
	var b strings.Builder // empty while s is already folded
	for i := 0; i < len(s); {
		c := s[i]
		f0, f1, n := c, byte(0), 1 // the folded rune's bytes and its size
		switch {
		case c < utf8.RuneSelf:
			if 'A' <= c && c <= 'Z' {
				f0 = c + 'a' - 'A'
			}
		case c&^1 == 0xD0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			d := s[i+1]
			n = 2
			switch {
			case c == 0xD0 && d >= 0xB0, c == 0xD1 && d <= 0x8F: // а..п, р..я
				f1 = d
			case c == 0xD0 && d >= 0x90 && d <= 0x9F: // А..П
				f1 = d + 0x20
			case c == 0xD0 && d >= 0xA0 && d <= 0xAF: // Р..Я
				f0, f1 = 0xD1, d-0x20
			case c == 0xD0 && d == 0x81, c == 0xD1 && d == 0x91: // Ё, ё
				f0, f1 = 0xD0, 0xB5
			default:
				return strings.Map(foldRune, s)
			}
		default:
			return strings.Map(foldRune, s)
		}
		if b.Cap() == 0 {
			if f0 == c && (n == 1 || f1 == s[i+1]) {
				i += n
				continue
			}
			b.Grow(len(s))
			b.WriteString(s[:i])
		}
		b.WriteByte(f0)
		if n == 2 {
			b.WriteByte(f1)
		}
		i += n
	}
	if b.Cap() == 0 {
		return s
	}
	return b.String()
}

// split is a message body cut into the sender's own text and the rest
// (quoted or forwarded material).
type split struct {
	own  string // the sender's own lines, without ">" quotes
	rest string // from the first reply/forward marker on ("" if none)
	fwd  bool   // rest starts with a forward marker (as opposed to a reply header)
	// quoted: lines quoted with ">" were dropped, so own is not a prefix
	// of the text. When it is, splitBody(own).own is own again: no line of
	// own was a marker with the text after it, and so none is with the
	// shorter text of own after it (see ownAgain).
	quoted bool
}

// ownAgain is splitBody(sp.own).own, what ExtractIdentity reads.
func (sp *split) ownAgain() string {
	if !sp.quoted {
		return sp.own
	}
	return splitBody(sp.own).own
}

// splitBody separates the sender's own text from quoted and forwarded
// material: it stops at the first reply or forward marker and drops lines
// quoted with ">".
func splitBody(text string) split {
	// own is text[:pos] while no line has been dropped, a copy after.
	var own strings.Builder
	dropped := false
	for pos := 0; pos < len(text); {
		end := len(text)
		if k := strings.IndexByte(text[pos:], '\n'); k >= 0 {
			end = pos + k + 1
		}
		line := text[pos:end]
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ">") {
			if !dropped {
				own.WriteString(text[:pos])
				dropped = true
			}
			pos = end
			continue
		}
		if fwd, ok := markerLine(t, text[end:]); ok {
			o := text[:pos]
			if dropped {
				o = own.String()
			}
			return split{own: o, rest: text[pos:], fwd: fwd, quoted: dropped}
		}
		if dropped {
			own.WriteString(line)
		}
		pos = end
	}
	if dropped {
		return split{own: own.String(), quoted: true}
	}
	return split{own: text}
}

// maybeMarker is markerLine's cheap no: a marker ends with ":" or starts
// (after the decoration trimmed below) with the first letters of a marker
// or of "from"/"от".
func maybeMarker(line string) bool {
	if line == "" {
		return false
	}
	if t := strings.Trim(line, "-–— _*="); !strings.HasSuffix(t, ":") {
		r1, n := utf8.DecodeRuneInString(t)
		r2, _ := utf8.DecodeRuneInString(t[n:])
		switch [2]rune{foldRune(r1), foldRune(r2)} {
		case [2]rune{'f', 'o'}, [2]rune{'f', 'r'}, [2]rune{'b', 'e'}, [2]rune{'o', 'r'},
			[2]rune{'п', 'е'}, [2]rune{'н', 'а'}, [2]rune{'и', 'с'}, [2]rune{'о', 'т'}:
		default:
			return false
		}
	}
	return true
}

// markerLine reports whether line starts quoted or forwarded material, and
// whether it is a forward; after is the text after the line.
func markerLine(line string, after string) (fwd, ok bool) {
	if !maybeMarker(line) {
		return false, false
	}
	// The markers are compared with the line as prefixFold does (the same
	// as lower-casing it first: the trimmed signs fold to themselves); the
	// line is lower-cased only when it ends with ":" or starts "from"/"от".
	t := strings.Trim(line, "-–— _*=")
	f0 := firstFold(t)
	if _, ok := forwardMarkersSet.match(t, f0); ok {
		return true, true
	}
	if _, ok := replyMarkersSet.match(t, f0); ok {
		return false, true
	}
	_, from := prefixFold(t, "from")
	_, ot := prefixFold(t, "от")
	if !from && !ot && !strings.HasSuffix(t, ":") {
		return false, false
	}
	low := lower(line)
	low = strings.Trim(low, "-–— _*=")
	// "23.04.2024, 10:15, Иван <ivan@example.org>:" / "On ..., X wrote:"
	if strings.HasSuffix(low, ":") {
		for _, m := range wroteSuffixes {
			if strings.HasSuffix(low, m) {
				return false, true
			}
		}
		if strings.Contains(low, "@") && strings.ContainsAny(low, "0123456789") && len(low) < 200 {
			return false, true
		}
	}
	// An Outlook header block: "From:"/"От:" followed by Sent/Date and Subject lines.
	if isHeaderLine(low, "from", "от") {
		seen := 0
		for j := 0; after != "" && j < 5; j++ {
			var next string
			if k := strings.IndexByte(after, '\n'); k >= 0 {
				next, after = after[:k+1], after[k+1:]
			} else {
				next, after = after, ""
			}
			n := lower(strings.TrimSpace(next))
			if isHeaderLine(n, "sent", "date", "отправлено", "дата", "subject", "тема", "to", "кому") {
				seen++
			}
		}
		if seen >= 2 {
			return false, true
		}
	}
	return false, false
}

// isHeaderLine reports whether low (lower-cased) is "name: value" for one of names.
func isHeaderLine(low string, names ...string) bool {
	for _, n := range names {
		if strings.HasPrefix(low, n) {
			rest := strings.TrimLeft(low[len(n):], " \t")
			if strings.HasPrefix(rest, ":") {
				return true
			}
		}
	}
	return false
}

var forwardMarkers = []string{
	"forwarded message", "пересылаемое сообщение", "перенаправленное сообщение",
	"переадресованное сообщение", "начало переадресованного сообщения", "begin forwarded message",
	"пересланное сообщение",
}

var replyMarkers = []string{"original message", "исходное сообщение", "исходное письмо"}

var forwardMarkersSet, replyMarkersSet = newPrefixSet(forwardMarkers), newPrefixSet(replyMarkers)

var wroteSuffixes = []string{"wrote:", "пишет:", "писал:", "писала:", "написал:", "написала:", "написал(а):", "написали:"}

// forwardHeaderNames are the header lines of a forwarded block.
var forwardHeaderNames = []string{
	"from", "от", "date", "дата", "sent", "отправлено", "subject", "тема", "to", "кому",
	"cc", "копия", "reply-to", "ответить",
}

// cleanSubject drops reply/forward prefixes and ticket tags from a subject.
func cleanSubject(s string) string {
	for {
		t := strings.TrimSpace(s)
		if strings.HasPrefix(t, "[") {
			if i := strings.IndexByte(t, ']'); i > 0 {
				s = t[i+1:]
				continue
			}
		}
		cut := false
		for _, p := range []string{"re:", "fwd:", "fw:", "отв:", "ответ:", "пер:", "перес:"} {
			if n, ok := prefixFold(t, p); ok {
				s = t[n:]
				cut = true
				break
			}
		}
		if !cut {
			return t
		}
	}
}

// textWords are the normalised words of a text, tokenised once per
// message and shared by every rule: a small bitmap of their first two bytes,
// so that most phrases are rejected at once, and the words' positions
// bucketed by how they start, so that a phrase is looked for only where a
// word that can begin it stands instead of along the whole text.
type textWords struct {
	ws     []string
	first  [4]uint64
	first4 [key4Size / 64]uint64 // key4 of the words of four bytes or more
	calls  int                   // has() calls that passed the bit map
	found  []int                 // builtin()
	idx    *wordIndex            // made on first use
}

// wordIndex holds the positions of a text's words by how they start: by2
// those of the words by startKey, by4 those of the words of four bytes or
// more by key4; each in text order. at2[k] and at4[k] are where bucket k
// starts (len+1 entries).
type wordIndex struct {
	by2, by4 []int32
	at2      [257]int32
	at4      [key4Size + 1]int32
}

const key4Size = 1024

// key4 hashes the first four bytes of w (len(w) >= 4).
func key4(w string) int {
	return int((uint32(w[0])<<24|uint32(w[1])<<16|uint32(w[2])<<8|uint32(w[3]))*2654435761>>22) & (key4Size - 1)
}

func newTextWords(ws []string) *textWords {
	t := &textWords{ws: ws}
	for _, w := range ws {
		k := startKey(w)
		t.first[k>>6] |= 1 << (k & 63)
		if len(w) >= 4 {
			k := key4(w)
			t.first4[k>>6] |= 1 << (k & 63)
		}
	}
	return t
}

// index fills the buckets (a counting sort) on first use.
func (t *textWords) index() *wordIndex {
	if t.idx != nil {
		return t.idx
	}
	x := &wordIndex{}
	t.idx = x
	n4 := 0
	for _, w := range t.ws {
		x.at2[int(startKey(w))+1]++
		if len(w) >= 4 {
			x.at4[key4(w)+1]++
			n4++
		}
	}
	for k := 1; k < len(x.at2); k++ {
		x.at2[k] += x.at2[k-1]
	}
	for k := 1; k < len(x.at4); k++ {
		x.at4[k] += x.at4[k-1]
	}
	x.by2, x.by4 = make([]int32, len(t.ws)), make([]int32, n4)
	var fill2 [256]int32
	var fill4 [key4Size]int32
	for i, w := range t.ws {
		k := startKey(w)
		x.by2[x.at2[k]+fill2[k]] = int32(i)
		fill2[k]++
		if len(w) >= 4 {
			k := key4(w)
			x.by4[x.at4[k]+fill4[k]] = int32(i)
			fill4[k]++
		}
	}
	return x
}

func startKey(w string) byte {
	if len(w) < 2 {
		return w[0]
	}
	return w[0]*7 + w[1]
}

// has reports whether phrase occurs in the words. Every word of the phrase
// must start like some word of the text, which rejects most phrases cheaply.
func (t *textWords) has(phrase string) bool {
	if phrase == "" {
		return false
	}
	for rest := phrase; rest != ""; {
		var p string
		p, rest, _ = strings.Cut(rest, " ")
		if p == "*" || p == "#" || p == "" {
			continue
		}
		k := startKey(p)
		if t.first[k>>6]&(1<<(k&63)) == 0 {
			return false
		}
		// A word of four bytes or more (without its "=") begins every
		// word that matches it, so its first four bytes are in first4.
		if stem := strings.TrimSuffix(p, "="); len(stem) >= 4 {
			if k := key4(stem); t.first4[k>>6]&(1<<(k&63)) == 0 {
				return false
			}
		}
	}
	first, rest, _ := strings.Cut(phrase, " ")
	if first == "*" || first == "#" || first == "" {
		return phraseIn(t.ws, phrase)
	}
	// Only the words that wordMatch(w, first) accepts can start the phrase:
	// they all begin with first (without a trailing "="), so they are in
	// first's bucket.
	// The first few phrases are looked for along the words; the buckets
	// are filled when more come (an operator's many keywords).
	if t.calls++; t.calls <= 4 {
		return phraseIn(t.ws, phrase)
	}
	x := t.index()
	stem := strings.TrimSuffix(first, "=")
	var cands []int32
	if len(stem) >= 4 {
		k := key4(stem)
		cands = x.by4[x.at4[k]:x.at4[k+1]]
	} else {
		k := startKey(stem)
		cands = x.by2[x.at2[k]:x.at2[int(k)+1]]
	}
	for _, at := range cands {
		if wordMatch(t.ws[at], first) && phraseFrom(t.ws, int(at)+1, rest) {
			return true
		}
	}
	return false
}

// phraseIn reports whether phrase (normalised words separated by single
// spaces) occurs in words: its words in order, each within maxGap extra
// words of the previous one. A phrase word "*" matches any word, "#" any
// number; a word of up to three letters or one ending in "=" must match
// exactly; longer words are stems (prefixes).
func phraseIn(words []string, phrase string) bool {
	first, rest, _ := strings.Cut(phrase, " ")
	for i, w := range words {
		if wordMatch(w, first) && phraseFrom(words, i+1, rest) {
			return true
		}
	}
	return false
}

const maxGap = 2

func phraseFrom(words []string, from int, phrase string) bool {
	if phrase == "" {
		return true
	}
	p, rest, _ := strings.Cut(phrase, " ")
	for i := from; i < len(words) && i <= from+maxGap; i++ {
		if wordMatch(words[i], p) && phraseFrom(words, i+1, rest) {
			return true
		}
	}
	return false
}

func wordMatch(w, p string) bool {
	switch p {
	case "*":
		return true
	case "#":
		return isDigits(w)
	}
	if exact, ok := strings.CutSuffix(p, "="); ok {
		return w == exact
	}
	if !strings.HasPrefix(w, p) {
		return false
	}
	// A prefix match; short phrase words must match the whole word.
	return len(w) == len(p) || len(p) > 6 || utf8.RuneCountInString(p) > 3
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normPhrase brings an operator-supplied phrase into the form phraseIn
// expects: lower case, ё folded, words split as in text, "*", "#" and a
// trailing "=" kept.
func normPhrase(p string) string {
	var out []string
	for _, f := range strings.Fields(p) {
		if f == "*" || f == "#" {
			out = append(out, f)
			continue
		}
		exact := strings.HasSuffix(f, "=")
		ws := normWords(strings.TrimSuffix(f, "="))
		if len(ws) == 0 {
			continue
		}
		if exact {
			ws[len(ws)-1] += "="
		}
		out = append(out, ws...)
	}
	return strings.Join(out, " ")
}

// builtin returns, for each list of builtinPhrases, the index of its first
// phrase that occurs in the words, or -1 (found in one pass, once).
func (t *textWords) builtin() []int {
	if t.found == nil {
		t.found = builtinPhrases.firstIn(t.ws)
	}
	return t.found
}
