package mailout

import (
	"strings"
	"testing"
	texttemplate "text/template"
)

func TestWord(t *testing.T) {
	for _, c := range []struct {
		lang, kind, code, want string
	}{
		{"ru", WordLevel, "standard", "стандартный"},
		{"en", WordLevel, "standard", "standard"},
		{"ru", WordLevel, "gold", "gold"}, // an operator's own level keeps its name
		{"ru", WordPriority, "normal", "обычный"},
		{"ru", WordStatus, "open", "в работе"},
		{"en", WordStatus, "waiting", "waiting for the customer"},
		{"ru", WordMissing, "screenshot", "скриншот ошибки"},
		{"ru", WordMissing, "authority_document", "документ, подтверждающий полномочия подписавшего заявку"},
		{"ru", WordScope, "third_parties", "оценка действий третьих лиц"},
		{"ru", WordChannel, "web", "веб-консоль"},
		{"ru", WordReason, "unclear", "вопрос сформулирован некорректно или не удаётся понять смысл обращения"},
		{"ru", WordReasonShort, "unclear", "суть обращения неясна"},
		{"ru", WordEvent, "command_refused", "команда не выполнена"},
		{"en", WordDrop, "too_many", "too many attachments in one message"},
		{"ru", WordLevel, "", ""},
	} {
		if got := Word(c.lang, c.kind, c.code); got != c.want {
			t.Errorf("Word(%s, %s, %s) = %q, want %q", c.lang, c.kind, c.code, got, c.want)
		}
	}
	if got := Words("ru", WordMissing, []string{"full_name", "phone"}, "; "); got != "фамилию, имя и отчество; контактный телефон" {
		t.Errorf("Words = %q", got)
	}
}

// TestWordsBothLanguages: every code has its words in both languages, and
// none is still a code in Russian.
func TestWordsBothLanguages(t *testing.T) {
	for key, tx := range wordTexts {
		if strings.TrimSpace(tx.ru) == "" || strings.TrimSpace(tx.en) == "" {
			t.Errorf("%s: empty words (ru %q, en %q)", key, tx.ru, tx.en)
		}
		if codes := latinCodes(tx.ru); len(codes) > 0 {
			t.Errorf("%s: Russian words %q hold %q", key, tx.ru, codes)
		}
		if _, dup := catalogue[key]; dup {
			t.Errorf("%s is both a catalogue text and a word", key)
		}
	}
}

func TestTemplatePlural(t *testing.T) {
	for _, c := range []struct {
		lang, src string
		n         any
		want      string
	}{
		{"ru", `{{.}} {{plural . "рабочий день" "рабочих дня" "рабочих дней"}}`, 1, "1 рабочий день"},
		{"ru", `{{.}} {{plural . "рабочий день" "рабочих дня" "рабочих дней"}}`, 3, "3 рабочих дня"},
		{"ru", `{{.}} {{plural . "рабочий день" "рабочих дня" "рабочих дней"}}`, int64(11), "11 рабочих дней"},
		{"ru", `{{.}} {{plural . "сотрудник" "сотрудника" "сотрудников"}}`, 22, "22 сотрудника"},
		{"en", `{{.}} {{plural . "person" "people"}}`, 1, "1 person"},
		{"en", `{{.}} {{plural . "person" "people"}}`, 2, "2 people"},
		{"ru", `{{count . "word.agents"}}`, 5, "5 сотрудников"},
		{"ru", `{{word "level" "priority"}}`, 0, "приоритетный"},
		{"ru", `{{sentence "обновление сервера"}}`, 0, "Обновление сервера."},
		{"ru", `{{sentence "Перезагрузка!"}}`, 0, "Перезагрузка!"},
	} {
		tm := texttemplate.Must(texttemplate.New("t").Funcs(templateFuncs(c.lang)).Parse(c.src))
		var b strings.Builder
		if err := tm.Execute(&b, c.n); err != nil {
			t.Errorf("%s with %v: %v", c.src, c.n, err)
			continue
		}
		if b.String() != c.want {
			t.Errorf("%s with %v = %q, want %q", c.src, c.n, b.String(), c.want)
		}
	}
}

func TestNoticeAndRegistrationHelpers(t *testing.T) {
	n := NoticeData{Missing: []string{"phone", "org_domain"}}
	if d := n.Details(); len(d) != 1 || d[0] != "phone" || !n.NeedsWorkAddress() {
		t.Errorf("Details %q, NeedsWorkAddress %v", d, n.NeedsWorkAddress())
	}
	r := RegistrationData{NeedsAuthority: true, Problems: []string{"строка 3: нет адреса", "не приложен документ, подтверждающий полномочия подписавшего заявку"}}
	if got := r.Remarks(); len(got) != 1 || got[0] != "строка 3: нет адреса" {
		t.Errorf("Remarks = %q", got)
	}
	r.NeedsAuthority = false
	if got := r.Remarks(); len(got) != 2 {
		t.Errorf("Remarks without NeedsAuthority = %q", got)
	}
}
