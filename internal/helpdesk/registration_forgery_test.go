package helpdesk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/directory"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// forgedForm is the security issue's case: a request in the kindergarten's
// name listing an outsider, with a "приказ" attached.
const forgedForm = "Заявка на подключение к информационной системе\r\n" +
	"Наименование организации: МБДОУ Детский сад № 7\r\nИНН 6615007007\r\n\r\n" +
	"№\tДолжность\tФИО\tНаименования информационных систем\te-mail\r\n" +
	"1\tзаместитель\tАутсайдер Иван Петрович\tЕИС, СЭД\toutsider@evil.test\r\n\r\n" +
	"Приказ о назначении прилагается.\r\n"

func codes(ws []directory.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, string(w.Code))
	}
	return out
}

// A request forged from a client's user (not the head) listing an outsider
// on a foreign domain, approved with one #approve, adds no domain and
// enrols nobody; the agents see the warnings in the notification, in
// registration show and in the approval's confirmation.
func TestForgedRegistrationMovesNobodyIn(t *testing.T) {
	h := newStaffHarness(t)
	o := sad7(t, h)
	out := h.ingest(formMailFrom("Орлова Нина <orlova@sad7.kgo66.ru>", "forged@sad7", forgedForm, prikaz))
	n := h.notification(agent1)
	for _, want := range []string{"evil.test", "--add-domain evil.test", "--allow-person outsider@evil.test",
		"orlova@sad7.kgo66.ru не записан в справочнике руководителем"} {
		if !strings.Contains(n.Text, want) {
			t.Errorf("the agents' notification lacks %q:\n%s", want, n.Text)
		}
	}
	ws, lang, err := h.svc.RegistrationWarnings(context.Background(), out.TicketID)
	if err != nil || lang != "ru" || !slices.Equal(codes(ws), []string{"new_domain", "requester_not_head", "off_domain"}) {
		t.Fatalf("warnings %+v %s %v", ws, lang, err)
	}

	h.ingest(agentMail(agent1, n, "#approve", ""))
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusResolved {
		t.Fatalf("after #approve: %s (%s)", tk.Status, h.events(out.TicketID))
	}
	if got, _ := h.db.OrgByID(context.Background(), o.ID); !slices.Equal(got.Domains, []string{"sad7.kgo66.ru"}) {
		t.Errorf("approval added a domain by itself: %v", got.Domains)
	}
	if _, err := h.db.UserByEmail(context.Background(), "outsider@evil.test"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the outsider became a user: %v", err)
	}
	res := h.result(agent1)
	for _, want := range []string{"0 registered", "не зарегистрировано без разрешения оператора: outsider@evil.test",
		"заявка меняет справочник", "--add-domain evil.test"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("the approval's confirmation lacks %q:\n%s", want, res.Text)
		}
	}
	if p := h.sent("protocol"); len(p) != 1 || strings.Contains(parse(t, p[0].Raw).Text, "outsider") {
		t.Errorf("protocol: %+v", p)
	}
	// The outsider writing in is a stranger, not the organisation's user.
	o2 := h.ingest(mail{from: "outsider@evil.test", subject: "Доступ", id: "o2@evil", body: "Пришлите мне документы"}.String())
	if tk := h.ticket(o2.TicketID); tk.OrgID.Valid {
		t.Errorf("the outsider's request is the organisation's: %+v", tk)
	}
}

// The operator's explicit choices: --add-domain adds the domain and enrols
// its people; --allow-person enrols one address of a public mail service;
// --allow-role-change lets the rights change (kept otherwise).
func TestRegistrationExplicitChoices(t *testing.T) {
	h := newStaffHarness(t)
	o := sad7(t, h)
	u := h.user("orlova@sad7.kgo66.ru")
	h.tx(func(tx *store.Tx) error {
		u.Rights = "просмотр"
		_, err := tx.UpsertUser(context.Background(), u, "test", friday)
		return err
	})
	body := "Заявка на подключение\r\nНаименование организации: МБДОУ Детский сад № 7\r\n" +
		"\r\n№\tДолжность\tФИО\tНаименования информационных систем\tПрава доступа\te-mail\r\n" +
		"1\tзаместитель\tАутсайдер Иван Петрович\tЕИС\tпросмотр\toutsider@evil.test\r\n" +
		"2\tбухгалтер\tОрлова Нина Ивановна\t1С\tадминистратор\torlova@sad7.kgo66.ru\r\n" +
		"3\tсекретарь\tИванова Анна\tСЭД\tпросмотр\tivanova@mail.ru\r\n" +
		"4\tсторож\tПетрова Ольга\tСЭД\tпросмотр\tpetrova@gmail.com\r\n\r\nПриказ прилагается.\r\n"
	out := h.ingest(formMailFrom("sokolova@sad7.kgo66.ru", "choices@sad7", body, prikaz))
	ws, _, err := h.svc.RegistrationWarnings(context.Background(), out.TicketID)
	if err != nil || !slices.Equal(codes(ws), []string{"new_domain", "off_domain", "role_change", "public_mail", "public_mail"}) {
		t.Fatalf("warnings %v %v", codes(ws), err)
	}
	if _, _, err := h.svc.EditRegistration(context.Background(), out.TicketID,
		helpdesk.RegistrationEdit{AddDomains: []string{"gmail.com"}, Actor: "cli:test"}); !errors.Is(err, helpdesk.ErrBadEdit) {
		t.Errorf("a public mail service as the organisation's domain: %v", err)
	}
	_, changed, err := h.svc.EditRegistration(context.Background(), out.TicketID,
		helpdesk.RegistrationEdit{AddDomains: []string{"evil.test"}, AllowPeople: []string{"Ivanova@Mail.ru"}, Actor: "cli:test"})
	if err != nil || !strings.Contains(strings.Join(changed, ";"), "add domain evil.test") {
		t.Fatalf("edit: %v %v", changed, err)
	}
	summary, err := h.approve(out.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := h.db.OrgByID(context.Background(), o.ID)
	if !slices.Equal(got.Domains, []string{"evil.test", "sad7.kgo66.ru"}) {
		t.Errorf("domains %v", got.Domains)
	}
	if u := h.user("outsider@evil.test"); u.OrgID.Int64 != o.ID {
		t.Errorf("the outsider on the chosen domain: %+v", u)
	}
	if u := h.user("ivanova@mail.ru"); u.OrgID.Int64 != o.ID {
		t.Errorf("the allowed address: %+v", u)
	}
	if _, err := h.db.UserByEmail(context.Background(), "petrova@gmail.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a public address nobody allowed was registered: %v", err)
	}
	if u := h.user("orlova@sad7.kgo66.ru"); u.Rights != "просмотр" || u.Systems != "1С" {
		t.Errorf("the rights changed without permission: %+v", u)
	}
	if !strings.Contains(summary, "petrova@gmail.com") || !strings.Contains(summary, "--allow-role-change") ||
		!strings.Contains(summary, "разрешено оператором") {
		t.Errorf("summary:\n%s", summary)
	}

	// A role change the operator allowed.
	body = "Заявка на подключение\r\nНаименование организации: МБДОУ Детский сад № 7\r\n\r\n" +
		"№\tДолжность\tФИО\tНаименования информационных систем\tПрава доступа\te-mail\r\n" +
		"1\tбухгалтер\tОрлова Нина Ивановна\t1С\tадминистратор\torlova@sad7.kgo66.ru\r\n\r\nПриказ прилагается.\r\n"
	out = h.ingest(formMailFrom("sokolova@sad7.kgo66.ru", "role@sad7", body, prikaz))
	yes := true
	if _, _, err := h.svc.EditRegistration(context.Background(), out.TicketID,
		helpdesk.RegistrationEdit{AllowRoleChange: &yes, Actor: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.approve(out.TicketID); err != nil {
		t.Fatal(err)
	}
	if u := h.user("orlova@sad7.kgo66.ru"); u.Rights != "администратор" {
		t.Errorf("an allowed role change: %+v", u)
	}
}
