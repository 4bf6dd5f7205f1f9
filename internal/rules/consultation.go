package rules

import (
	"strings"

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
	return consultation(subj, normWords(subj), own, normWords(own))
}

// consultation is Consultation on the subject cleaned (cleanSubject) and
// the sender's own text, both tokenised (Decide's words). The words are
// read as the own text's followed by the subject's: a failure lead ("не")
// counts when any word follows it there.
func consultation(subj string, subjWords []string, own string, ownWords []string) bool {
	asks := hasQuestionMark(own) || hasQuestionMark(subj)
	n := len(ownWords) + len(subjWords)
	for i, w := range ownWords {
		switch consultWord(w, i+1 < n) {
		case consultFailure:
			return false
		case consultQuestion:
			asks = true
		}
	}
	for i, w := range subjWords {
		switch consultWord(w, len(ownWords)+i+1 < n) {
		case consultFailure:
			return false
		case consultQuestion:
			asks = true
		}
	}
	return asks
}

// What consultWord found.
const (
	consultNone = iota
	consultFailure
	consultQuestion
)

// consultWord classifies a word: a failure word (a failure lead when more
// words follow), else a question word, else neither.
func consultWord(w string, more bool) int {
	switch {
	case failureWordList.match(w), more && failureLeadList.match(w):
		return consultFailure
	case questionWordList.match(w):
		return consultQuestion
	}
	return consultNone
}

// hasQuestionMark: an ASCII or a full-width question mark.
func hasQuestionMark(s string) bool {
	return strings.IndexByte(s, '?') >= 0 || strings.Contains(s, "？")
}

var failureWordList, failureLeadList, questionWordList = newWordList(failureWords), newWordList(failureLeads), newWordList(questionWords)

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
