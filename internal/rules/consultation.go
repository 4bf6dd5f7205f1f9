package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/mailmsg"
)

// Consultation reports whether a request asks a question (how to do
// something, what a law or an order says) without reporting a failure: the
// checklist's steps and screenshot of an error do not apply to it (§4.4).
// A request that mentions an error, a symptom or a negation ("не
// печатает") is not one: its checklist is kept whole.
func Consultation(m *mailmsg.Message) bool {
	if m == nil {
		return false
	}
	own, subj := splitBody(m.Text).own, cleanSubject(m.Subject)
	asks := hasQuestionMark(own) || hasQuestionMark(subj)
	ws := normWords(own)
	ws = append(ws[:len(ws):len(ws)], normWords(subj)...)
	for i, w := range ws {
		r, _ := utf8.DecodeRuneInString(w)
		for _, p := range consultIndex[r] {
			if p.lead && i+1 >= len(ws) || !wordMatch(w, p.word) {
				continue
			}
			if p.question {
				asks = true
			} else {
				return false
			}
		}
	}
	return asks
}

// hasQuestionMark: an ASCII or a full-width question mark.
func hasQuestionMark(s string) bool {
	return strings.IndexByte(s, '?') >= 0 || strings.Contains(s, "？")
}

// consultPattern is one of the words below, indexed by its first letter.
type consultPattern struct {
	word     string
	lead     bool // a failure only with a word after it
	question bool
}

// consultIndex holds failureWords, failureLeads and questionWords by first
// letter: a word is compared with the few patterns that can match it.
var consultIndex = func() map[rune][]consultPattern {
	m := map[rune][]consultPattern{}
	add := func(ws []string, lead, question bool) {
		for _, w := range ws {
			r, _ := utf8.DecodeRuneInString(w)
			m[r] = append(m[r], consultPattern{w, lead, question})
		}
	}
	add(failureWords, false, false)
	add(failureLeads, true, false)
	add(questionWords, false, true)
	return m
}()

// failureWords report something broken (unlike the question words of
// problemWords).
var failureWords = []string{"ошибк", "ошибочн", "error", "сбой", "сломал", "слома", "завис", "зависа", "пропал",
	"пропада", "исчез", "исчеза", "вылета", "глючит", "глюк", "тормоз", "неисправ", "недоступ", "невозможно",
	"неполадк", "проблем", "вирус", "скриншот", "починит", "отремонтир", "восстановите", "разблокируйте",
	"cannot", "unable", "fail", "broken", "crash", "froze", "freez", "stuck", "missing", "wrong", "screenshot"}

// failureLeads report a failure with something after them ("не печатает").
var failureLeads = []string{"не", "нет", "перестал", "перестала", "перестало", "перестали",
	"not", "doesn", "don", "isn", "won", "couldn", "stopped", "keeps"}

// questionWords ask something.
var questionWords = []string{"как=", "каким", "какой", "какие", "какая", "каков", "почему", "зачем", "где=", "когда=",
	"можно", "подскажите", "разъясните", "разъяснить", "разъяснение", "разъяснени", "вопрос", "консультац",
	"how=", "why=", "where=", "when=", "whether", "question"}
