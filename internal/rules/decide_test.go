package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
)

// nineToFive is a fake calendar: 9:00–17:00 Monday to Friday, in UTC.
type nineToFive struct{}

func (nineToFive) IsOpen(t time.Time) bool {
	t = t.UTC()
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday && t.Hour() >= 9 && t.Hour() < 17
}

func (c nineToFive) NextOpen(t time.Time) time.Time {
	if c.IsOpen(t) {
		return t
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, time.UTC)
	if !d.After(t) {
		d = d.AddDate(0, 0, 1)
	}
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func (nineToFive) Add(t time.Time, d time.Duration) time.Time { return t.Add(d) }

var (
	monday10 = time.Date(2024, 4, 22, 10, 0, 0, 0, time.UTC)
	school   = &Org{ID: 3, Name: "МАОУ СОШ № 3", Domains: []string{"school3.example.org"}}
	ivanova  = &User{Email: "user@school3.example.org", FullName: "Иванова Мария Петровна", OrgID: 3}
)

const englishBody = "Hello,\nThe printer in room 12 shows error 0x05 when I print.\n\nBest regards,\nJohn Smith\nIT manager, Springfield School\nPhone: +44 20 7946 0958"

const goodBody = "Добрый день!\nПри входе в СЭД появляется ошибка 403.\nС уважением, Иванова Мария Петровна, учитель, МАОУ СОШ № 3, тел. 8 (34341) 2-11-05"

func TestDecide(t *testing.T) {
	win := Window{ID: 7, System: "СЭД", Keywords: []string{"Дело"}, From: monday10.Add(-time.Hour), To: monday10.Add(time.Hour), Note: "обновление"}
	desk := Window{ID: 8, From: monday10.Add(-time.Hour), To: monday10.Add(time.Hour)}
	tests := []struct {
		name      string
		in        Input
		cfg       Config
		outcome   Outcome
		reason    string
		missing   []string
		self      bool
		priority  string
		window    int64
		outOfHour bool
	}{
		{name: "registered sender opens",
			in:      Input{Msg: msg("Ошибка", goodBody, screenshot), Now: monday10, Sender: ivanova, SenderOrg: school},
			outcome: OutcomeOpen},
		{name: "all blocked beats everything",
			in:      Input{Msg: msg("", "сука"), Now: monday10, AllBlocked: true},
			outcome: OutcomeReject, reason: ReasonBlocked},
		{name: "blocked user",
			in:      Input{Msg: msg("Ошибка", goodBody), Now: monday10, Sender: &User{Email: "x@y", Blocked: true}},
			outcome: OutcomeReject, reason: ReasonBlocked},
		{name: "blocked organisation",
			in:      Input{Msg: msg("Ошибка", goodBody), Now: monday10, SenderOrg: &Org{Name: "ООО Спам", Blocked: true}},
			outcome: OutcomeReject, reason: ReasonBlocked},
		{name: "blocked rule disabled",
			in:      Input{Msg: msg("Ошибка", goodBody), Now: monday10, Sender: ivanova, AllBlocked: true},
			cfg:     Config{Blocked: RuleSwitch{Disabled: true}},
			outcome: OutcomeOpen, missing: []string{CheckScreenshot}},
		{name: "offensive beats unidentified",
			in:      Input{Msg: msg("", "Почините уже, блять"), Now: monday10},
			outcome: OutcomeReject, reason: ReasonOffensive},
		{name: "offensive in the subject",
			in:      Input{Msg: msg("Ебаный принтер", "Не печатает."), Now: monday10, Sender: ivanova},
			outcome: OutcomeReject, reason: ReasonOffensive},
		{name: "offensive reply is still rejected",
			in:      Input{Msg: msg("Re: [#5]", "Вы дебилы"), Now: monday10, Sender: ivanova, IsReply: true},
			outcome: OutcomeReject, reason: ReasonOffensive},
		{name: "offensive words only in the quote do not count",
			in:      Input{Msg: msg("Re: [#5]", "Спасибо!\n\n> пользователь написал: сука"), Now: monday10, Sender: ivanova, IsReply: true},
			outcome: OutcomeOpen},
		{name: "unknown sender, nothing given",
			in:      Input{Msg: msg("Не работает принтер", "Не печатает."), Now: monday10},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified,
			missing: []string{MissingFullName, MissingOrganisation, MissingPhone, MissingOrgDomain}},
		{name: "unknown sender on a registered domain, phone missing",
			in:      Input{Msg: msg("Не работает принтер", "Не печатает.\nС уважением, Петров С. А., МАОУ СОШ № 3"), Now: monday10, SenderOrg: school},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified, missing: []string{MissingPhone}},
		{name: "self-identified on a registered domain",
			in:      Input{Msg: msg("Ошибка", goodBody), Now: monday10, SenderOrg: school},
			outcome: OutcomeOpen, self: true, missing: []string{CheckScreenshot}},
		{name: "everything given but the domain is unknown",
			in:      Input{Msg: msg("Ошибка", goodBody), Now: monday10},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified, missing: []string{MissingOrgDomain}},
		{name: "full name from the From display name",
			in: Input{Msg: &mailmsg.Message{From: &mailmsg.Address{Name: "Петров Сергей Андреевич", Email: "p@school3.example.org"},
				Subject: "Ошибка", Text: "Не работает СЭД.\nМАОУ СОШ № 3, тел. 2-11-05"}, Now: monday10, SenderOrg: school},
			outcome: OutcomeOpen, self: true, missing: []string{CheckSteps, CheckScreenshot}},
		{name: "unidentified beats maintenance",
			in:      Input{Msg: msg("СЭД", "Не открывается СЭД"), Now: monday10, Maintenance: []Window{win}},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified,
			missing: []string{MissingFullName, MissingOrganisation, MissingPhone, MissingOrgDomain}},
		{name: "maintenance of the mentioned system defers",
			in:      Input{Msg: msg("СЭД", "Не открывается СЭД"), Now: monday10, Sender: ivanova, Maintenance: []Window{win}},
			outcome: OutcomeDefer, reason: ReasonMaintenance, window: 7},
		{name: "maintenance keyword",
			in:      Input{Msg: msg("", "Не открывается «Дело», пишет ошибку"), Now: monday10, Sender: ivanova, Maintenance: []Window{win}},
			outcome: OutcomeDefer, reason: ReasonMaintenance, window: 7},
		{name: "maintenance of another system does not defer",
			in:      Input{Msg: msg("1С", "Не запускается 1С"), Now: monday10, Sender: ivanova, Maintenance: []Window{win}},
			outcome: OutcomeOpen, missing: []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{name: "window over",
			in:      Input{Msg: msg("СЭД", "Не открывается СЭД"), Now: monday10.Add(time.Hour), Sender: ivanova, Maintenance: []Window{win}},
			outcome: OutcomeOpen, missing: []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{name: "desk-wide window defers everything",
			in:      Input{Msg: msg("Принтер", "Не печатает принтер"), Now: monday10, Sender: ivanova, Maintenance: []Window{win, desk}},
			outcome: OutcomeDefer, reason: ReasonMaintenance, window: 8},
		{name: "maintenance beats unclear",
			in:      Input{Msg: msg("", "Здравствуйте!"), Now: monday10, Sender: ivanova, Maintenance: []Window{desk}},
			outcome: OutcomeDefer, reason: ReasonMaintenance, window: 8},
		{name: "unclear",
			in:      Input{Msg: msg("", "Здравствуйте!"), Now: monday10, Sender: ivanova},
			outcome: OutcomeDefer, reason: ReasonUnclear},
		{name: "unclear does not apply to replies",
			in:      Input{Msg: msg("Re: [#5]", "Спасибо!"), Now: monday10, Sender: ivanova, IsReply: true},
			outcome: OutcomeOpen},
		{name: "identification does not apply to replies",
			in:      Input{Msg: msg("Re: [#5]", "Всё заработало"), Now: monday10, IsReply: true},
			outcome: OutcomeOpen},
		{name: "incident from an unknown sender is flagged",
			in:      Input{Msg: msg("Взлом", "Кто-то зашёл под моей учётной записью"), Now: monday10},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified, priority: PriorityIncident,
			missing: []string{MissingFullName, MissingOrganisation, MissingPhone, MissingOrgDomain}},
		{name: "incident rule disabled",
			in:      Input{Msg: msg("Вирус", "На компьютере вирус, тел. 2-44-90"), Now: monday10, Sender: ivanova},
			cfg:     Config{Incident: RuleSwitch{Disabled: true}},
			outcome: OutcomeOpen, missing: []string{CheckSteps, CheckScreenshot}},
		{name: "out of hours",
			in:      Input{Msg: msg("Ошибка", goodBody, screenshot), Now: monday10.Add(8 * time.Hour), Sender: ivanova, Calendar: nineToFive{}},
			outcome: OutcomeOpen, outOfHour: true},
		{name: "quality disabled",
			in:      Input{Msg: msg("1С", "Не запускается 1С"), Now: monday10, Sender: ivanova},
			cfg:     Config{Quality: RuleSwitch{Disabled: true}},
			outcome: OutcomeOpen},
		{name: "English request, self-identified on a registered domain",
			in:      Input{Msg: msg("Printer error", englishBody), Now: monday10, SenderOrg: school},
			outcome: OutcomeOpen, self: true, missing: []string{CheckScreenshot}},
		{name: "English form lines, self-identified",
			in: Input{Msg: msg("Cannot log in", "I cannot log in to the portal.\nName: Mary O'Neil\nOrganization: Springfield School\nTel.: +1 (555) 123-4567"),
				Now: monday10, SenderOrg: school},
			outcome: OutcomeOpen, self: true, missing: []string{CheckSteps, CheckScreenshot}},
		{name: "English request without a phone",
			in:      Input{Msg: msg("Printer error", "The printer shows error 5.\nName: John Smith\nCompany: Springfield School"), Now: monday10, SenderOrg: school},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified, missing: []string{MissingPhone}},
		{name: "English request from an unknown domain",
			in:      Input{Msg: msg("Printer error", englishBody), Now: monday10},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified, missing: []string{MissingOrgDomain}},
		{name: "English offensive",
			in:      Input{Msg: msg("Printer", "Fix the fucking printer, you idiots"), Now: monday10, Sender: ivanova},
			outcome: OutcomeReject, reason: ReasonOffensive},
		{name: "an ordinary -хую word is not offensive",
			in:      Input{Msg: msg("Принтер", "Принтер даёт очень плохую печать, полосы. Тел. 2-44-17"), Now: monday10, Sender: ivanova},
			outcome: OutcomeOpen, missing: []string{CheckQuestion, CheckSteps, CheckScreenshot}},
		{name: "English incident",
			in:      Input{Msg: msg("Account", "My password was leaked and someone logged in as me. Phone: +44 20 7946 0958"), Now: monday10, Sender: ivanova},
			outcome: OutcomeOpen, priority: PriorityIncident, missing: []string{CheckQuestion, CheckSteps, CheckScreenshot}},
		{name: "nil message is unidentified, not a panic",
			in:      Input{Now: monday10},
			outcome: OutcomeUnidentified, reason: ReasonUnidentified,
			missing: []string{MissingFullName, MissingOrganisation, MissingPhone, MissingOrgDomain}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.in, tt.cfg)
			if d.Outcome != tt.outcome || d.Reason != tt.reason {
				t.Errorf("outcome %s/%q, want %s/%q\n%s", d.Outcome, d.Reason, tt.outcome, tt.reason, trail(d))
			}
			if !reflect.DeepEqual(d.Missing, tt.missing) {
				t.Errorf("missing %q, want %q\n%s", d.Missing, tt.missing, trail(d))
			}
			if d.SelfIdentified != tt.self {
				t.Errorf("self-identified %v, want %v\n%s", d.SelfIdentified, tt.self, trail(d))
			}
			want := tt.priority
			if want == "" {
				want = PriorityNormal
			}
			if d.Priority != want {
				t.Errorf("priority %q, want %q", d.Priority, want)
			}
			if (d.Window == nil) != (tt.window == 0) || d.Window != nil && d.Window.ID != tt.window {
				t.Errorf("window %+v, want id %d", d.Window, tt.window)
			}
			if d.OutOfHours != tt.outOfHour {
				t.Errorf("out of hours %v, want %v", d.OutOfHours, tt.outOfHour)
			}
			checkInvariants(t, d)
		})
	}
}

func TestDecideOutOfHours(t *testing.T) {
	friday20 := time.Date(2024, 4, 26, 20, 0, 0, 0, time.UTC)
	d := Decide(Input{Msg: msg("Ошибка", goodBody), Now: friday20, Sender: ivanova, Calendar: nineToFive{}}, Config{})
	if !d.OutOfHours || !d.WorkStartsAt.Equal(time.Date(2024, 4, 29, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("OutOfHours %v WorkStartsAt %v, want Monday 9:00", d.OutOfHours, d.WorkStartsAt)
	}
	d = Decide(Input{Msg: msg("Ошибка", goodBody), Now: friday20, Sender: ivanova}, Config{})
	if d.OutOfHours || !d.WorkStartsAt.IsZero() {
		t.Errorf("no calendar: OutOfHours %v WorkStartsAt %v", d.OutOfHours, d.WorkStartsAt)
	}
}

func TestDecideTrail(t *testing.T) {
	d := Decide(Input{Msg: msg("", "сука"), Now: monday10, AllBlocked: true}, Config{Unclear: RuleSwitch{Disabled: true}})
	var rules []string
	for _, s := range d.Trail {
		rules = append(rules, s.Rule+"="+s.Result)
	}
	want := "blocked=fired offensive=fired identification=fired maintenance=passed unclear=disabled " +
		"quality=skipped out_of_scope=passed incident=passed hours=skipped"
	if got := strings.Join(rules, " "); got != want {
		t.Errorf("trail\n got %s\nwant %s", got, want)
	}
	if d.Rule != RuleBlocked || len(d.Offensive) != 1 || d.Offensive[0] != "сука" {
		t.Errorf("rule %q offensive %q", d.Rule, d.Offensive)
	}
}

func TestDecideIdentityAndScope(t *testing.T) {
	d := Decide(Input{Msg: msg("Вопрос", "Разъясните закон о госзакупках.\n"+goodBody[strings.Index(goodBody, "С уважением"):]), Now: monday10, Sender: ivanova}, Config{})
	if d.Identity == nil || d.Identity.FullName != "Иванова Мария Петровна" || d.Identity.Phone != "8 (34341) 2-11-05" {
		t.Errorf("identity %+v", d.Identity)
	}
	if !reflect.DeepEqual(d.OutOfScope, []string{ScopeLegislation}) || d.Outcome != OutcomeOpen {
		t.Errorf("out of scope %q outcome %s", d.OutOfScope, d.Outcome)
	}
	d = Decide(Input{Msg: msg("Question", "Could you explain the law on data retention?\n"+englishBody[strings.Index(englishBody, "Best regards"):]), Now: monday10, SenderOrg: school}, Config{})
	if d.Identity == nil || *d.Identity != (Identity{"John Smith", "Springfield School", "+44 20 7946 0958", "IT manager"}) {
		t.Errorf("English identity %+v", d.Identity)
	}
	if !reflect.DeepEqual(d.OutOfScope, []string{ScopeLegislation}) || d.Outcome != OutcomeOpen || !d.SelfIdentified {
		t.Errorf("English: out of scope %q outcome %s self %v", d.OutOfScope, d.Outcome, d.SelfIdentified)
	}
	d = Decide(Input{Msg: msg("Report", "Please do my monthly report for me, I am busy"), Now: monday10, Sender: ivanova},
		Config{OutOfScopePhrases: map[string][]string{ScopeUserDuties: {"monthly report for me"}}})
	if !reflect.DeepEqual(d.OutOfScope, []string{ScopeUserDuties}) {
		t.Errorf("English configured phrase: %q", d.OutOfScope)
	}
	d = Decide(Input{Msg: msg("Вопрос", "Заполните отчёт"), Now: monday10, Sender: ivanova},
		Config{OutOfScopePhrases: map[string][]string{ScopeUserDuties: {"заполните отчёт"}}})
	if !reflect.DeepEqual(d.OutOfScope, []string{ScopeUserDuties}) {
		t.Errorf("configured phrase: %q", d.OutOfScope)
	}
}

func checkInvariants(t *testing.T, d Decision) {
	t.Helper()
	switch d.Outcome {
	case OutcomeOpen:
		if d.Reason != "" || d.Rule != "" {
			t.Errorf("open with reason %q rule %q", d.Reason, d.Rule)
		}
	case OutcomeReject, OutcomeDefer, OutcomeUnidentified:
		if d.Reason == "" || d.Rule == "" {
			t.Errorf("%s without reason or rule", d.Outcome)
		}
	default:
		t.Errorf("unknown outcome %q", d.Outcome)
	}
	if d.Priority != PriorityNormal && d.Priority != PriorityIncident {
		t.Errorf("priority %q", d.Priority)
	}
	if len(d.Trail) != 9 {
		t.Errorf("trail has %d steps, want 9", len(d.Trail))
	}
	if (d.Reason == ReasonMaintenance) != (d.Window != nil) {
		t.Errorf("reason %q with window %v", d.Reason, d.Window)
	}
}

func trail(d Decision) string {
	var b strings.Builder
	for _, s := range d.Trail {
		b.WriteString("  " + s.Rule + ": " + s.Result + " " + s.Detail + "\n")
	}
	return b.String()
}
