package regform

import (
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/mailmsg"
)

var (
	// strongRE: the words of a connection request on their own.
	strongRE = regexp.MustCompile(`(?i)(заявк\p{L}*|заявлени\p{L}*)\s+(на|о)\s+(подключени|присоединени|предоставлени\p{L}*\s+доступ|доступ|регистраци)|о\s+присоединении\s+к\s+соглашению|подключени\p{L}*\s+персональных\s+рабочих\s+мест`)
	// askRE + connectRE: «прошу/просим … подключение … к … системе».
	askRE     = regexp.MustCompile(`(?i)(прошу|просим)`)
	connectRE = regexp.MustCompile(`(?i)(подключени[ея]|подключить|обеспечить\s+доступ|предоставить\s+доступ|зарегистрировать)[^.\n]{0,120}?\s(к|в)\s[^.\n]{0,80}?(систем|ЕИЦ|ресурс|сервис|ГИС|АИС|МИС)`)
)

// Detect tells whether m looks like a connection request: the subject or
// body speaks of one («заявка на подключение», «заявление о присоединении»,
// «прошу … подключение к … системе»), or the mail holds a table of people
// with the recognised headings.
//
// Most mail is not a connection request, and Detect says so cheaply: the
// patterns run only on text that holds one of their words (compared with
// the same case folding), and the tables are read only when there can be
// one with people's headings (an HTML table near such a heading, tab- or
// pipe-separated lines, a CSV, XLSX, DOCX or text attachment). The answer
// is the full analysis's on every message.
func Detect(m *mailmsg.Message) (ok bool) {
	if m == nil {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	body := m.Text
	if len(body) > 64<<10 {
		body = truncate(body, 64<<10)
	}
	var buf [16]piece
	pieces, found := detectWords.scan(body, buf[:0])
	// The subject's words in the same pass: strongRE and connectRE need one.
	var sbuf [4]piece
	spieces, sfound := detectWords.scan(m.Subject, sbuf[:0])
	if sfound&strongBit != 0 && strongRE.MatchString(m.Subject) {
		return true
	}
	if found&strongBit != 0 {
		for _, p := range pieces {
			if p.mask&strongBit != 0 && p.end-p.start >= 4 && strongRE.MatchString(body[p.start:p.end]) {
				return true
			}
		}
	}
	// askRE is one of askWords, so the fold finds it exactly.
	if found&askBit != 0 && connectMatch(m.Subject, body, spieces, pieces, sfound, found) {
		return true
	}
	if !mayHoldTable(m) {
		return false
	}
	for _, s := range collectSources(m, newBudget()) {
		if r := readPeople(s); r != nil && len(r.people) > 0 && peopleTable(r) {
			return true
		}
	}
	return false
}

// The words without which strongRE, askRE and connectRE cannot match,
// case-folded by foldCase.
var (
	strongWords    = foldAll("заяв", "присоединении", "подключени")
	askWords       = foldAll("прошу", "просим")
	connectVerbs   = foldAll("подключени", "подключить", "обеспечить", "предоставить", "зарегистрировать")
	connectObjects = foldAll("систем", "еиц", "ресурс", "сервис", "гис", "аис", "мис")
	// headingWords: a people table's header names the person, the e-mail
	// or the contacts (isHeader) with one of these words. They are compared
	// with the letters of the text only (letters).
	headingWords = foldAll("фио", "фамили", "сотрудник", "работник", "пользовател",
		"специалист", "mail", "почт", "электронн", "контакт", "связ")
)

// The groups of detectWords: bits of piece.mask.
const (
	strongBit = 1 << iota
	askBit
	verbBit
	objectBit
)

// detectWords finds the words of strongRE, askRE and connectRE in one pass.
var detectWords = newWordScanner(strongWords, askWords, connectVerbs, connectObjects)

// connectMatch is connectRE.MatchString(subject+"\n"+body) when the body or
// subject hold a verb and an object of connectRE: connectRE's matches never
// hold a ".", so it runs only on the pieces between full stops that hold
// both. pieces and found are detectWords.scan(body), spieces and sfound
// detectWords.scan(subject).
func connectMatch(subject, body string, spieces, pieces []piece, sfound, found uint8) bool {
	const both = verbBit | objectBit
	var buf [4]piece
	if (found|sfound)&both != both {
		return false
	}
	try := func(s string, mask uint8) bool {
		return mask&both == both && len(s) >= 4 && connectRE.MatchString(s)
	}
	// The subject's last piece and the body's first are one piece of
	// subject+"\n"+body.
	tail := strings.LastIndexByte(subject, '.') + 1
	for _, p := range spieces {
		if p.end < tail && try(subject[p.start:p.end], p.mask) {
			return true
		}
	}
	head := strings.IndexByte(body, '.')
	if head < 0 {
		head = len(body)
	}
	joined := subject[tail:] + "\n" + body[:head]
	if _, jf := detectWords.scan(joined, buf[:0]); try(joined, jf) {
		return true
	}
	for _, p := range pieces {
		if p.start > head && try(body[p.start:p.end], p.mask) {
			return true
		}
	}
	return false
}

// piece is a stretch of a text between full stops and the groups of words
// found in it.
type piece struct {
	start, end int
	mask       uint8
}

// wordScanner looks for several groups of words (folded by foldCase) in a
// text in one pass: an Aho–Corasick automaton over the folded bytes, each
// rune folded to a class (the bytes no word holds are class 0).
type wordScanner struct {
	class [256]uint8 // a folded byte's class
	ascii [128]uint8 // an ASCII byte's class (its fold's)
	// cyr is the class of a two-byte Cyrillic letter U+0400–U+047F by its
	// lead byte's last bit and its second byte (slowCyr: not a continuation
	// byte, or a letter to fold with foldByte).
	cyr    [2][256]uint8
	nclass int
	// next is the transition table: a state is its row's offset
	// (state*nclass), and next[state+class] is the next state in the low 16
	// bits and the groups whose words end there above them.
	next []uint32
}

const slowCyr = 0xFF

func newWordScanner(groups ...[]string) *wordScanner {
	w := &wordScanner{nclass: 1}
	for _, g := range groups {
		for _, word := range g {
			for i := 0; i < len(word); i++ {
				if w.class[word[i]] == 0 {
					w.class[word[i]] = uint8(w.nclass)
					w.nclass++
				}
			}
		}
	}
	if w.nclass >= slowCyr || len(groups) > 8 {
		panic("regform: too many letters or groups for a wordScanner")
	}
	for c := range w.ascii {
		w.ascii[c] = w.class[foldCase(string(rune(c)))[0]]
	}
	for lead := range w.cyr {
		for d := range w.cyr[lead] {
			w.cyr[lead][d] = slowCyr
			s := string([]byte{0xD0 | byte(lead), byte(d)})
			if d&0xC0 != 0x80 {
				continue // not a continuation byte
			}
			if r, _ := utf8.DecodeRuneInString(s); r >= 0x460 {
				continue // folds outside U+0400–U+045F: foldByte
			}
			f, _ := foldByte(s, 0)
			w.cyr[lead][d] = w.class[f]
		}
	}
	// The trie (0 in goTo: none; the root is state 0, never a target).
	goTo := [][]uint16{make([]uint16, w.nclass)}
	out := []uint8{0}
	for gi, g := range groups {
		for _, word := range g {
			st := 0
			for i := 0; i < len(word); i++ {
				c := w.class[word[i]]
				if goTo[st][c] == 0 {
					goTo = append(goTo, make([]uint16, w.nclass))
					out = append(out, 0)
					goTo[st][c] = uint16(len(goTo) - 1)
				}
				st = int(goTo[st][c])
			}
			out[st] |= 1 << gi
		}
	}
	if len(goTo)*w.nclass > 1<<16 {
		panic("regform: too many words for a wordScanner")
	}
	// Failure links in breadth-first order make the full transition table.
	next := make([]uint16, len(goTo)*w.nclass)
	fail := make([]uint16, len(goTo))
	queue := []uint16{}
	for c := 0; c < w.nclass; c++ {
		if t := goTo[0][c]; t != 0 {
			next[c] = t
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		out[st] |= out[fail[st]]
		for c := 0; c < w.nclass; c++ {
			f := next[int(fail[st])*w.nclass+c]
			if t := goTo[st][c]; t != 0 {
				fail[t] = f
				next[int(st)*w.nclass+c] = t
				queue = append(queue, t)
			} else {
				next[int(st)*w.nclass+c] = f
			}
		}
	}
	w.next = make([]uint32, len(next))
	for i, t := range next {
		w.next[i] = uint32(out[t])<<16 | uint32(t)*uint32(w.nclass)
	}
	return w
}

// scan folds s as foldCase does and returns the pieces of s between full
// stops (as strings.Cut(s, ".") cuts them) that hold a word, appended to
// buf, and the groups found anywhere in s.
func (w *wordScanner) scan(s string, buf []piece) ([]piece, uint8) {
	var found, mask uint8
	var st uint32
	start := 0
	next, ascii, cyr := w.next, &w.ascii, &w.cyr
	for i := 0; i < len(s); {
		// The common runes (ASCII but ".", Cyrillic U+0400–U+045F) in a
		// loop without calls, so that its variables stay in registers.
		for i < len(s) {
			c := s[i]
			var cl uint8
			if c < utf8.RuneSelf {
				if c == '.' {
					break
				}
				cl = ascii[c&0x7F]
				i++
			} else {
				if c&0xFE != 0xD0 || i+1 >= len(s) {
					break
				}
				if cl = cyr[c&1][s[i+1]]; cl == slowCyr {
					break
				}
				i += 2
			}
			e := next[st+uint32(cl)]
			st = e & 0xFFFF
			mask |= uint8(e >> 16)
		}
		if i >= len(s) {
			break
		}
		if s[i] == '.' {
			if mask != 0 {
				buf = append(buf, piece{start, i, mask})
				found |= mask
				mask = 0
			}
			st, start = 0, i+1
			i++
			continue
		}
		f, n := foldByte(s, i)
		i += n
		e := next[st+uint32(w.class[f])]
		st = e & 0xFFFF
		mask |= uint8(e >> 16)
	}
	if mask != 0 {
		buf = append(buf, piece{start, len(s), mask})
		found |= mask
	}
	return buf, found
}

func foldAll(ws ...string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = foldCase(w)
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// foldCase writes every rune of s as one byte: the smallest rune of its
// case-folding orbit (the equivalence (?i) patterns use), which is an
// ASCII letter or sign (as itself) or a capital Cyrillic letter U+0400–U+042F
// (as 0x80 + its offset), or else 0xFF. The words looked for are ASCII and
// Cyrillic, so a word occurs in s under (?i) exactly when foldCase(word)
// occurs in foldCase(s); and the folds are half as long as Russian text and
// quick to search.
func foldCase(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		f, n := foldByte(s, i)
		b = append(b, f)
		i += n
	}
	return string(b)
}

// foldByte is foldCase of the non-ASCII rune at s[i], and its length.
func foldByte(s string, i int) (byte, int) {
	c := s[i]
	if (c == 0xD0 || c == 0xD1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		r := rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
		switch {
		case r >= 0x430 && r <= 0x44F:
			r -= 0x20
		case r >= 0x450 && r <= 0x45F:
			r -= 0x50
		}
		if r <= 0x42F {
			return byte(0x80 + r - 0x400), 2
		}
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	switch {
	case min < utf8.RuneSelf:
		return byte(min), n
	case min >= 0x400 && min <= 0x42F:
		return byte(0x80 + min - 0x400), n
	}
	return 0xFF, n
}

// mayHoldTable: one of m's sources can hold a table of people (see
// collectSources and the readers): HTML with a table and a heading word
// in its text, text with tab- or pipe-separated lines, or an attachment
// that is read as a table.
func mayHoldTable(m *mailmsg.Message) bool {
	if strings.TrimSpace(m.HTML) != "" {
		// The header is a row of a table: the headings follow "<table".
		if i := tableTag(m.HTML); i >= 0 {
			// Character references may spell the headings: read the HTML.
			if strings.Contains(m.HTML[i:], "&#") || containsAny(foldCase(letters(m.HTML[i:], true)), headingWords) {
				return true
			}
		}
	}
	if m.Text != "" && !m.TextFromHTML && (strings.IndexByte(m.Text, '\t') >= 0 || strings.IndexByte(m.Text, '|') >= 0) {
		// textGrids reads rows from delimited lines only.
		for rest := m.Text; rest != ""; {
			var line string
			line, rest, _ = strings.Cut(rest, "\n")
			if strings.ContainsAny(line, "\t|") && tableDelim(strings.TrimRight(line, "\r")) != 0 &&
				containsAny(foldCase(letters(line, false)), headingWords) {
				return true
			}
		}
	}
	for _, a := range m.Attachments {
		lname := strings.ToLower(a.Filename)
		ext := path.Ext(lname)
		ct := strings.ToLower(a.ContentType)
		switch {
		case ext == ".csv" || ct == "text/csv", ext == ".xlsx" || strings.Contains(ct, "spreadsheetml"),
			ext == ".docx" || strings.Contains(ct, "wordprocessingml"), ext == ".txt":
			return true
		}
	}
	return false
}

// tableTag is the offset of the first "<table" in any case, or -1.
func tableTag(h string) int {
	for i := 0; ; {
		j := strings.IndexByte(h[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if len(h)-i >= 6 && strings.EqualFold(h[i+1:i+6], "table") {
			return i
		}
		i++
	}
}

// letters are the letters of s, everything else left out, and in HTML
// (html) also the tags (with their attributes) and character references,
// so that a heading split by markup («Фами<b>лия</b>», «Ф.&nbsp;И.&nbsp;О.»)
// still reads as its letters («фамилия», «фио»).
func letters(s string, html bool) string {
	b := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case !html:
		case c == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!' || s[i+1] == '?'):
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return string(b)
			}
			i += j + 1
			continue
		case c == '&':
			if j := strings.IndexByte(s[i:], ';'); j > 0 && j <= 32 {
				i += j + 1
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) {
			b = utf8.AppendRune(b, r)
		}
		i += n
	}
	return string(b)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// peopleTable: the table found has names, not just some two known columns.
func peopleTable(r *tableResult) bool {
	for _, p := range r.people {
		if p.FullName != "" && strings.Contains(p.FullName, " ") {
			return true
		}
	}
	return false
}
