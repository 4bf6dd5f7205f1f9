package regform

import (
	"regexp"
	"strings"

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
	for _, s := range []string{m.Subject, body} {
		if strongRE.MatchString(s) {
			return true
		}
	}
	if askRE.MatchString(body) && connectRE.MatchString(m.Subject+"\n"+body) {
		return true
	}
	for _, s := range collectSources(m, newBudget()) {
		if r := readPeople(s); r != nil && len(r.people) > 0 && peopleTable(r) {
			return true
		}
	}
	return false
}

// peopleTable: the table found has names, not just some two known columns.
func peopleTable(r *tableResult) bool {
	for _, p := range r.people {
		if p.FullName != "" && strings.Contains(p.FullName, " ") {
			return true
		}
	}
	return false
}
