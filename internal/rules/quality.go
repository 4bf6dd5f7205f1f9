package rules

import (
	"path"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
)

// Quality returns the items of the §4.4 checklist a request lacks, in the
// order question, steps, screenshot, contacts:
//   - question: the subject or text states a problem or asks something
//     («не работает», «ошибка», «не могу», «как…», a question mark);
//   - steps: the text describes what was done (a numbered list, «нажимаю…»,
//     «при входе…», «пробовала», «перезагружали»);
//   - screenshot: an image is attached or pasted inline (not a small logo);
//   - contacts: a phone number is given.
//
// It never blocks: staff may ask for what is missing (§4.5).
func Quality(m *mailmsg.Message) []string {
	if m == nil {
		return []string{CheckQuestion, CheckSteps, CheckScreenshot, CheckContacts}
	}
	own, subject := splitBody(m.Text).own, cleanSubject(m.Subject)
	return quality(m, subject, normWords(subject), own, normWords(own))
}

// quality is Quality on the subject cleaned (cleanSubject) and the sender's
// own text already split off, both tokenised (subjWords = normWords(subject),
// ownWords = normWords(own)).
func quality(m *mailmsg.Message, subject string, subjWords []string, own string, ownWords []string) []string {
	var missing []string
	if !asksOrHasProblem(subject, subjWords) && !asksOrHasProblem(own, ownWords) {
		missing = append(missing, CheckQuestion)
	}
	if !describesSteps(own, ownWords) {
		missing = append(missing, CheckSteps)
	}
	if !hasScreenshot(m) {
		missing = append(missing, CheckScreenshot)
	}
	if len(findPhones(own)) == 0 {
		missing = append(missing, CheckContacts)
	}
	return missing
}

// asksOrHasProblem is hasProblemMarker(withQ(s, ws)) without the copy:
// the "?" word withQ adds is a marker of its own.
func asksOrHasProblem(s string, ws []string) bool {
	return strings.ContainsAny(s, "?？") || hasProblemMarker(ws)
}

var stepWordList = newWordList(stepWords)

// stepWords describe actions taken.
var stepWords = []string{"нажима", "нажал", "нажат", "кликаю", "кликнул", "щелкаю", "щелкнул", "захожу", "зашел",
	"зашла", "заходим", "открываю", "открыла", "открыл", "выбираю", "выбрал", "ввожу", "ввела", "ввел",
	"вводим", "пробовал", "пробовали", "попробовал", "пыталась", "пытался", "пытаюсь", "пытаемся", "попытк",
	"перезагруж", "перезагрузил", "перезапуск", "перезапустил", "переустанавл", "переустановил", "запускаю",
	"запустил", "запуске", "сначала", "затем", "потом", "после=", "появляется", "выдает", "выдаёт",
	"выскакивает", "вылетает", "выходит", "отправляю", "загружаю", "подписываю", "печатаю", "проверил",
	"проверила", "проверяли", "очистил", "очистила",
	// English.
	"click", "press", "tried", "try=", "trying", "restart", "reboot", "reinstall", "opened", "opening",
	"selected", "entered", "typed", "then=", "after="}

// stepLeads are "при входе", "при попытке", "при нажатии", "при печати"...
var stepLeads = []string{"при=", "во время", "в момент", "when", "while"}

func describesSteps(own string, ws []string) bool {
	if numberedLines(own) >= 2 {
		return true
	}
	for i, w := range ws {
		if stepWordList.match(w) {
			return true
		}
		if i+1 < len(ws) {
			for _, p := range stepLeads {
				if phraseLenAt(ws, i, strings.TrimSuffix(p, "=")) > 0 {
					return true
				}
			}
		}
	}
	return false
}

// numberedLines counts lines starting "1." / "2)" / "3 -".
func numberedLines(s string) int {
	n := 0
	for rest := s; ; {
		l, after, more := strings.Cut(rest, "\n")
		rest = after
		l = strings.TrimSpace(l)
		i := 0
		for i < len(l) && i < 2 && isDigitByte(l[i]) {
			i++
		}
		if i > 0 && i < len(l) && (l[i] == '.' || l[i] == ')') && i+1 < len(l) && !isDigitByte(l[i+1]) {
			n++
		}
		if !more {
			return n
		}
	}
}

var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".bmp": true,
	".webp": true, ".tif": true, ".tiff": true, ".heic": true}

func hasScreenshot(m *mailmsg.Message) bool {
	for _, a := range m.Attachments {
		if decoration(a) {
			continue
		}
		if strings.HasPrefix(strings.ToLower(a.ContentType), "image/") ||
			imageExts[strings.ToLower(path.Ext(a.Filename))] {
			return true
		}
	}
	return false
}
