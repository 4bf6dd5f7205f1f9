package helpdesk_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// One notification per event: the agents of an unassigned ticket get one
// row each holding only their own head (To, Message-ID, the Reply-To signed
// for them), and the rows share one stored body; each copy reads whole.
func TestOneNotificationPerEvent(t *testing.T) {
	h := newStaffHarness(t)
	h.newTicket()
	ns := h.sent("agent_notify")
	if len(ns) != 2 {
		t.Fatalf("%d notifications, want 2 (agent1 and lead)", len(ns))
	}
	a, b := ns[0], ns[1]
	if !a.BodyID.Valid || a.BodyID != b.BodyID {
		t.Fatalf("bodies %v and %v, want one shared", a.BodyID, b.BodyID)
	}
	if a.MessageID == b.MessageID || a.Recipients == b.Recipients {
		t.Errorf("copies share Message-ID %s or recipients %s", a.MessageID, a.Recipients)
	}
	_, bodyA, _ := bytes.Cut(a.Raw, []byte("\r\nMIME-Version: "))
	_, bodyB, _ := bytes.Cut(b.Raw, []byte("\r\nMIME-Version: "))
	if len(bodyA) == 0 || !bytes.Equal(bodyA, bodyB) {
		t.Error("the copies' bodies differ")
	}
	ma, mb := parse(t, a.Raw), parse(t, b.Raw)
	if ma.ReplyTo[0].Email == mb.ReplyTo[0].Email || !strings.Contains(ma.Text, "кабинете 12") || ma.Text != mb.Text {
		t.Errorf("copies:\n%v\n%s\n----\n%v\n%s", ma.ReplyTo, ma.Text, mb.ReplyTo, mb.Text)
	}
	if ma.To[0].Email != a.Recipients || mb.To[0].Email != b.Recipients {
		t.Errorf("To %s and %s for rows to %s and %s", ma.To[0].Email, mb.To[0].Email, a.Recipients, b.Recipients)
	}
}

// Each agent's signed Reply-To stays bound to that agent although the
// notification's body is shared: a colleague answering with it acts as
// nobody and the customer gets nothing.
func TestSharedNotificationTokenStaysPersonal(t *testing.T) {
	h := newStaffHarness(t)
	h.newTicket()
	h.now = h.now.Add(30 * time.Minute)
	h.ingest(agentMail(lead, h.notification(agent1), "Ответ с чужого адреса для ответа.", ""))
	if n := len(h.sent("agent_reply")); n != 0 {
		t.Fatalf("%d answers reached the customer through another agent's token", n)
	}
	h.ingest(agentMail(agent1, h.notification(agent1), "Ответ со своего адреса.", ""))
	if n := len(h.sent("agent_reply")); n != 1 {
		t.Fatalf("%d answers with the agent's own token, want 1", n)
	}
}

// Quote headers name the person as the directory knows them, also when the
// mail's From has no display name (issue #18).
func TestNotificationQuoteHeaderNamesThePerson(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	ack := lastMail(t, h.outbox(id))
	h.now = h.now.Add(10 * time.Minute)
	h.ingest(mail{from: "petrov@uszn.kgo66.ru", subject: "Re: " + ack.Subject, id: "bare-from@uszn",
		inReplyTo: ack.MessageID, body: "Бумагу заменили, не помогло."}.String())
	n := h.notification(agent1)
	if !strings.Contains(n.Text, "Петров Сергей Александрович <petrov@uszn.kgo66.ru> пишет:") ||
		!strings.Contains(n.Text, "От:          Петров Сергей Александрович <petrov@uszn.kgo66.ru>") {
		t.Errorf("notification:\n%s", n.Text)
	}
}
