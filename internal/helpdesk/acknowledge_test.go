package helpdesk_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// Every reopening by a customer's reply — a clarified unclear request, a
// request said to be unrelated to the maintenance, a resolved one reopened —
// is acknowledged by the one rule, with the new due time.
func TestEveryReopeningIsAcknowledged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(h *harness) int64 // the ticket, put aside
		reply  string
		status string // before the reply
	}{
		{"unclear clarified", func(h *harness) int64 {
			return h.ingest(mail{from: petrov, subject: "", id: "c1@uszn", body: "Здравствуйте!\n\nС уважением, Петров"}.String()).TicketID
		}, "Не печатает принтер в кабинете 12, ошибка «нет бумаги», хотя бумага есть.", store.StatusDeferred},
		{"unrelated to the maintenance", func(h *harness) int64 {
			h.tx(func(tx *store.Tx) error {
				return tx.AddMaintenance(context.Background(), &store.MaintenanceWindow{System: "МИС", Keywords: "медицинская информационная система",
					StartsAt: friday.Add(-time.Hour).UTC(), EndsAt: friday.Add(48 * time.Hour).UTC(), CreatedAt: friday.UTC(), CreatedBy: "test"})
			})
			return h.ingest(mail{from: petrov, subject: "Не открывается МИС", id: "m1@uszn", body: "МИС не открывается, пишет что сервер недоступен. Тел. 2-44-17"}.String()).TicketID
		}, "Это не связано с работами: у нас не открывается МИС только на одном компьютере, на остальных работает.", store.StatusDeferred},
		{"resolved reopened", func(h *harness) int64 {
			id := h.newTicket()
			h.command(agent1, "#решено")
			return id
		}, "Спасибо, но принтер опять не печатает.", store.StatusResolved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := tc.setup(h)
			if st := h.ticket(id).Status; st != tc.status {
				t.Fatalf("status %s before the reply, want %s", st, tc.status)
			}
			first := mailTo(t, h.outbox(id), "petrov@uszn.kgo66.ru")
			h.now = friday.Add(30 * time.Minute)
			h.ingest(mail{from: petrov, subject: "Re: " + first.Subject, id: "r@uszn", inReplyTo: first.MessageID, body: tc.reply}.String())
			tk := h.ticket(id)
			if tk.Status != store.StatusOpen {
				t.Fatalf("status %s after the reply", tk.Status)
			}
			rows := h.sent("reopened")
			if len(rows) != 1 {
				t.Fatalf("%d acknowledgements", len(rows))
			}
			m := parse(t, rows[0].Raw)
			next := tk.ResolutionDue // the next answer due: the first response when none was given yet
			if !tk.FirstResponseAt.Valid {
				next = tk.FirstResponseDue
			}
			due := helpdesk.FormatLocal(next.Time, friday.Location(), "ru")
			if !strings.Contains(m.Text, "ответим не позднее") || !strings.Contains(m.Text, due) {
				t.Errorf("acknowledgement without the due time %s:\n%s", due, m.Text)
			}
		})
	}
}

// replyWithFiles is a customer's reply with attachments.
func replyWithFiles(to, subject, inReplyTo, body string, files ...file) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@uszn>\r\nIn-Reply-To: <%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		petrov, to, subject, time.Now().UnixNano(), inReplyTo, body)
	for _, f := range files {
		fmt.Fprintf(&b, "--BB\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", f.ctype, f.name, f.name, base64.StdEncoding.EncodeToString(f.data))
	}
	b.WriteString("--BB--\r\n")
	return b.String()
}

// What a follow-up brings is taken off the ticket's checklist, and the
// agents' notification asks only for what is still missing.
func TestFollowUpBringsWhatWasMissing(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(mail{from: petrov, subject: "Не печатает принтер", id: "q1@uszn", body: "Не печатает принтер в кабинете 12."}.String())
	id := out.TicketID
	if got := h.ticket(id).Missing; got != "steps,screenshot,contacts" {
		t.Fatalf("missing %q", got)
	}
	if n := h.notification(agent1); !strings.Contains(n.Text, "скриншот") {
		t.Fatalf("new request's notification does not ask for a screenshot:\n%s", n.Text)
	}
	ack := mailTo(t, h.outbox(id), "petrov@uszn.kgo66.ru")
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 20<<10)...)
	h.ingest(replyWithFiles(ack.ReplyTo[0].Email, "Re: "+ack.Subject, ack.MessageID, "Скриншот во вложении. Мой телефон 2-44-17.",
		file{name: "oshibka.png", ctype: "image/png", data: png}))
	if got := h.ticket(id).Missing; got != "steps" {
		t.Errorf("missing %q after the screenshot and the phone, want steps", got)
	}
	n := h.notification(agent1)
	if strings.Contains(n.Text, "скриншот") || !strings.Contains(n.Text, "последовательност") {
		t.Errorf("the reply's notification asks for the wrong things:\n%s", n.Text)
	}
	if ev := h.events(id); !strings.Contains(ev, "missing_updated") {
		t.Errorf("events %s", ev)
	}
	// The steps described: nothing is missing, the line is gone.
	h.ingest(mail{from: petrov, subject: "Re: " + ack.Subject, id: "q3@uszn", inReplyTo: ack.MessageID,
		body: "Нажимаю «Печать», появляется окно и закрывается."}.String())
	if got := h.ticket(id).Missing; got != "" {
		t.Errorf("missing %q after the steps", got)
	}
	if n := h.notification(agent1); strings.Contains(n.Text, "Запросить") {
		t.Errorf("nothing is missing, yet:\n%s", n.Text)
	}
}

// The checklist of the acknowledgement fits the request: a question asks
// for no steps or screenshot, a phone call for no screenshot; an incident's
// tells the client to stop using the workstation and disconnect it (§3.9 of
// the agreement) and takes the organisation's level, not the desk's.
func TestChecklistFitsTheRequest(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) {
		o.Desks[0].Level = "basic"
		o.Regulations.Levels["basic"] = helpdesk.Targets{FirstResponse: 8 * time.Hour, Resolution: 40 * time.Hour}
	})
	ackOf := func(id int64) string {
		t.Helper()
		rows := h.sent("ack")
		for _, r := range rows {
			if r.TicketID.Int64 == id {
				return parse(t, r.Raw).Text
			}
		}
		t.Fatalf("no acknowledgement of #%d", id)
		return ""
	}
	question := h.ingest(mail{from: petrov, subject: "Вопрос по 44-ФЗ", id: "law@uszn",
		body: "Подскажите, какой срок размещения отчёта об исполнении контракта по закону 44-ФЗ?"}.String()).TicketID
	if a := ackOf(question); strings.Contains(a, "последовательности действий") || strings.Contains(a, "скриншот") || !strings.Contains(a, "телефон") {
		t.Errorf("a question's acknowledgement:\n%s", a)
	}
	if m := h.ticket(question).Missing; m != "contacts" {
		t.Errorf("a question's missing %q", m)
	}
	// The rules' trail (what otvet rules test shows) says why.
	evs, err := h.db.Events(context.Background(), question)
	if err != nil {
		t.Fatal(err)
	}
	explained := false
	for _, e := range evs {
		explained = explained || (e.Kind == "rules_decision" && strings.Contains(e.Detail, "the checklist fits a question; asked: contacts"))
	}
	if !explained {
		t.Errorf("the trail does not explain the checklist: %+v", evs)
	}
	call, err := h.svc.OpenPhone(context.Background(), helpdesk.PhoneRequest{Desk: "sd", Requester: "petrov@uszn.kgo66.ru",
		Subject: "Не работает сканер", Body: "Позвонил Петров: сканер в каб. 12 не сканирует.", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if a := ackOf(call.TicketID); strings.Contains(a, "скриншот") || !strings.Contains(a, "последовательности действий") {
		t.Errorf("a phone call's acknowledgement:\n%s", a)
	}
	incident := h.ingest(mail{from: petrov, subject: "Взлом", id: "i1@uszn",
		body: "Кто-то зашёл под моей учётной записью ночью и удалил документы. Пароль никому не сообщал."}.String()).TicketID
	a := ackOf(incident)
	for _, want := range []string{"инциденте", "прекратите работу на компьютере", "отключить его от сети", "п. 3.9 соглашения", "телефон"} {
		if !strings.Contains(a, want) {
			t.Errorf("an incident's acknowledgement lacks %q:\n%s", want, a)
		}
	}
	if strings.Contains(a, "скриншот") || strings.Contains(a, "последовательности действий") {
		t.Errorf("an incident's acknowledgement asks for a screenshot or steps:\n%s", a)
	}
	tk := h.ticket(incident)
	if tk.Priority != store.PriorityIncident || tk.SupportLevel != "standard" {
		t.Errorf("incident: priority %s, level %s (want the organisation's standard, not the desk's basic)", tk.Priority, tk.SupportLevel)
	}
	// An ordinary request keeps the whole checklist.
	plain := h.ingest(mail{from: petrov, subject: "Принтер", id: "p1@uszn", body: "Не печатает принтер в кабинете 12."}.String()).TicketID
	if a := ackOf(plain); !strings.Contains(a, "скриншот") || !strings.Contains(a, "последовательности действий") {
		t.Errorf("an ordinary request's acknowledgement:\n%s", a)
	}
}
