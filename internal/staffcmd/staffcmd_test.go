package staffcmd

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// c builds an expected command (Raw is checked separately).
func c(line int, n Name, text string, args ...string) Command {
	return Command{Name: n, Args: args, Text: text, Line: line}
}

type wantErr struct {
	line int
	msg  string // a substring of Msg
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		cmds  []Command
		body  string
		errs  []wantErr
	}{
		{name: "empty", reply: ""},
		{name: "no commands", reply: "Здравствуйте!\nПринтер починили.", body: "Здравствуйте!\nПринтер починили."},
		{name: "close only", reply: "#close", cmds: []Command{c(1, Close, "")}},
		{name: "case insensitive", reply: "#CLOSE", cmds: []Command{c(1, Close, "")}},
		{name: "russian alias mixed case", reply: "#Закрыть", cmds: []Command{c(1, Close, "")}},
		{name: "yo folded", reply: "#решено", cmds: []Command{c(1, Resolve, "")}},
		{name: "trailing colon", reply: "#закрыть:", cmds: []Command{c(1, Close, "")}},
		{name: "stray space after hash", reply: "# закрыть", cmds: []Command{c(1, Close, "")}},
		{name: "leading blank lines and BOM", reply: "\n\ufeff  #take\n", cmds: []Command{c(2, Take, "")}},
		{name: "crlf", reply: "#take\r\n#close\r\n\r\nГотово.\r\n", cmds: []Command{c(1, Take, ""), c(2, Close, "")}, body: "Готово."},

		// every command and alias
		{name: "note", reply: "#note позвонил, обещали завтра\nвторая строка", cmds: []Command{c(1, Note, "позвонил, обещали завтра\nвторая строка")}},
		{name: "note on next lines", reply: "#заметка\n\nтекст заметки", cmds: []Command{c(1, Note, "текст заметки")}},
		{name: "note alias примечание", reply: "#примечание x", cmds: []Command{c(1, Note, "x")}},
		{name: "note swallows later commands", reply: "#take\n#note текст\n#close", cmds: []Command{c(1, Take, ""), c(2, Note, "текст\n#close")}},
		{name: "wait with question in body", reply: "#wait\n\nУточните номер кабинета.", cmds: []Command{c(1, Wait, "")}, body: "Уточните номер кабинета."},
		{name: "wait text", reply: "#ждать уточните номер", cmds: []Command{c(1, Wait, "уточните номер")}},
		{name: "wait alias запрос", reply: "#запрос", cmds: []Command{c(1, Wait, "")}},
		{name: "wait alias уточнить", reply: "#уточнить", cmds: []Command{c(1, Wait, "")}},
		{name: "defer", reply: "#defer maintenance плановые работы до 12:00", cmds: []Command{c(1, Defer, "плановые работы до 12:00", ReasonMaintenance)}},
		{name: "defer alias and russian reason", reply: "#отложить внешняя_причина нет связи с ЦОД", cmds: []Command{c(1, Defer, "нет связи с ЦОД", ReasonExternalCause)}},
		{name: "reason with hyphen", reply: "#defer insufficient-info", cmds: []Command{c(1, Defer, "", ReasonInsufficientInfo)}},
		{name: "reject", reply: "#reject offensive", cmds: []Command{c(1, Reject, "", ReasonOffensive)}},
		{name: "reject alias отклонить", reply: "#отклонить некомпетенция обратитесь к поставщику", cmds: []Command{c(1, Reject, "обратитесь к поставщику", ReasonOutOfScope)}},
		{name: "reject alias отказать", reply: "#отказать лицензия", cmds: []Command{c(1, Reject, "", ReasonLicense)}},
		{name: "resolve", reply: "#resolve заменили картридж", cmds: []Command{c(1, Resolve, "заменили картридж")}},
		{name: "resolve alias выполнено", reply: "#выполнено", cmds: []Command{c(1, Resolve, "")}},
		{name: "resolve alias решить", reply: "#решить", cmds: []Command{c(1, Resolve, "")}},
		{name: "reopen", reply: "#reopen", cmds: []Command{c(1, Reopen, "")}},
		{name: "reopen aliases", reply: "#открыть", cmds: []Command{c(1, Reopen, "")}},
		{name: "reopen alias переоткрыть", reply: "#переоткрыть", cmds: []Command{c(1, Reopen, "")}},
		{name: "assign", reply: "#assign Ivan.Petrov@KGO66.RU посмотри", cmds: []Command{c(1, Assign, "посмотри", "Ivan.Petrov@kgo66.ru")}},
		{name: "assign angle brackets", reply: "#назначить <ivan@kgo66.ru>", cmds: []Command{c(1, Assign, "", "ivan@kgo66.ru")}},
		{name: "assign mailto", reply: "#assign mailto:ivan@kgo66.ru", cmds: []Command{c(1, Assign, "", "ivan@kgo66.ru")}},
		{name: "take", reply: "#take", cmds: []Command{c(1, Take, "")}},
		{name: "take alias взять", reply: "#взять", cmds: []Command{c(1, Take, "")}},
		{name: "take alias беру", reply: "#беру", cmds: []Command{c(1, Take, "")}},
		{name: "level", reply: "#level priority", cmds: []Command{c(1, Level, "", "priority")}},
		{name: "level russian", reply: "#уровень Базовый", cmds: []Command{c(1, Level, "", "basic")}},
		{name: "level configured name", reply: "#level gold-24x7", cmds: []Command{c(1, Level, "", "gold-24x7")}},
		{name: "priority", reply: "#priority HIGH", cmds: []Command{c(1, Priority, "", PriorityHigh)}},
		{name: "priority russian", reply: "#приоритет инцидент", cmds: []Command{c(1, Priority, "", PriorityIncident)}},
		{name: "priority low", reply: "#priority низкий", cmds: []Command{c(1, Priority, "", PriorityLow)}},
		{name: "priority normal", reply: "#priority обычный", cmds: []Command{c(1, Priority, "", PriorityNormal)}},
		{name: "plan iso", reply: "#plan 2025-01-09 после обеда", cmds: []Command{c(1, Plan, "после обеда", "2025-01-09")}},
		{name: "plan russian date", reply: "#план 09.01.2025", cmds: []Command{c(1, Plan, "", "09.01.2025")}},
		{name: "plan short date", reply: "#plan 9.1.2025", cmds: []Command{c(1, Plan, "", "9.1.2025")}},
		{name: "plan tomorrow", reply: "#plan tomorrow", cmds: []Command{c(1, Plan, "", "tomorrow")}},
		{name: "plan завтра", reply: "#запланировать Завтра", cmds: []Command{c(1, Plan, "", "Завтра")}},
		{name: "merge hash", reply: "#merge #123", cmds: []Command{c(1, Merge, "", "123")}},
		{name: "merge bare", reply: "#объединить 0045", cmds: []Command{c(1, Merge, "", "45")}},
		{name: "merge numero", reply: "#merge №77", cmds: []Command{c(1, Merge, "", "77")}},

		// several commands and the body
		{
			name:  "several commands then body",
			reply: "#take\n#priority high\n\n#wait\nЗдравствуйте! Пришлите скриншот.\n#123 is fixed",
			cmds:  []Command{c(1, Take, ""), c(2, Priority, "", PriorityHigh), c(4, Wait, "")},
			body:  "Здравствуйте! Пришлите скриншот.\n#123 is fixed",
		},
		{name: "hash line after body is body", reply: "Готово.\n#close", body: "Готово.\n#close"},
		{name: "ticket number first is body", reply: "#123 is fixed", body: "#123 is fixed"},
		{name: "markdown heading is body", reply: "## Итог\nвсё", body: "## Итог\nвсё"},
		{name: "heading with space is body", reply: "# Проблема решена", body: "# Проблема решена"},
		{name: "lone hash is body", reply: "#\nтекст", body: "#\nтекст"},

		// errors
		{name: "unknown command", reply: "#закрой\n#take", cmds: []Command{c(2, Take, "")}, errs: []wantErr{{1, "unknown command #закрой"}}},
		{name: "unknown command keeps body", reply: "#urgent\nПосмотрите срочно.", body: "Посмотрите срочно.", errs: []wantErr{{1, "unknown command"}}},
		{name: "defer without reason", reply: "#defer", errs: []wantErr{{1, "a reason is needed"}}},
		{name: "defer bad reason", reply: "#defer потом", errs: []wantErr{{1, `unknown reason "потом"`}}},
		{name: "reject bad reason", reply: "#reject spam", errs: []wantErr{{1, "unknown reason"}}},
		{name: "assign without address", reply: "#assign", errs: []wantErr{{1, "email address is needed"}}},
		{name: "assign bad address", reply: "#assign Иванов", errs: []wantErr{{1, "is not an email address"}}},
		{name: "assign address without domain", reply: "#assign ivan@", errs: []wantErr{{1, "is not an email address"}}},
		{name: "level missing", reply: "#level", errs: []wantErr{{1, "support level is needed"}}},
		{name: "level bad", reply: "#level Золотой", errs: []wantErr{{1, "not a support level name"}}},
		{name: "priority missing", reply: "#priority", errs: []wantErr{{1, "priority is needed"}}},
		{name: "priority bad", reply: "#priority urgent", errs: []wantErr{{1, "priority is needed"}}},
		{name: "plan missing", reply: "#plan", errs: []wantErr{{1, "a date is needed"}}},
		{name: "plan impossible date", reply: "#plan 31.02.2025", errs: []wantErr{{1, "is not a date"}}},
		{name: "plan bad iso", reply: "#plan 2025-13-01", errs: []wantErr{{1, "is not a date"}}},
		{name: "plan word", reply: "#plan someday", errs: []wantErr{{1, "is not a date"}}},
		{name: "merge missing", reply: "#merge", errs: []wantErr{{1, "number of the ticket"}}},
		{name: "merge zero", reply: "#merge 0", errs: []wantErr{{1, "number of the ticket"}}},
		{name: "merge not a number", reply: "#merge abc", errs: []wantErr{{1, "number of the ticket"}}},
		{name: "merge overflow", reply: "#merge 99999999999999999999", errs: []wantErr{{1, "number of the ticket"}}},
		{name: "empty note", reply: "#note\n\n", errs: []wantErr{{1, "needs the note text"}}},
		{name: "two state changes", reply: "#close\n#wait", cmds: []Command{c(1, Close, "")}, errs: []wantErr{{2, "only one change of state"}}},
		{name: "assign and take", reply: "#take\n#assign a@b.ru", cmds: []Command{c(1, Take, "")}, errs: []wantErr{{2, "only one of #assign and #take"}}},
		{name: "duplicate priority", reply: "#priority high\n#priority low", cmds: []Command{c(1, Priority, "", PriorityHigh)}, errs: []wantErr{{2, "already given on line 1"}}},
		{
			name:  "errors do not stop other commands",
			reply: "#take\n#defer когда-нибудь\n#priority high\n\nТекст",
			cmds:  []Command{c(1, Take, ""), c(3, Priority, "", PriorityHigh)},
			body:  "Текст",
			errs:  []wantErr{{2, "unknown reason"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmds, body, errs := Parse(tc.reply)
			for i := range cmds {
				if cmds[i].Raw == "" || !strings.Contains(tc.reply, cmds[i].Raw) {
					t.Errorf("cmd %d Raw %q not in the reply", i, cmds[i].Raw)
				}
				cmds[i].Raw = ""
			}
			if !reflect.DeepEqual(cmds, tc.cmds) {
				t.Errorf("cmds = %#v\nwant   %#v", cmds, tc.cmds)
			}
			if body != tc.body {
				t.Errorf("body = %q, want %q", body, tc.body)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errs = %v, want %d", errs, len(tc.errs))
			}
			for i, e := range errs {
				if e.Line != tc.errs[i].line || !strings.Contains(e.Text("en"), tc.errs[i].msg) {
					t.Errorf("err %d = line %d %q, want line %d containing %q", i, e.Line, e.Text("en"), tc.errs[i].line, tc.errs[i].msg)
				}
				if e.Text("ru") == "" || e.Raw == "" {
					t.Errorf("err %d has no MsgRu or Raw: %+v", i, e)
				}
				if !strings.HasPrefix(e.Error(), "line ") {
					t.Errorf("Error() = %q", e.Error())
				}
			}
		})
	}
}

func TestEveryReasonCodeAndAliasParses(t *testing.T) {
	for _, code := range Reasons() {
		cmds, _, errs := Parse("#reject " + code)
		if len(errs) > 0 || len(cmds) != 1 || cmds[0].Args[0] != code {
			t.Errorf("#reject %s: %v %v", code, cmds, errs)
		}
	}
	aliases := map[string]string{
		"неясно": ReasonUnclear, "непонятно": ReasonUnclear, "недостаточно": ReasonInsufficientInfo,
		"мало_данных": ReasonInsufficientInfo, "нет-данных": ReasonInsufficientInfo, "оскорбление": ReasonOffensive,
		"нецензурно": ReasonOffensive, "лицензия": ReasonLicense, "нарушение_лицензии": ReasonLicense,
		"некомпетенция": ReasonOutOfScope, "вне_компетенции": ReasonOutOfScope, "Вне-Компетенции": ReasonOutOfScope,
		"внешняя_причина": ReasonExternalCause, "не_зависит": ReasonExternalCause, "обслуживание": ReasonMaintenance,
		"профилактика": ReasonMaintenance, "тех_работы": ReasonMaintenance, "заблокировано": ReasonBlocked,
		"блокировка": ReasonBlocked, "неопознан": ReasonUnidentified, "аноним": ReasonUnidentified,
		"не_идентифицирован": ReasonUnidentified,
	}
	for alias, code := range aliases {
		cmds, _, errs := Parse("#отложить " + alias)
		if len(errs) > 0 || len(cmds) != 1 || cmds[0].Args[0] != code {
			t.Errorf("#отложить %s: %v %v, want %s", alias, cmds, errs, code)
		}
	}
}

func TestChangesState(t *testing.T) {
	for n, want := range map[Name]bool{
		Note: false, Wait: true, Defer: true, Reject: true, Resolve: true, Close: true, Reopen: true,
		Assign: false, Take: false, Level: false, Priority: false, Plan: true, Merge: true,
	} {
		if got := n.ChangesState(); got != want {
			t.Errorf("%s.ChangesState() = %v", n, got)
		}
	}
}

func TestResolveDate(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	today := time.Date(2024, 12, 31, 16, 30, 0, 0, msk)
	for _, tc := range []struct {
		arg  string
		want string // 2006-01-02, "" for not ok
	}{
		{"сегодня", "2024-12-31"},
		{"today", "2024-12-31"},
		{"Завтра", "2025-01-01"},
		{"tomorrow", "2025-01-01"},
		{"послезавтра", "2025-01-02"},
		{"2025-01-09", "2025-01-09"},
		{"09.01.2025", "2025-01-09"},
		{"9.1.2025", "2025-01-09"},
		{"29.02.2025", ""},
		{"1999-01-01", ""},
		{"09/01/2025", ""},
		{"", ""},
	} {
		got, ok := ResolveDate(tc.arg, today)
		switch {
		case tc.want == "" && ok:
			t.Errorf("ResolveDate(%q) = %v, want not ok", tc.arg, got)
		case tc.want != "" && (!ok || got.Format("2006-01-02") != tc.want || got.Location() != msk || got.Hour() != 0):
			t.Errorf("ResolveDate(%q) = %v, %v; want %s 00:00 MSK", tc.arg, got, ok, tc.want)
		}
	}
}

func TestTooManyErrors(t *testing.T) {
	reply := strings.Repeat("#nope\n", 100) + "текст"
	_, body, errs := Parse(reply)
	if len(errs) != maxErrors+1 || !strings.Contains(errs[maxErrors].Text("en"), "too many errors") {
		t.Fatalf("%d errors, last %v", len(errs), errs[len(errs)-1])
	}
	if body != "текст" {
		t.Errorf("body = %q", body)
	}
}

func TestLongLineIsCutInError(t *testing.T) {
	_, _, errs := Parse("#" + strings.Repeat("я", 10000))
	if len(errs) != 1 || len([]rune(errs[0].Raw)) > 201 || len([]rune(errs[0].Text("en"))) > 100 {
		t.Fatalf("errs = %v", errs)
	}
}
