package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/directory"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// TestRealContractorRoundTrip passes a ticket to a contractor through the
// real Postfix and Dovecot (§4.7, docs/contractors.md): the request reaches
// the contractor's mailbox with the question and a signed reply address and
// nothing internal; the requester is told; the contractor's answer lands on
// the ticket and reaches the agent, never the customer; a stranger writing
// to the contractor's reply address changes nothing; the contractor's time
// is in the digest.
func TestRealContractorRoundTrip(t *testing.T) {
	ctx := context.Background()
	r := newStaffRig(t)
	vendor, stranger := r.env.NewMailbox(t, "vendor"), r.env.NewMailbox(t, "stranger")
	// As `otvet contractor add` does.
	dir := &directory.Service{DB: r.a.DB, Actor: "cli", Now: func() time.Time { return r.now }}
	if _, err := dir.AddContractor(ctx, directory.ContractorInput{Name: "irtech", DisplayName: "ООО «ИРТех»",
		Addresses: []string{vendor}, Response: 120}); err != nil {
		t.Fatal(err)
	}

	r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
	n1 := r.inbox(r.agent1, 1)[0]
	to := n1.ReplyTo[0].Email
	r.sendRaw(r.agent1, to, reply(r.agent1, n1, to, "#note Секретная заметка: пароль от МФУ 12345.", ""))
	r.now = r.now.Add(10 * time.Minute)
	r.sendRaw(r.agent1, to, reply(r.agent1, n1, to, "#передать irtech\nКоллеги, посмотрите, пожалуйста, драйвер сканера.", ""))

	// The contractor's real mailbox: the question, [#1], a signed reply
	// address; no customer's or agent's address, no note.
	raws := r.env.WaitForMessages(t, vendor, 1, 15*time.Second)
	req, err := mailmsg.Parse(raws[0], mailmsg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw := string(raws[0])
	if !strings.Contains(req.Subject, "[#1]") || !strings.Contains(req.Text, "кабинете 5") || !strings.Contains(req.Text, "драйвер сканера") {
		t.Fatalf("request to the contractor: %s\n%s", req.Subject, req.Text)
	}
	local, _, _ := strings.Cut(r.support, "@")
	if len(req.ReplyTo) != 1 || !strings.HasPrefix(req.ReplyTo[0].Email, local+"+") || req.From.Email != r.support {
		t.Fatalf("request from %s, reply to %v", req.From.Email, req.ReplyTo)
	}
	for _, leak := range []string{r.customer, r.agent1, r.agent2, "Секретная", "12345", "2-11-05"} {
		if strings.Contains(raw, leak) {
			t.Errorf("the request to the contractor carries %q:\n%s", leak, raw)
		}
	}

	// The requester is told, citing the clause.
	cust := r.secSettled(r.customer)
	notice := secFind(cust, "передано для решения")
	if notice == nil || !strings.Contains(notice.Text, "ИРТех") || !strings.Contains(notice.Text, "4.7") {
		t.Fatalf("no notice to the requester: %s", secSubjects(cust))
	}

	// The contractor answers an hour later: on the ticket, to the agent, not to the customer.
	r.now = r.now.Add(time.Hour)
	agentBefore := len(r.secSettled(r.agent1))
	r.sendRaw(vendor, req.ReplyTo[0].Email, reply(vendor, req, req.ReplyTo[0].Email, "Обновите драйвер до версии 5.2.", ""))
	var third *store.Message
	for _, m := range r.secMessages(1) {
		if m.Direction == store.DirThirdParty {
			third = &m
		}
	}
	if third == nil || !strings.Contains(string(third.BodyText), "5.2") || !strings.EqualFold(third.FromAddr, vendor) {
		t.Fatalf("the contractor's answer is not on the ticket: %+v", third)
	}
	agentMail := r.secSettled(r.agent1)
	if n := secFind(agentMail, "Ответ подрядчика"); n == nil || !strings.Contains(n.Text, "5.2") || len(agentMail) <= agentBefore {
		t.Fatalf("agent's mailbox: %s", secSubjects(agentMail))
	}
	if m := secFind(r.secSettled(r.customer), "5.2"); m != nil {
		t.Fatalf("the customer got the contractor's answer: %s\n%s", m.Subject, m.Text)
	}
	if ev := r.secEvents(1); !strings.Contains(ev, "escalated") || !strings.Contains(ev, "contractor_answered") {
		t.Errorf("events %s", ev)
	}

	// A stranger writing to the contractor's reply address changes nothing.
	tk, msgs := r.ticket(1), len(r.secMessages(1))
	agentBefore = len(r.secSettled(r.agent1))
	r.sendRaw(stranger, req.ReplyTo[0].Email, reply(stranger, req, req.ReplyTo[0].Email, "Закройте обращение, всё решено.", ""))
	if got := r.ticket(1); got.Status != tk.Status || len(r.secMessages(1)) != msgs {
		t.Errorf("the stranger changed the ticket: %s, %d messages", got.Status, len(r.secMessages(1)))
	}
	if ev := r.secEvents(1); !strings.Contains(ev, "security_forged_contractor") {
		t.Errorf("no security event: %s", ev)
	}
	if n := len(r.secSettled(r.agent1)); n != agentBefore {
		t.Errorf("the agent got %d messages after the stranger's", n-agentBefore)
	}
	if m := secFind(r.secSettled(r.customer), "Закройте"); m != nil {
		t.Error("the stranger's text reached the customer")
	}

	// The contractor's own clock in the day's digest: passed 1, answered in
	// 1 h (in time, 2 h target).
	setup := r.a.Settings.Digest()
	plan, err := r.a.Settings.DigestPlan(r.cfg.Digests)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Of(digest.Daily, workcal.DateOf(r.now.In(setup.Default.Location())))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := digest.NewReporter(r.a.DB, setup)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := mailout.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	d, err := rep.Build(ctx, tm, p, digest.Recipient{Email: "boss@example.test", Lang: "ru"}, r.now)
	if err != nil {
		t.Fatal(err)
	}
	want := "ООО «ИРТех» (irtech): передано 1; ответ в срок 100 % (1 в срок, 0 с нарушением, 0 в работе); медиана ответа 1 ч; ждут ответа подрядчика 0; нарушений срока за период 0"
	if !strings.Contains(d.Rendered.Text, want) {
		t.Errorf("the digest lacks %q:\n%s", want, d.Rendered.Text)
	}
}
