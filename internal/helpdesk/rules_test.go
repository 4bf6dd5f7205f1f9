package helpdesk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

func (h *harness) tick() int {
	h.t.Helper()
	n, err := h.svc.Tick(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) tx(f func(tx *store.Tx) error) {
	h.t.Helper()
	if err := h.db.Tx(context.Background(), f); err != nil {
		h.t.Fatal(err)
	}
}

func lastMail(t *testing.T, ms []*mailmsg.Message) *mailmsg.Message {
	t.Helper()
	if len(ms) == 0 {
		t.Fatal("no mail queued")
	}
	return ms[len(ms)-1]
}

func TestUnknownSenderIsAskedToIdentify(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: "Незнакомец <someone@uszn.kgo66.ru>", subject: "Не работает ЕИС", id: "u1@uszn",
		body: "Не открывается ЕИС, выдаёт ошибку 500. Пробовала перезагрузить."}.String())
	tk := h.ticket(out.TicketID)
	if tk.Status != store.StatusUnidentified || tk.Reason != "unidentified" || tk.FirstResponseDue.Valid || tk.SLAFirstResponse != "" {
		t.Fatalf("ticket %+v: want unidentified with no clock", tk)
	}
	ask := lastMail(t, h.outbox(out.TicketID))
	if !strings.Contains(ask.Subject, "идентификация") || !strings.Contains(ask.Text, "4.2") ||
		!strings.Contains(ask.Text, "фамилию, имя и отчество") || !strings.Contains(ask.Text, "контактный телефон") {
		t.Errorf("identification request:\n%s\n%s", ask.Subject, ask.Text)
	}
	// The reply gives what was missing: the ticket opens and its clocks start now.
	h.now = h.now.Add(30 * time.Minute)
	h.ingest(mail{from: "Незнакомец <someone@uszn.kgo66.ru>", subject: "Re: " + ask.Subject, id: "u2@uszn", inReplyTo: ask.MessageID,
		body: "ФИО: Кузнецова Ольга Ивановна\nОрганизация: УСЗН\nТел. 8 (34341) 2-44-19"}.String())
	tk = h.ticket(out.TicketID)
	if tk.Status != store.StatusOpen || !tk.FirstResponseDue.Valid || !tk.OrgID.Valid {
		t.Fatalf("after identification: %+v", tk)
	}
	if want := time.Date(2024, 12, 27, 14, 30, 0, 0, friday.Location()); !tk.FirstResponseDue.Time.Equal(want) {
		t.Errorf("due %v, want %v (clock starts at identification)", tk.FirstResponseDue.Time.In(friday.Location()), want)
	}
	ack := lastMail(t, h.outbox(out.TicketID))
	if !strings.Contains(ack.Subject, "зарегистрировано") {
		t.Errorf("no acknowledgement after identification: %s", ack.Subject)
	}
	u, err := h.db.UserByEmail(context.Background(), "someone@uszn.kgo66.ru")
	if err != nil || !u.SelfIdentified || u.Confirmed || u.FullName != "Кузнецова Ольга Ивановна" {
		t.Errorf("self-identified user: %+v %v", u, err)
	}
}

// A full identification from an address outside every registered
// organisation's domains is not enough: the notice asks for a work address,
// not for the organisation the sender has already named.
func TestIdentificationFromForeignDomainAsksForWorkAddress(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: "Ольга <olga.k@gmail.com>", subject: "Не работает ЕИС", id: "g1@gmail",
		body: "Не открывается ЕИС, выдаёт ошибку 500."}.String())
	ask := lastMail(t, h.outbox(out.TicketID))
	h.ingest(mail{from: "Ольга <olga.k@gmail.com>", subject: "Re: " + ask.Subject, id: "g2@gmail", inReplyTo: ask.MessageID,
		body: "ФИО: Кузнецова Ольга Ивановна\nОрганизация: УСЗН\nТел. 8 (34341) 2-44-19"}.String())
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusUnidentified {
		t.Fatalf("status %s, want unidentified", tk.Status)
	}
	again := lastMail(t, h.outbox(out.TicketID))
	if again.MessageID == ask.MessageID || !strings.Contains(again.Text, "рабочего адреса электронной почты") ||
		strings.Contains(again.Text, "наименование организации") {
		t.Errorf("second notice should ask for a work address only:\n%s", again.Text)
	}
}

func TestUnidentifiedRequestClosesAfterWaiting(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.Regulations.IdentifyWaitDays = 2 })
	out := h.ingest(mail{from: "stranger@nowhere.ru", subject: "Помогите", id: "s1@x",
		body: "Не работает программа, выдаёт ошибку при входе."}.String())
	if h.tick() != 0 {
		t.Fatal("closed at once")
	}
	// Friday 10:00 + 2 working days (16 business hours) = 9 January 2025 (the New Year holidays).
	h.now = time.Date(2025, 1, 9, 17, 1, 0, 0, friday.Location())
	if n := h.tick(); n != 1 {
		t.Fatalf("tick changed %d tickets", n)
	}
	tk := h.ticket(out.TicketID)
	if tk.Status != store.StatusClosed || tk.Reason != "unidentified" {
		t.Errorf("ticket %+v", tk)
	}
	if m := lastMail(t, h.outbox(out.TicketID)); !strings.Contains(m.Subject, "закрыто") {
		t.Errorf("closing notice: %s", m.Subject)
	}
}

func TestBlockedSendersAreRefused(t *testing.T) {
	cases := []struct {
		name  string
		block func(tx *store.Tx) error
		from  string
	}{
		{"user", func(tx *store.Tx) error {
			return tx.SetUserBlocked(context.Background(), "petrov@uszn.kgo66.ru", true, "утечка пароля", "test", friday)
		}, petrov},
		{"organisation", func(tx *store.Tx) error {
			o, err := tx.OrgByDomain(context.Background(), "uszn.kgo66.ru")
			if err != nil {
				return err
			}
			return tx.SetOrgBlocked(context.Background(), o.ID, true, "несанкционированный доступ", "test", friday)
		}, "Сидорова <sidorova@uszn.kgo66.ru>"},
		{"everyone", func(tx *store.Tx) error {
			return tx.SetAllBlocked(context.Background(), true, "инцидент", "test", friday)
		}, "anyone@other.ru"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.tx(c.block)
			out := h.ingest(mail{from: c.from, subject: "Срочно", id: "b1@x"}.String())
			if out.Disposition != store.DispBlocked || out.TicketID != 0 {
				t.Fatalf("outcome %+v", out)
			}
			ms := h.outbox(0)
			if len(ms) != 1 || !strings.Contains(ms[0].Subject, "не принято") {
				t.Fatalf("notice: %d mails", len(ms))
			}
			counts, _ := h.db.Counts(context.Background())
			if counts.Tickets != 0 {
				t.Errorf("a blocked sender opened a ticket")
			}
		})
	}
}

func TestOffensiveRequestIsRejected(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: petrov, subject: "Опять", id: "o1@uszn", body: "Вы там совсем охуели? Третий день не работает ваша сраная система, идиоты."}.String())
	tk := h.ticket(out.TicketID)
	if tk.Status != store.StatusRejected || tk.Reason != "offensive" {
		t.Fatalf("ticket %+v", tk)
	}
	if m := lastMail(t, h.outbox(out.TicketID)); !strings.Contains(m.Text, "4.6.3") {
		t.Errorf("rejection does not cite the clause:\n%s", m.Text)
	}
}

func TestMaintenanceDefersAndResumes(t *testing.T) {
	h := newHarness(t)
	end := friday.Add(3 * time.Hour)
	h.tx(func(tx *store.Tx) error {
		return tx.AddMaintenance(context.Background(), &store.MaintenanceWindow{System: "МИС", Keywords: "медицинская информационная система",
			StartsAt: friday.Add(-time.Hour).UTC(), EndsAt: end.UTC(), Note: "Обновление сервера.", CreatedAt: friday.UTC(), CreatedBy: "test"})
	})
	out := h.ingest(mail{from: petrov, subject: "Не открывается МИС", id: "m1@uszn", body: "МИС не открывается, пишет что сервер недоступен. Тел. 2-44-17"}.String())
	tk := h.ticket(out.TicketID)
	if tk.Status != store.StatusDeferred || tk.Reason != "maintenance" || !tk.ResumeAt.Time.Equal(end.UTC()) {
		t.Fatalf("ticket %+v", tk)
	}
	if m := lastMail(t, h.outbox(out.TicketID)); !strings.Contains(m.Text, "13:00") || !strings.Contains(m.Text, "МИС") {
		t.Errorf("deferral notice lacks the window's end:\n%s", m.Text)
	}
	h.now = end.Add(time.Minute)
	if n := h.tick(); n != 1 {
		t.Fatalf("tick changed %d", n)
	}
	tk = h.ticket(out.TicketID)
	if tk.Status != store.StatusOpen || tk.Reason != "" {
		t.Fatalf("not resumed: %+v", tk)
	}
	// Paused from 10:00 to 13:01: 4 business hours of first response are due at 17:01 — on the next working day.
	if !tk.FirstResponseDue.Valid || !tk.FirstResponseDue.Time.After(end) {
		t.Errorf("due %v after resuming", tk.FirstResponseDue.Time.In(friday.Location()))
	}
}

func TestUnclearRequestIsDeferredUntilReply(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: petrov, subject: "", id: "c1@uszn", body: "Здравствуйте!\n\nС уважением, Петров"}.String())
	tk := h.ticket(out.TicketID)
	if tk.Status != store.StatusDeferred || tk.Reason != "unclear" {
		t.Fatalf("ticket %+v", tk)
	}
	ask := lastMail(t, h.outbox(out.TicketID))
	if !strings.Contains(ask.Text, "4.6.1") {
		t.Errorf("notice:\n%s", ask.Text)
	}
	h.ingest(mail{from: petrov, subject: "Re: " + ask.Subject, id: "c2@uszn", inReplyTo: ask.MessageID,
		body: "Не печатает принтер в кабинете 12, ошибка «нет бумаги», хотя бумага есть."}.String())
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusOpen {
		t.Errorf("status after the reply: %s", tk.Status)
	}
}

func TestIncidentIsPrioritisedAndAlerted(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: petrov, subject: "Взлом", id: "i1@uszn",
		body: "Кто-то зашёл под моей учётной записью ночью и удалил документы. Пароль никому не сообщал. Тел. 2-44-17"}.String())
	tk := h.ticket(out.TicketID)
	if tk.Priority != store.PriorityIncident {
		t.Fatalf("priority %q", tk.Priority)
	}
	// Incident target: 1 business hour.
	if want := friday.Add(time.Hour); !tk.FirstResponseDue.Time.Equal(want) {
		t.Errorf("due %v, want %v", tk.FirstResponseDue.Time.In(friday.Location()), want)
	}
	rows, _ := h.db.OutgoingForTicket(context.Background(), out.TicketID)
	var alerted bool
	for _, r := range rows {
		alerted = alerted || (r.Kind == "incident_alert" && r.Recipients == "security@kgo66.ru")
	}
	if !alerted {
		t.Errorf("security contacts not alerted: %+v", rows)
	}
}

func TestIdentificationCanBeSwitchedOffPerDesk(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.Desks[0].Identification = false })
	out := h.ingest(mail{from: "stranger@nowhere.ru", subject: "Принтер", id: "n1@x"}.String())
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusOpen {
		t.Errorf("status %s", tk.Status)
	}
}

func TestPhoneRequest(t *testing.T) {
	h := newHarness(t)
	out, err := h.svc.OpenPhone(context.Background(), helpdesk.PhoneRequest{Desk: "sd", Requester: "petrov@uszn.kgo66.ru",
		Subject: "Не работает сканер", Body: "Позвонил Петров: сканер в каб. 12 не сканирует, перезагружали.", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tk := h.ticket(out.TicketID)
	if tk.Channel != "phone" || tk.Status != store.StatusOpen || tk.RequesterEmail != "petrov@uszn.kgo66.ru" {
		t.Errorf("ticket %+v", tk)
	}
	if len(h.outbox(out.TicketID)) != 1 {
		t.Error("phone requester not acknowledged by mail")
	}
	if _, err := h.svc.OpenPhone(context.Background(), helpdesk.PhoneRequest{Desk: "sd", Requester: "not an address"}); err == nil {
		t.Error("bad requester accepted")
	}
}

func TestRulesDryRunStoresNothing(t *testing.T) {
	h := newHarness(t)
	raw := mail{from: "stranger@nowhere.ru", subject: "Вопрос", id: "d1@x"}.String()
	_, dec, err := h.svc.TestRules(context.Background(), "sd", []byte(raw), friday)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Reason != "unidentified" || len(dec.Trail) == 0 {
		t.Errorf("decision %+v", dec)
	}
	counts, _ := h.db.Counts(context.Background())
	if counts.Tickets != 0 || counts.Raw != 0 || counts.Outbox != 0 {
		t.Errorf("dry run stored something: %+v", counts)
	}
}
