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
	fb := foldCase(body)
	if strongRE.MatchString(m.Subject) || containsAny(fb, strongWords) && segmentMatch(strongRE, body, fb, strongWords, nil) {
		return true
	}
	// askRE is one of askWords, so the fold finds it exactly.
	if containsAny(fb, askWords) {
		fs := foldCase(m.Subject)
		if mayConnect(fb, fs) && segmentMatch(connectRE, m.Subject+"\n"+body, fs+"\n"+fb, connectVerbs, connectObjects) {
			return true
		}
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

// mayConnect: the folded body or subject hold a verb and an object of connectRE.
func mayConnect(fb, fs string) bool {
	return (containsAny(fb, connectVerbs) || containsAny(fs, connectVerbs)) &&
		(containsAny(fb, connectObjects) || containsAny(fs, connectObjects))
}

// segmentMatch is re.MatchString(s) for strongRE and connectRE, whose
// matches never hold a ".": s is cut at every ".", and re runs only on the
// pieces that hold one of need (and one of need2, unless it is nil) once
// folded. folded is foldCase(s): it has a "." exactly where s has one, so
// its pieces are the folds of s's.
func segmentMatch(re *regexp.Regexp, s, folded string, need, need2 []string) bool {
	for s != "" {
		var seg, f string
		seg, s, _ = strings.Cut(s, ".")
		f, folded, _ = strings.Cut(folded, ".")
		if len(seg) >= 4 && containsAny(f, need) && (need2 == nil || containsAny(f, need2)) && re.MatchString(seg) {
			return true
		}
	}
	return false
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
		if (c == 0xD0 || c == 0xD1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			r := rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
			switch {
			case r >= 0x430 && r <= 0x44F:
				r -= 0x20
			case r >= 0x450 && r <= 0x45F:
				r -= 0x50
			}
			if r <= 0x42F {
				b = append(b, byte(0x80+r-0x400))
				i += 2
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		switch {
		case min < utf8.RuneSelf:
			b = append(b, byte(min))
		case min >= 0x400 && min <= 0x42F:
			b = append(b, byte(0x80+min-0x400))
		default:
			b = append(b, 0xFF)
		}
	}
	return string(b)
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
