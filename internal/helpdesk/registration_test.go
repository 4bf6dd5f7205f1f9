package helpdesk_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

const form = "Заявка на подключение к информационной системе\r\n" +
	"Наименование организации: МБДОУ Детский сад № 7\r\nИНН 6615007007\r\n\r\n" +
	"№\tДолжность\tФИО\tНаименования информационных систем\tКонтакты\te-mail\r\n" +
	"1\tзаведующий\tСоколова Елена Павловна\tЕИС, СЭД\t2-55-01\tsokolova@sad7.kgo66.ru\r\n" +
	"2\tбухгалтер\tОрлова Нина Ивановна\t1С\t2-55-02\torlova@sad7.kgo66.ru\r\n\r\n" +
	"Приказ о назначении заведующего прилагается.\r\n"

const prikaz = "--F\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"prikaz.pdf\"\r\n\r\n%PDF-1.4 scan\r\n"

func formMail(withAuthority bool) string {
	att := ""
	if withAuthority {
		att = prikaz
	}
	return formMailFrom("Соколова Елена <sokolova@sad7.kgo66.ru>", "reg1@sad7", form, att)
}

// formMailFrom is a connection request in a text body, with extra MIME parts.
func formMailFrom(from, id, body, parts string) string {
	return "From: " + from + "\r\nTo: " + support + "\r\nSubject: Заявка на подключение\r\n" +
		"Message-ID: <" + id + ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=F\r\n\r\n" +
		"--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n" + parts + "--F--\r\n"
}

// replyMail is a reply into a ticket (In-Reply-To its acknowledgement), with extra MIME parts.
func replyMail(from, id, inReplyTo, body, parts string) string {
	return "From: " + from + "\r\nTo: " + support + "\r\nSubject: Re: Заявка на подключение\r\n" +
		"Message-ID: <" + id + ">\r\nIn-Reply-To: <" + inReplyTo + ">\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=F\r\n\r\n" +
		"--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n" + parts + "--F--\r\n"
}

// sad7 registers the kindergarten of the audit's case: a head and a bookkeeper.
func sad7(t *testing.T, h *harness) *store.Org {
	t.Helper()
	o := &store.Org{Name: "МБДОУ Детский сад № 7", Domains: []string{"sad7.kgo66.ru"}, SupportLevel: "standard"}
	h.tx(func(tx *store.Tx) error {
		ctx := context.Background()
		if err := tx.CreateOrg(ctx, o, "test", friday); err != nil {
			return err
		}
		for _, u := range []store.User{
			{Email: "sokolova@sad7.kgo66.ru", FullName: "Соколова Елена Павловна", Role: store.RoleHead},
			{Email: "orlova@sad7.kgo66.ru", FullName: "Орлова Нина Ивановна", Role: store.RoleUser, Phone: "2-55-02"},
			{Email: "gusev@sad7.kgo66.ru", FullName: "Гусев Пётр Ильич", Role: store.RoleUser},
		} {
			u.OrgID, u.Confirmed = sql.NullInt64{Int64: o.ID, Valid: true}, true
			if _, err := tx.UpsertUser(ctx, &u, "test", friday); err != nil {
				return err
			}
		}
		return nil
	})
	return o
}

func (h *harness) user(email string) *store.User {
	h.t.Helper()
	u, err := h.db.UserByEmail(context.Background(), email)
	if err != nil {
		h.t.Fatalf("user %s: %v", email, err)
	}
	return u
}

func (h *harness) orgCount() int {
	h.t.Helper()
	os, err := h.db.ListOrgs(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return len(os)
}

func (h *harness) approve(id int64) (string, error) {
	return h.svc.DecideRegistration(context.Background(), id, true, "", "cli:test")
}

func TestRegistrationApprovedByMail(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(formMail(true))
	tk := h.ticket(out.TicketID)
	if tk.Kind != store.KindRegistration || tk.Status != store.StatusOpen {
		t.Fatalf("ticket %s %s: want an open registration", tk.Kind, tk.Status)
	}
	if ack := h.sent("registration_received"); len(ack) != 1 {
		t.Fatalf("%d acknowledgements", len(ack))
	}
	n := h.notification(agent1)
	if !strings.Contains(n.Text, "Орлова") {
		t.Errorf("the agents' notification lacks the people:\n%s", n.Text)
	}
	h.ingest(agentMail(agent1, n, "#одобрить", ""))
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusResolved {
		t.Fatalf("after #approve: %s", tk.Status)
	}
	proto := h.sent("protocol")
	if len(proto) != 1 || proto[0].Recipients != "sokolova@sad7.kgo66.ru" {
		t.Fatalf("protocol: %+v", proto)
	}
	m := parse(t, proto[0].Raw)
	for _, want := range []string{"Орлова Нина Ивановна", "1С", "защищённый канал", "бухгалтер"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("protocol text lacks %q:\n%s", want, m.Text)
		}
	}
	u := h.user("orlova@sad7.kgo66.ru")
	if !u.Confirmed || !u.OrgID.Valid || u.Systems != "1С" || u.Position != "бухгалтер" || u.Account != "orlova@sad7.kgo66.ru" {
		t.Fatalf("user %+v", u)
	}
	if !strings.Contains(h.events(out.TicketID), "registration_approved") {
		t.Errorf("events %s", h.events(out.TicketID))
	}
	// The new users are identified senders now.
	o2 := h.ingest(mail{from: "orlova@sad7.kgo66.ru", subject: "1С не запускается", id: "o2@sad7",
		body: "1С не запускается, ошибка лицензии. Тел. 2-55-02"}.String())
	if st := h.ticket(o2.TicketID).Status; st != store.StatusOpen {
		t.Errorf("a registered user's request is %s", st)
	}
}

// The audit's case: a change form from a known client, without an INN and
// with the name spelt differently, neither duplicates the organisation nor
// moves or demotes its people; a changed address updates the person.
func TestRegistrationChangeFormKeepsTheClientsOrganisation(t *testing.T) {
	h := newStaffHarness(t)
	o := sad7(t, h)
	orlovaID := h.user("orlova@sad7.kgo66.ru").ID
	body := "Заявка на подключение (изменения)\r\nНаименование организации: МБДОУ «Детский сад № 7»\r\n\r\n" +
		"№\tДолжность\tФИО\tНаименования информационных систем\tПрава доступа\tПодразделение\te-mail\tДействие\r\n" +
		"1\tзаведующий\tСоколова Елена Павловна\tЕИС, СЭД\tподписание\tАдминистрация\tsokolova@sad7.kgo66.ru\tизменить\r\n" +
		"2\tглавный бухгалтер\tОрлова Нина Ивановна\t1С\tввод документов\tБухгалтерия\tn.orlova@sad7.kgo66.ru\tизменить\r\n" +
		"3\tзавхоз\tГусев Пётр Ильич\t1С\t\t\tgusev@sad7.kgo66.ru\tисключить\r\n" +
		"4\tвоспитатель\tЛебедева Ольга Игоревна\tАИС «Сетевой город»\tпросмотр\t\tlebedeva@sad7.kgo66.ru\tдобавить\r\n\r\n" +
		"Приказ прилагается.\r\n"
	out := h.ingest(formMailFrom("Соколова Елена <sokolova@sad7.kgo66.ru>", "chg@sad7", body, prikaz))
	if tk := h.ticket(out.TicketID); tk.Kind != store.KindRegistration {
		t.Fatalf("ticket kind %s", tk.Kind)
	}
	orgs := h.orgCount()
	h.ingest(agentMail(agent1, h.notification(agent1), "#approve", ""))
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusResolved {
		t.Fatalf("after #approve: %s (%s)", tk.Status, h.events(out.TicketID))
	}
	if n := h.orgCount(); n != orgs {
		t.Errorf("%d organisations after approval, %d before: a duplicate was created", n, orgs)
	}
	head := h.user("sokolova@sad7.kgo66.ru")
	if head.Role != store.RoleHead || head.OrgID.Int64 != o.ID || head.Rights != "подписание" || head.Department != "Администрация" {
		t.Errorf("the head after approval: %+v", head)
	}
	if _, err := h.db.UserByEmail(context.Background(), "orlova@sad7.kgo66.ru"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old address is still a user: %v", err)
	}
	orlova := h.user("n.orlova@sad7.kgo66.ru")
	if orlova.ID != orlovaID || orlova.OrgID.Int64 != o.ID || orlova.Position != "главный бухгалтер" || orlova.Phone != "2-55-02" {
		t.Errorf("Орлова after the address change: %+v (id was %d)", orlova, orlovaID)
	}
	if g := h.user("gusev@sad7.kgo66.ru"); !g.Blocked {
		t.Errorf("the removed person is not blocked: %+v", g)
	}
	if l := h.user("lebedeva@sad7.kgo66.ru"); l.OrgID.Int64 != o.ID || l.Role != store.RoleUser {
		t.Errorf("the new person: %+v", l)
	}
	m := parse(t, h.sent("protocol")[0].Raw)
	for _, want := range []string{"n.orlova@sad7.kgo66.ru", "1С — ввод документов", "МБДОУ Детский сад № 7"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("protocol lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "Гусев") {
		t.Errorf("the protocol lists the removed person:\n%s", m.Text)
	}
}

// A form that lists another organisation's people, or names another
// organisation than the requester's, is refused and changes nothing until
// the operator decides.
func TestRegistrationRefusesToMovePeople(t *testing.T) {
	h := newStaffHarness(t)
	o := sad7(t, h)
	body := "Заявка на подключение\r\nНаименование организации: МБДОУ Детский сад № 7\r\n\r\n" +
		"№\tДолжность\tФИО\tНаименования информационных систем\te-mail\r\n" +
		"1\tспециалист\tПетров Сергей Александрович\tСЭД\tpetrov@uszn.kgo66.ru\r\n\r\nПриказ прилагается.\r\n"
	out := h.ingest(formMailFrom("sokolova@sad7.kgo66.ru", "mv@sad7", body, prikaz))
	uszn := h.user("petrov@uszn.kgo66.ru").OrgID

	_, err := h.approve(out.TicketID)
	var refused *helpdesk.RegistrationRefused
	if !errors.As(err, &refused) || !strings.Contains(refused.Text("ru"), "petrov@uszn.kgo66.ru") || !strings.Contains(refused.Text("ru"), "--move-users") {
		t.Fatalf("approval: %v", err)
	}
	// By mail the agent is refused too, and nothing is written.
	h.ingest(agentMail(agent1, h.notification(agent1), "#approve", ""))
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusOpen || len(h.sent("protocol")) != 0 {
		t.Fatalf("after a refused #approve: %s, %d protocols", tk.Status, len(h.sent("protocol")))
	}
	if u := h.user("petrov@uszn.kgo66.ru"); u.OrgID != uszn || u.Systems != "" {
		t.Fatalf("Петров changed: %+v", u)
	}
	// The operator allows the move explicitly.
	h.tx(func(tx *store.Tx) error {
		return tx.SetRegistrationChoice(context.Background(), out.TicketID, sql.NullInt64{}, false, true)
	})
	if _, err := h.approve(out.TicketID); err != nil {
		t.Fatal(err)
	}
	if u := h.user("petrov@uszn.kgo66.ru"); u.OrgID.Int64 != o.ID {
		t.Errorf("after the explicit move: %+v", u)
	}

	// The form names УСЗН by its INN while the requester is of the kindergarten.
	body = strings.Replace(form, "ИНН 6615007007", "ИНН 6615000001", 1)
	out = h.ingest(formMailFrom("sokolova@sad7.kgo66.ru", "inn@sad7", body, prikaz))
	if _, err := h.approve(out.TicketID); !errors.As(err, &refused) || !strings.Contains(refused.Text("en"), "names organisation") {
		t.Fatalf("approval of a form naming another organisation: %v", err)
	}
	h.tx(func(tx *store.Tx) error {
		return tx.SetRegistrationChoice(context.Background(), out.TicketID, sql.NullInt64{Int64: o.ID, Valid: true}, false, false)
	})
	if _, err := h.approve(out.TicketID); err != nil {
		t.Fatalf("approval into the chosen organisation: %v", err)
	}
	if got, _ := h.db.OrgByID(context.Background(), o.ID); got.INN != "" {
		t.Errorf("the kindergarten took УСЗН's INN: %+v", got)
	}
}

// Approval completes an existing organisation's details and the domains the
// operator chose, one audit event per change, and re-admits a person
// removed earlier.
func TestRegistrationUpdatesOrganisationAndReadmits(t *testing.T) {
	h := newStaffHarness(t)
	o := sad7(t, h)
	h.tx(func(tx *store.Tx) error {
		ctx := context.Background()
		if err := tx.SetUserBlocked(ctx, "gusev@sad7.kgo66.ru", true, "исключён по заявке #99", "test", friday); err != nil {
			return err
		}
		_, err := tx.UpsertUser(ctx, &store.User{Email: "bad@sad7.kgo66.ru", FullName: "Плохой Пользователь",
			OrgID: sql.NullInt64{Int64: o.ID, Valid: true}, Confirmed: true}, "test", friday)
		if err != nil {
			return err
		}
		return tx.SetUserBlocked(ctx, "bad@sad7.kgo66.ru", true, "несанкционированный доступ", "test", friday)
	})
	body := "Заявка на подключение\r\nНаименование организации: МБДОУ Детский сад № 7\r\nИНН 6615007007\r\nОГРН 1026601234560\r\n" +
		"Юридический адрес: 624350, г. Качканар, ул. Мира, д. 7\r\n\r\n" +
		"№\tДолжность\tФИО\tНаименования информационных систем\te-mail\r\n" +
		"1\tзавхоз\tГусев Пётр Ильич\t1С\tgusev@sad7.kgo66.ru\r\n" +
		"2\tсторож\tПлохой Пользователь\t1С\tbad@sad7.kgo66.ru\r\n" +
		"3\tпсихолог\tНовикова Анна\tСЭД\tnovikova@ds7.kgo66.ru\r\n\r\nПриказ прилагается.\r\n"
	out := h.ingest(formMailFrom("sokolova@sad7.kgo66.ru", "upd@sad7", body, prikaz))
	// Approval adds a domain only when the operator chose it (it used to add
	// the people's free domains by itself: the security issue's point 2).
	if _, _, err := h.svc.EditRegistration(context.Background(), out.TicketID,
		helpdesk.RegistrationEdit{AddDomains: []string{"DS7.kgo66.ru"}, Actor: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	summary, err := h.approve(out.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := h.db.OrgByID(context.Background(), o.ID)
	if got.INN != "6615007007" || got.OGRN != "1026601234560" || !strings.Contains(got.Address, "Мира") ||
		strings.Join(got.Domains, ",") != "ds7.kgo66.ru,sad7.kgo66.ru" {
		t.Errorf("organisation after approval: %+v", got)
	}
	es, _ := h.db.AuditEvents(context.Background(), friday.Add(-1))
	updates := 0
	for _, e := range es {
		if e.Kind == "org_updated" {
			updates++
		}
	}
	if updates != 4 {
		t.Errorf("%d org_updated events, want one per change (INN, OGRN, address, domain)", updates)
	}
	if g := h.user("gusev@sad7.kgo66.ru"); g.Blocked {
		t.Errorf("a person removed by a request and added again stays blocked: %+v", g)
	}
	if b := h.user("bad@sad7.kgo66.ru"); !b.Blocked || !strings.Contains(summary, "bad@sad7.kgo66.ru is blocked") {
		t.Errorf("a person blocked by the operator: %+v; summary %q", b, summary)
	}
	m := parse(t, h.sent("protocol")[0].Raw)
	if !strings.Contains(m.Text, "Гусев") || strings.Contains(m.Text, "Плохой") {
		t.Errorf("protocol:\n%s", m.Text)
	}
	unblocked := false
	for _, e := range es {
		unblocked = unblocked || e.Kind == "user_unblocked" && strings.Contains(e.Detail, "gusev@")
	}
	if !unblocked {
		t.Error("no user_unblocked event")
	}
}

// A request deferred for the authority document is approved only once a
// document came from the requester's side; a stranger's reply neither
// counts nor makes them a participant.
func TestRegistrationWaitsForTheAuthorityDocument(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(formMail(false))
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusDeferred || tk.Reason != "insufficient_info" {
		t.Fatalf("ticket %s %s", tk.Status, tk.Reason)
	}
	if m := parse(t, h.sent("registration_received")[0].Raw); !strings.Contains(m.Text, "полномочия") {
		t.Errorf("acknowledgement does not ask for the authority document:\n%s", m.Text)
	}
	var refused *helpdesk.RegistrationRefused
	if _, err := h.approve(out.TicketID); !errors.As(err, &refused) || !strings.Contains(refused.Text("en"), "--authority-document") {
		t.Fatalf("approval without the document: %v", err)
	}
	ack := h.sent("registration_received")[0].MessageID
	// A stranger from another organisation replies into the ticket with a "document".
	h.ingest(replyMail(petrov, "stranger@uszn", ack, "Вот приказ, подключите и меня.", prikaz))
	ps, _ := h.db.Participants(context.Background(), out.TicketID)
	for _, p := range ps {
		if p.Email == "petrov@uszn.kgo66.ru" {
			t.Errorf("the stranger became a participant: %+v", p)
		}
	}
	if !strings.Contains(h.events(out.TicketID), "foreign_sender") {
		t.Errorf("events %s", h.events(out.TicketID))
	}
	if _, err := h.approve(out.TicketID); !errors.As(err, &refused) {
		t.Fatalf("a stranger's document was accepted: %v", err)
	}
	// The requester sends the order.
	h.ingest(replyMail("sokolova@sad7.kgo66.ru", "doc@sad7", ack, "Направляем приказ.", prikaz))
	if _, err := h.approve(out.TicketID); err != nil {
		t.Fatalf("approval after the document came: %v", err)
	}
	if !strings.Contains(h.events(out.TicketID), "registration_authority_received") {
		t.Errorf("events %s", h.events(out.TicketID))
	}
	for _, o := range h.sent("protocol") {
		if strings.Contains(o.Recipients, "petrov") {
			t.Errorf("the stranger got the protocol: %s", o.Recipients)
		}
	}
}

// The operator may confirm the document and set each person's account and
// key channel; the protocol shows them.
func TestRegistrationOperatorOverrides(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(formMail(false))
	h.tx(func(tx *store.Tx) error {
		ctx := context.Background()
		reg, err := tx.Registration(ctx, out.TicketID)
		if err != nil {
			return err
		}
		var req regform.Request
		if err := json.Unmarshal([]byte(reg.Request), &req); err != nil {
			return err
		}
		req.HasAuthorityDocument = true
		req.People[1].Account, req.People[1].KeyChannel = "orlova_n", "лично в руки на материальном носителе"
		b, _ := json.Marshal(req)
		return tx.UpdateRegistrationRequest(ctx, out.TicketID, string(b))
	})
	if _, err := h.approve(out.TicketID); err != nil {
		t.Fatal(err)
	}
	m := parse(t, h.sent("protocol")[0].Raw)
	for _, want := range []string{"orlova_n", "лично в руки на", "sokolova@sad7.kgo66.ru"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("protocol lacks %q:\n%s", want, m.Text)
		}
	}
	if u := h.user("orlova@sad7.kgo66.ru"); u.Account != "orlova_n" {
		t.Errorf("account not stored: %+v", u)
	}
}

func TestRegistrationRejected(t *testing.T) {
	for _, byMail := range []bool{true, false} {
		t.Run(fmt.Sprintf("by mail %v", byMail), func(t *testing.T) {
			h := newStaffHarness(t)
			out := h.ingest(formMail(false))
			if byMail {
				h.ingest(agentMail(agent1, h.notification(agent1), "#reject insufficient_info", ""))
			} else if _, err := h.svc.DecideRegistration(context.Background(), out.TicketID, false, "insufficient_info", "cli:test"); err != nil {
				t.Fatal(err)
			}
			if tk := h.ticket(out.TicketID); tk.Status != store.StatusRejected {
				t.Errorf("after reject: %s", tk.Status)
			}
			if len(h.sent("rejected")) != 1 {
				t.Errorf("%d rejection notices", len(h.sent("rejected")))
			}
			es, _ := h.db.AuditEvents(context.Background(), friday.Add(-1))
			found := false
			for _, e := range es {
				found = found || e.Kind == "registration_rejected" && e.TicketID.Int64 == out.TicketID
			}
			if !found {
				t.Errorf("no registration_rejected in the audit trail: %+v", es)
			}
			if _, err := h.approve(out.TicketID); err == nil {
				t.Error("a rejected request was approved")
			}
			if _, err := h.db.UserByEmail(context.Background(), "orlova@sad7.kgo66.ru"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a rejected request registered people: %v", err)
			}
		})
	}
}

// The scheduler's retention purge drops the raw bytes of the mail sent about
// a closed connection request (the protocol holds personal data), as it does
// for the raw incoming messages.
func TestRegistrationMailPurgedAfterRetention(t *testing.T) {
	h := newStaffHarness(t, func(o *helpdesk.Options) { o.Retention = 30 * 24 * time.Hour })
	out := h.ingest(formMail(true))
	if _, err := h.approve(out.TicketID); err != nil {
		t.Fatal(err)
	}
	h.tx(func(tx *store.Tx) error {
		return tx.UpdateTicketState(context.Background(), out.TicketID, store.StatusClosed, "", sql.NullTime{}, h.now)
	})
	rows, _ := h.db.OutgoingForTicket(context.Background(), out.TicketID)
	for _, r := range rows {
		if err := h.db.MarkSent(context.Background(), r.ID, h.now); err != nil {
			t.Fatal(err)
		}
	}
	h.tick()
	if rows, _ := h.db.OutgoingForTicket(context.Background(), out.TicketID); len(rows[0].Raw) == 0 {
		t.Fatal("sent mail purged before the retention period ended")
	}
	h.now = h.now.Add(31 * 24 * time.Hour)
	h.tick()
	rows, _ = h.db.OutgoingForTicket(context.Background(), out.TicketID)
	for _, r := range rows {
		if len(r.Raw) != 0 {
			t.Errorf("outbox row %d (%s) kept %d bytes after the retention period", r.ID, r.Kind, len(r.Raw))
		}
	}
	if ms, _ := h.db.Messages(context.Background(), out.TicketID); len(ms) == 0 || ms[len(ms)-1].BodyText == "" {
		t.Errorf("the ticket lost its text: %+v", ms)
	}
}
