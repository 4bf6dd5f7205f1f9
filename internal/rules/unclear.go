package rules

import (
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
)

// Why a message is unclear (the second result of Unclear).
const (
	UnclearEmpty        = "empty"         // no subject, no text, no attachment
	UnclearGreetingOnly = "greeting_only" // only greetings, thanks, a signature
	UnclearSubjectOnly  = "subject_only"  // an empty body under a subject that says nothing
	UnclearForwardOnly  = "forward_only"  // only a forwarded header block
	UnclearTooShort     = "too_short"     // a word or two that state no problem
)

// Unclear reports whether the meaning of a new request cannot be made out
// (§4.6.1), and why. A message is clear when its subject or body states a
// problem or a request (a problem word, a question, or three words or more
// once greetings, thanks and the signature are removed), or when it carries
// an attachment (a screenshot with a short note is a request). Decorative
// inline images (small logos) and signature parts do not count.
func Unclear(m *mailmsg.Message) (bool, string) {
	if m == nil {
		return true, UnclearEmpty
	}
	return unclear(m, nil)
}

// unclear is Unclear on a message whose body may already be split (sp; nil:
// split it here when needed).
func unclear(m *mailmsg.Message, sp *split) (bool, string) {
	if hasRealAttachment(m) {
		return false, ""
	}
	subj := dropFillers(wordsQ(cleanSubject(m.Subject)))
	if substantive(subj) {
		return false, ""
	}
	if sp == nil {
		s := splitBody(m.Text)
		sp = &s
	}
	body := contentWords(sp.own)
	if substantive(body) {
		return false, ""
	}
	if sp.rest != "" && substantive(contentWords(stripForwardHeaders(sp.rest))) {
		return false, "" // the forwarded or quoted text says what it is about
	}
	switch {
	case len(body) > 0:
		return true, UnclearTooShort
	case sp.rest != "" && strings.TrimSpace(sp.own) == "":
		return true, UnclearForwardOnly
	case strings.TrimSpace(m.Text) != "":
		return true, UnclearGreetingOnly
	case len(subj) > 0:
		return true, UnclearSubjectOnly
	}
	return true, UnclearEmpty
}

// wordsQ is normWords plus a "?" word when s asks a question.
func wordsQ(s string) []string { return withQ(s, normWords(s)) }

// withQ is ws (the normWords of s) plus a "?" word when s asks a question;
// ws itself is not changed.
func withQ(s string, ws []string) []string {
	if strings.ContainsAny(s, "?？") {
		ws = append(ws[:len(ws):len(ws)], "?")
	}
	return ws
}

// substantive: words state a problem or request (a marker), or there are
// at least three of them.
func substantive(ws []string) bool {
	return len(ws) >= 3 || hasProblemMarker(ws)
}

// hasProblemMarker: a question word, a negation with something after it
// ("не печатает"), a request verb with an object, or a problem word.
func hasProblemMarker(ws []string) bool {
	for i, w := range ws {
		if w == "?" {
			return true
		}
		if problemWordList.match(w) || i+1 < len(ws) && problemLeadList.match(w) {
			return true
		}
	}
	return false
}

var problemWordList, problemLeadList = newWordList(problemWords), newWordList(problemLeads)

// problemWords state a problem on their own.
var problemWords = []string{"ошибк", "ошибочн", "error", "сбой", "сломал", "слома", "завис", "зависа", "пропал",
	"пропада", "исчез", "исчеза", "вылета", "глючит", "глюк", "тормоз", "неисправ", "недоступ", "невозможно",
	"неполадк", "проблем", "вирус", "почему", "зачем", "как=", "каким", "где=", "когда=", "можно", "установите", "настройте", "подключите", "восстановите", "сбросьте", "разблокируйте",
	"добавьте", "удалите", "замените", "выдайте", "предоставьте", "создайте", "починит", "отремонтир",
	// English.
	"cannot", "unable", "fail", "broken", "crash", "froze", "freez", "stuck", "missing", "wrong", "how=", "why=",
	"where="}

// problemLeads state a problem with something after them ("не печатает", "прошу доступ").
var problemLeads = []string{"не", "нет", "прошу", "просим", "нужно", "нужен", "нужна", "нужны", "необходимо",
	"требуется", "перестал", "перестала", "перестало", "перестали", "хочу", "хотим", "надо", "помогите",
	"подскажите", "посмотрите",
	// English ("doesn't" is split into "doesn" and "t").
	"not", "doesn", "don", "isn", "won", "can", "couldn", "need", "please", "help", "stopped", "keeps"}

// fillers are dropped before counting words: greetings, thanks, politeness.
var fillers = []string{"здравствуйте", "здравствуй", "добрый день", "добрый вечер", "доброе утро", "доброго дня",
	"доброго времени суток", "добрый", "привет", "приветствую", "уважаемые коллеги", "уважаемая", "уважаемые",
	"уважаемый", "коллеги", "спасибо", "заранее", "благодарю", "большое", "пожалуйста", "hello", "hi", "thanks",
	"thank you", "техподдержка", "служба поддержки", "техническая поддержка", "поддержка"}

// contentWords returns the normalised words of the sender's own text with
// greetings, thanks, the signature and "Отправлено с iPhone" lines removed.
func contentWords(own string) []string {
	var kept []string
	for _, line := range nonEmptyLines(own) {
		if _, ok := signOff(line); ok {
			break // the signature follows
		}
		low := lower(line)
		if strings.HasPrefix(low, "отправлено с") || strings.HasPrefix(low, "отправлено из") ||
			strings.HasPrefix(low, "sent from") || strings.HasPrefix(low, "получено с") {
			continue
		}
		if signatureLine(line) {
			continue
		}
		kept = append(kept, dropFillers(wordsQ(line))...)
	}
	return kept
}

// signatureLine: a line that is only a name, a phone, a position or an
// organisation (signatures without a sign-off).
func signatureLine(line string) bool {
	ws := normWords(line)
	if hasProblemMarker(ws) {
		return false
	}
	if ps := findPhones(line); len(ps) > 0 {
		rest := line[:ps[0].start] + line[ps[0].end:]
		if len(normWords(rest)) <= 3 {
			return true
		}
	}
	if n := findName(line, false, false); n != "" && len(ws) <= 12 {
		return true
	}
	if len(ws) <= 8 && (orgMarker(line) >= 0 || isPosition(line)) {
		return true
	}
	return false
}

func dropFillers(ws []string) []string {
	out := ws[:0:0]
	for i := 0; i < len(ws); i++ {
		skip := 0
		for _, f := range fillers {
			if n := phraseLenAt(ws, i, f); n > skip {
				skip = n
			}
		}
		if skip > 0 {
			i += skip - 1
			continue
		}
		out = append(out, ws[i])
	}
	return out
}

// phraseLenAt returns the number of words of phrase f found exactly at ws[i:], or 0.
func phraseLenAt(ws []string, i int, f string) int {
	n := 0
	for f != "" {
		var p string
		p, f, _ = strings.Cut(f, " ")
		if i+n >= len(ws) || ws[i+n] != p {
			return 0
		}
		n++
	}
	return n
}

// stripForwardHeaders drops the marker and header lines of a forwarded or
// quoted block, keeping its text.
func stripForwardHeaders(rest string) string {
	var b strings.Builder
	for _, line := range strings.Split(rest, "\n") {
		t := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), ">"))
		if _, ok := markerLine(t, ""); ok {
			continue
		}
		if isHeaderLine(lower(t), forwardHeaderNames...) {
			continue
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
}

// hasRealAttachment: an attachment that is not a signature part or a small
// inline decoration (a logo).
func hasRealAttachment(m *mailmsg.Message) bool {
	for _, a := range m.Attachments {
		if !decoration(a) {
			return true
		}
	}
	return false
}

const logoBytes = 8 << 10

func decoration(a mailmsg.Attachment) bool {
	ct := lower(a.ContentType)
	switch {
	case strings.Contains(ct, "pkcs7-signature"), strings.Contains(ct, "pgp-signature"),
		ct == "text/vcard", ct == "text/x-vcard":
		return true
	case a.Inline && strings.HasPrefix(ct, "image/") && a.Size > 0 && a.Size < logoBytes:
		return true
	}
	return false
}
