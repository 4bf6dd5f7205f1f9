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

const vendor = "support@irtech.example"

func addVendor(h *harness, tellAnswer bool) {
	h.tx(func(tx *store.Tx) error {
		return tx.AddContractor(context.Background(), &store.Contractor{Name: "irtech", DisplayName: "ООО «ИРТех»",
			Addresses: vendor + "\n@irtech.example", Hours: "10:00-18:00", ResponseMinutes: 120, TellAnswer: tellAnswer}, friday)
	})
}

// latest is the newest queued mail of a kind to rcpt, parsed.
func (h *harness) latest(kind, rcpt string) *mailmsg.Message {
	h.t.Helper()
	rs := h.sent(kind)
	for i := len(rs) - 1; i >= 0; i-- {
		if strings.Contains(rs[i].Recipients, rcpt) {
			return parse(h.t.(*testing.T), rs[i].Raw)
		}
	}
	return nil
}

func TestContractorRoundTrip(t *testing.T) {
	h := newStaffHarness(t)
	addVendor(h, false)
	id := h.newTicket()
	h.now = h.now.Add(10 * time.Minute)
	h.command(agent1, "#передать irtech --tell-answer\nКоллеги, посмотрите драйвер, пожалуйста.")
	if r := h.result(agent1); !strings.Contains(r.Text, "передано подрядчику irtech") {
		t.Fatalf("result:\n%s", r.Text)
	}
	req := h.latest("contractor_request", vendor)
	if req == nil {
		t.Fatal("no request to the contractor")
	}
	raw := string(h.sent("contractor_request")[0].Raw)
	if !strings.Contains(req.Subject, "[#") || !strings.Contains(req.Text, "кабинете 12") || !strings.Contains(req.Text, "посмотрите драйвер") ||
		strings.Contains(raw, "petrov@") || strings.Contains(raw, agent1) || !strings.HasPrefix(req.ReplyTo[0].Email, "sd+") {
		t.Errorf("request to the contractor:\n%s", raw)
	}
	if len(h.sent("agent_reply")) != 0 {
		t.Error("the contractor's text went to the customer")
	}
	notice := h.latest("contractor_notice", "petrov@")
	if notice == nil || !strings.Contains(notice.Text, "4.7") || !strings.Contains(notice.Text, "ИРТех") {
		t.Fatalf("requester's notice: %+v", notice)
	}
	tk := h.ticket(id)
	if tk.Status != store.StatusOpen || !tk.FirstResponseAt.Valid {
		t.Errorf("ticket %s first response %v", tk.Status, tk.FirstResponseAt)
	}
	if ev := h.events(id); !strings.Contains(ev, "escalated") {
		t.Errorf("events %s", ev)
	}

	// A stranger holding the contractor's reply address changes nothing.
	before := len(h.sent("agent_notify"))
	out := h.ingest(mail{from: "Злоумышленник <evil@example.org>", to: req.ReplyTo[0].Email, subject: "Re: " + req.Subject,
		id: "evil1@example.org", body: "Закройте обращение"}.String())
	if out.Disposition != helpdesk.DispRefused || len(h.sent("agent_notify")) != before {
		t.Fatalf("stranger: %+v", out)
	}

	// The contractor answers: on the ticket, to the agents, not to the customer.
	out = h.ingest(mail{from: "ИРТех <" + vendor + ">", to: req.ReplyTo[0].Email, subject: "Re: " + req.Subject,
		id: "v1@irtech.example", inReplyTo: req.MessageID, body: "Обновите драйвер до версии 5.2."}.String())
	if out.Disposition != helpdesk.DispContractor || out.TicketID != id {
		t.Fatalf("contractor's answer: %+v", out)
	}
	n := h.notification(agent1)
	if !strings.Contains(n.Subject, "Ответ подрядчика") || !strings.Contains(n.Text, "версии 5.2") {
		t.Errorf("agent notification:\n%s\n%s", n.Subject, n.Text)
	}
	if len(h.sent("agent_reply")) != 0 {
		t.Error("the contractor's answer went to the customer")
	}
	if len(h.sent("contractor_notice")) != 2 {
		t.Errorf("%d notices to the requester, want passed and answered", len(h.sent("contractor_notice")))
	}
	msgs, _ := h.db.Messages(context.Background(), id)
	third := 0
	for _, m := range msgs {
		if m.Direction == store.DirThirdParty {
			third++
		}
	}
	if third != 1 {
		t.Errorf("%d third_party messages", third)
	}

	// The agent writes back to the contractor, then recalls it.
	h.command(agent1, "#ответ-подрядчику Спасибо, проверим.")
	if rs := h.sent("contractor_request"); len(rs) != 2 || !strings.Contains(string(rs[len(rs)-1].Raw), "In-Reply-To: <v1@irtech.example>") {
		t.Errorf("message to the contractor: %d", len(rs))
	}
	h.command(agent1, "#отозвать")
	if ev := h.events(id); !strings.Contains(ev, "contractor_answered") || !strings.Contains(ev, "recalled") {
		t.Errorf("events %s", ev)
	}

	// Mail from the contractor's domain about no known ticket opens nothing.
	out = h.ingest(mail{from: "Другой <other@irtech.example>", subject: "Плановые работы в субботу", id: "v2@irtech.example"}.String())
	if out.Disposition != helpdesk.DispContractor || out.TicketID != 0 {
		t.Fatalf("unmatched contractor mail: %+v", out)
	}
	if n := h.notification(agent1); !strings.Contains(n.Subject, "без обращения") {
		t.Errorf("agents not told: %s", n.Subject)
	}
}

func TestContractorClockRemindsAndAlerts(t *testing.T) {
	h := newStaffHarness(t)
	addVendor(h, false)
	id := h.newTicket()
	h.command(agent1, "#escalate irtech")
	// 120 business minutes on 10:00–18:00 from Friday 10:00 (Yekaterinburg): due 12:00.
	h.now = friday.Add(2*time.Hour + time.Minute)
	h.tick()
	h.tick() // once only
	if rs := h.sent("contractor_request"); len(rs) != 2 || !strings.Contains(parse(t, rs[1].Raw).Subject, "Напоминание") {
		t.Fatalf("%d requests to the contractor", len(rs))
	}
	if n := h.notification(agent1); !strings.Contains(n.Subject, "не ответил в срок") {
		t.Errorf("alert: %s", n.Subject)
	}
	if ev := h.events(id); strings.Count(ev, "contractor_breached") != 1 {
		t.Errorf("events %s", ev)
	}
}

func TestEscalateUnknownContractorFails(t *testing.T) {
	h := newStaffHarness(t)
	h.newTicket()
	h.command(agent1, "#передать nobody")
	if r := h.result(agent1); !strings.Contains(r.Text, "нет подрядчика «nobody»") {
		t.Errorf("result:\n%s", r.Text)
	}
	if len(h.sent("contractor_request")) != 0 || len(h.sent("contractor_notice")) != 0 {
		t.Error("mail sent for an unknown contractor")
	}
}
