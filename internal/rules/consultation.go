package rules

import "github.com/otvet/otvet/internal/mailmsg"

// Consultation reports whether a request asks a question (how to do
// something, what a law or an order says) without reporting a failure: the
// checklist's steps and screenshot of an error do not apply to it (§4.4).
// A request that mentions an error, a symptom or a negation ("не
// печатает") is not one: its checklist is kept whole.
func Consultation(m *mailmsg.Message) bool {
	if m == nil {
		return false
	}
	own := splitBody(m.Text).own
	ws := withQ(own, normWords(own))
	subj := cleanSubject(m.Subject)
	ws = append(ws, wordsQ(subj)...)
	asks := false
	for i, w := range ws {
		if w == "?" {
			asks = true
			continue
		}
		for _, p := range failureWords {
			if wordMatch(w, p) {
				return false
			}
		}
		if i+1 < len(ws) {
			for _, p := range failureLeads {
				if wordMatch(w, p) {
					return false
				}
			}
		}
		for _, p := range questionWords {
			if wordMatch(w, p) {
				asks = true
			}
		}
	}
	return asks
}

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
