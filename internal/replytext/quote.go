package replytext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAttribution bounds the length of an attribution line (in bytes, after
// joining a wrapped one): longer lines are text.
const maxAttribution = 400

// attribution reports whether an attribution line ("On … wrote:",
// "… пишет:", "пн, 2 дек. 2024 г. в 10:00, Иван <ivan@x.ru>:") starts at
// lines[i]. n is the number of lines it takes (1, or 2 when a client wrapped
// it), 0 when there is none. dated tells whether it carries a date or time;
// an undated one ("Иван пишет:") counts only before '>' lines, since it reads
// like ordinary text.
func attribution(lines []string, i int) (n int, dated bool) {
	l := lines[i]
	if isBlank(l) || len(l) > maxAttribution {
		return 0, false
	}
	if endsWithColon(l) {
		if ok, d := isAttribution(l); ok {
			return 1, d
		}
	}
	// Gmail and Outlook wrap long attributions: "… Ivan Petrov <" / "ivan@x.ru> wrote:".
	if i+1 >= len(lines) || !hasDigit(l) {
		return 0, false
	}
	next := lines[i+1]
	if !endsWithColon(next) || isQuoteLine(next) || len(l)+len(next) > maxAttribution {
		return 0, false
	}
	if ok, d := isAttribution(l + " " + next); ok && d {
		return 2, true
	}
	return 0, false
}

func endsWithColon(l string) bool {
	return strings.HasSuffix(strings.TrimRight(l, " \t\u00a0"), ":")
}

// attributionVerbs end an attribution before its colon (lower case).
var attributionVerbs = []string{
	"wrote", "writes", "пишет", "написал", "написала", "написал(а)",
	"написали", "писал", "писала", "писал(а)",
}

// ruWeekdays start Mail.ru attributions ("Понедельник, 2 декабря 2024, 10:00 +05:00 от …:").
var ruWeekdays = []string{
	"понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
}

// isAttribution classifies one (possibly joined) line.
func isAttribution(s string) (ok, dated bool) {
	s = strings.TrimSpace(normSpace(s))
	head, found := strings.CutSuffix(s, ":")
	if !found {
		return false, false
	}
	head = strings.TrimSpace(head)
	lower := strings.ToLower(head)
	dated = hasDate(head)
	verb := false
	for _, v := range attributionVerbs {
		if strings.HasSuffix(lower, " "+v) || lower == v {
			verb = true
			break
		}
	}
	switch {
	case verb:
		return true, dated
	case !dated:
		return false, false
	case endsWithAddress(head):
		return true, true // Gmail ru, Yandex, Mail.ru with address
	}
	for _, d := range ruWeekdays {
		if strings.HasPrefix(lower, d) && strings.Contains(lower, " от ") {
			return true, true // Mail.ru without an address
		}
	}
	return false, false
}

// endsWithAddress reports "… <ivan@x.ru>", "… < ivan@x.ru>" or "… ivan@x.ru".
func endsWithAddress(s string) bool {
	s = strings.TrimSuffix(s, ">")
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	tail := s[at+1:]
	return !strings.ContainsAny(tail, " \t<>,;:") && strings.Contains(tail, ".")
}

// historyStarts reports an Outlook start of quoted history at lines[i]: an
// "-----Original Message-----" line, a header block (From/Sent/To/Subject,
// От/Отправлено/Кому/Тема), or the underscore rule Outlook puts above one.
func historyStarts(lines []string, i int) bool {
	l := strings.TrimSpace(normSpace(lines[i]))
	if l == "" {
		return false
	}
	if isOriginalMessage(l) || headerBlock(lines, i) {
		return true
	}
	if len(l) >= 10 && strings.Trim(l, "_") == "" {
		j := nextNonBlank(lines, i+1)
		return j < len(lines) && headerBlock(lines, j)
	}
	return false
}

func isOriginalMessage(l string) bool {
	if !strings.HasPrefix(l, "--") {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(strings.Trim(l, "- ")))
	switch t {
	case "original message", "исходное сообщение", "исходное письмо", "оригинальное сообщение":
		return true
	}
	return false
}

// isForwardMarker recognises the line clients put above a forwarded message.
func isForwardMarker(l string) bool {
	t := strings.TrimSpace(normSpace(l))
	if len(t) > 120 || (!strings.HasPrefix(t, "--") && !strings.HasSuffix(t, ":")) {
		return false
	}
	t = strings.ToLower(t)
	if strings.HasPrefix(t, "--") {
		t = strings.TrimSpace(strings.Trim(t, "- "))
		switch t {
		case "forwarded message", "пересылаемое сообщение", "пересланное сообщение",
			"перенаправленное сообщение", "forwarded message follows":
			return true
		}
		return false
	}
	switch t {
	case "begin forwarded message:", "начало переадресованного сообщения:":
		return true
	}
	return false
}

// Header kinds in an Outlook header block.
const (
	hdrNone = iota
	hdrFrom
	hdrSent
	hdrTo
	hdrCc
	hdrSubject
)

// headerBlock reports an Outlook header block starting at lines[i]: a From
// line followed, within a few lines, by a Sent (or Date) line and a To or
// Subject line. A lone "От: …" in the writer's text is not one.
func headerBlock(lines []string, i int) bool {
	if headerKind(lines[i]) != hdrFrom {
		return false
	}
	var sent, to bool
	for j := i + 1; j < len(lines) && j <= i+12; j++ {
		switch headerKind(lines[j]) {
		case hdrFrom:
			return false
		case hdrSent:
			sent = true
		case hdrTo, hdrSubject:
			to = true
		}
		if sent && to {
			return true
		}
	}
	return false
}

// headerKind classifies a "Key: value" line of an Outlook header block; the
// key may be bold ("*From:*") after HTML conversion.
func headerKind(l string) int {
	l = strings.TrimSpace(normSpace(l))
	colon := strings.IndexByte(l, ':')
	if colon <= 0 || colon > 40 {
		return hdrNone
	}
	key := strings.ToLower(strings.Trim(l[:colon], "* "))
	switch key {
	case "from", "от", "от кого":
		return hdrFrom
	case "sent", "date", "отправлено", "дата", "отправлено в":
		return hdrSent
	case "to", "кому":
		return hdrTo
	case "cc", "копия", "кому копия":
		return hdrCc
	case "subject", "тема":
		return hdrSubject
	}
	return hdrNone
}

// normSpace turns the no-break and thin spaces clients put into dates
// ("10:00\u202fAM") into plain spaces.
func normSpace(s string) string {
	// All four start with byte 0xC2 or 0xE2; Cyrillic text has neither.
	if strings.IndexByte(s, 0xC2) < 0 && strings.IndexByte(s, 0xE2) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2009', '\u2007':
			return ' '
		}
		return r
	}, s)
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

// hasDate finds a date with a year: 27.12.2024, 27/12/24, or a year
// 19xx/20xx standing alone ("Dec 2, 2024", "2 дек. 2024 г.", "2024-12-27").
// A time or a day without a year ("в 10:00", "12.12") is not enough: such
// words are common in the text itself.
func hasDate(s string) bool {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := digitsEnd(s, i)
		run := s[i:j]
		if len(run) == 4 && (run[:2] == "19" || run[:2] == "20") && !letterAt(s, i-1) && !letterAt(s, j) {
			return true
		}
		if len(run) <= 2 && numericDate(s[j:]) {
			return true
		}
		i = j
	}
	return false
}

// numericDate reports ".MM.YY" or ".MM.YYYY" (or with '/') at the start of s.
func numericDate(s string) bool {
	if len(s) < 4 || (s[0] != '.' && s[0] != '/') {
		return false
	}
	j := digitsEnd(s, 1)
	if j == 1 || j > 3 || j >= len(s) || s[j] != s[0] {
		return false
	}
	k := digitsEnd(s, j+1)
	return (k-j-1 == 2 || k-j-1 == 4) && !letterAt(s, k)
}

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// letterAt reports whether a letter or digit ends at or starts at byte i.
func letterAt(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	if s[i] < utf8.RuneSelf {
		c := s[i]
		return isDigit(c) || unicode.IsLetter(rune(c))
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError {
		r, _ = utf8.DecodeLastRuneInString(s[:i+1])
	}
	return unicode.IsLetter(r)
}
