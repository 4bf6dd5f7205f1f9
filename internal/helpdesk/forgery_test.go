package helpdesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// A staff From never acts without that agent's own token, and is never taken
// for the customer's reply.
func TestStaffFromWithoutItsTokenIsRefused(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(h *harness, id int64)
		mail    func(h *harness, id int64) string
	}{
		{"to the customer's reply address", nil, func(h *harness, id int64) string {
			ack := mailTo(h.t.(*testing.T), h.outbox(id), "petrov@uszn.kgo66.ru")
			return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: принтер\r\nMessage-ID: <forged1@x>\r\n\r\nСпасибо, всё заработало. Блин!\r\n",
				agent1, ack.ReplyTo[0].Email)
		}},
		{"a disabled agent with only [#N]", func(h *harness, id int64) {
			h.tx(func(tx *store.Tx) error {
				s, err := tx.StaffByEmail(context.Background(), agent1)
				if err != nil {
					return err
				}
				s.Active = false
				return tx.UpsertStaff(context.Background(), s, "test", h.now)
			})
		}, func(h *harness, id int64) string {
			return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: [#%d] принтер\r\nMessage-ID: <forged2@x>\r\n\r\nВсё работает, закрывайте.\r\n", agent1, support, id)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := h.newTicket()
			h.command(lead, "#wait Пришлите модель принтера.")
			if c.prepare != nil {
				c.prepare(h, id)
			}
			before := len(h.sent("agent_notify"))
			out := h.ingest(c.mail(h, id))
			if out.Disposition != helpdesk.DispRefused || !strings.HasPrefix(out.Note, "security_") {
				t.Fatalf("outcome %+v", out)
			}
			if st := h.ticket(id).Status; st != store.StatusWaiting {
				t.Errorf("ticket %s: forged staff mail changed it", st)
			}
			if n := len(h.sent("agent_notify")) - before; n != 0 {
				t.Errorf("%d agent notifications: agents were told agent1 wrote it", n)
			}
			if r := h.result(agent1); !strings.Contains(r.Subject, "ОТКЛОНЕНО") {
				t.Errorf("agent told: %s", r.Subject)
			}
			if !strings.Contains(h.events(id), "security_no_token") {
				t.Errorf("events %s", h.events(id))
			}
		})
	}
}

// mailTo is the latest of ms sent to addr.
func mailTo(t *testing.T, ms []*mailmsg.Message, addr string) *mailmsg.Message {
	t.Helper()
	for i := len(ms) - 1; i >= 0; i-- {
		for _, a := range ms[i].To {
			if strings.EqualFold(a.Email, addr) {
				return ms[i]
			}
		}
	}
	t.Fatalf("no mail to %s", addr)
	return nil
}

// A staff member's own request: replying to its acknowledgement is a customer's reply.
func TestStaffOwnRequestReplyIsTheCustomers(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(mail{from: agent1, subject: "Не работает МФУ", id: "own1@kgo66",
		body: "В кабинете 5 не работает МФУ, замятие бумаги. Перезагружали. Тел. 2-11-05"}.String())
	if out.TicketID == 0 {
		t.Fatalf("outcome %+v", out)
	}
	ack := mailTo(t, h.outbox(out.TicketID), agent1)
	reply := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <own2@kgo66>\r\nIn-Reply-To: <%s>\r\n\r\nМодель Kyocera 2040.\r\n",
		agent1, ack.ReplyTo[0].Email, ack.Subject, ack.MessageID)
	if got := h.ingest(reply); got.Disposition != store.DispReply || got.TicketID != out.TicketID {
		t.Errorf("own reply: %+v", got)
	}
}

// Mail the MX marked as spam, or failing DMARC in the trusted
// Authentication-Results, opens no ticket and gets no answer.
func TestSpamGetsNoAnswer(t *testing.T) {
	for _, c := range []struct{ name, extra string }{
		{"spam flag", "X-Spam-Flag: YES\r\n"},
		{"dmarc fail", "Authentication-Results: mx.kgo66.ru; dmarc=fail header.from=uszn.kgo66.ru\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, func(o *helpdesk.Options) { o.Desks[0].Auth.TrustedAuthServID = "mx.kgo66.ru" })
			out := h.ingest(mail{from: petrov, subject: "Выигрыш", id: "spam@x", extra: c.extra}.String())
			if out.Disposition != store.DispSpam || out.TicketID != 0 {
				t.Fatalf("outcome %+v", out)
			}
			rows, err := h.db.ListOutgoing(context.Background(), 100)
			if err != nil || len(rows) != 0 {
				t.Errorf("%d mails queued (%v): spam was answered", len(rows), err)
			}
		})
	}
}

// A security incident reported by a blocked sender still reaches the
// incident contacts; the sender gets the blocked notice.
func TestIncidentPassesEveryBlock(t *testing.T) {
	h := newHarness(t)
	h.tx(func(tx *store.Tx) error {
		return tx.SetAllBlocked(context.Background(), true, "профилактика", "test", h.now)
	})
	out := h.ingest(mail{from: petrov, subject: "Взлом", id: "inc@uszn",
		body: "Под моей учётной записью в МИС кто-то заходил ночью, пароль утёк. Тел. 2-44-17"}.String())
	if out.Disposition != store.DispBlocked {
		t.Fatalf("outcome %+v", out)
	}
	rows, err := h.db.ListOutgoing(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, r := range rows {
		kinds[r.Kind] = r.Recipients
	}
	if kinds["incident_alert"] != "security@kgo66.ru" || kinds["blocked"] != "petrov@uszn.kgo66.ru" {
		t.Errorf("queued %v: want the incident alert and the blocked notice", kinds)
	}
}

// Internal text never reaches a customer by mistake: a reply with a command
// line that does not parse is held as a note, and a reply to a note's
// notification is a note.
func TestInternalTextIsHeld(t *testing.T) {
	t.Run("mistyped command", func(t *testing.T) {
		h := newStaffHarness(t)
		id := h.newTicket()
		out := h.ingest(agentMail(agent1, h.notification(agent1), "#ntoe позвоню их директору, он опять всё сломал", ""))
		if out.Disposition != helpdesk.DispStaff || out.Note != "agent_reply_held" {
			t.Fatalf("outcome %+v", out)
		}
		if n := len(h.sent("agent_reply")); n != 0 {
			t.Fatalf("%d answers reached the customer", n)
		}
		if r := h.result(agent1); !strings.Contains(r.Text, "НЕ отправлен") || len(r.ReplyTo) == 0 || !strings.Contains(r.ReplyTo[0].Email, "+") {
			t.Errorf("result:\n%s\nreply-to %v", r.Text, r.ReplyTo)
		}
		if st := h.ticket(id).Status; st != store.StatusOpen {
			t.Errorf("status %s", st)
		}
	})
	t.Run("reply to a note", func(t *testing.T) {
		h := newStaffHarness(t)
		h.newTicket()
		h.command(agent1, "#заметка клиент ругается, осторожнее")
		n := h.notification(lead) // the note's copy to the lead
		out := h.ingest(agentMail(lead, n, "Понял, позвоню сам.", ""))
		if out.Disposition != helpdesk.DispStaff {
			t.Fatalf("outcome %+v", out)
		}
		if n := len(h.sent("agent_reply")); n != 0 {
			t.Errorf("%d answers reached the customer", n)
		}
		if n := h.notification(agent1); !strings.Contains(n.Text, "позвоню сам") {
			t.Errorf("the note reply did not reach the colleague:\n%s", n.Text)
		}
		if r := h.result(lead); !strings.Contains(r.Text, "ответ на заметку") {
			t.Errorf("result:\n%s", r.Text)
		}
	})
}

// One bad address never silences a ticket.
func TestBadAddressNeverSilencesATicket(t *testing.T) {
	t.Run("copied at intake", func(t *testing.T) {
		h := newStaffHarness(t)
		raw := strings.Replace(mail{from: petrov, subject: "Принтер", id: "bad1@uszn"}.String(),
			"To: sd@kgo66.ru\r\n", "To: sd@kgo66.ru\r\nCc: \"weird,colleague\"@uszn.kgo66.ru, sidorova@uszn.kgo66.ru\r\n", 1)
		id := h.ingest(raw).TicketID
		ps, err := h.db.Participants(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if strings.Contains(p.Email, "weird") {
				t.Errorf("unusable address made a participant: %+v", p)
			}
		}
		h.ingest(agentMail(agent1, h.notification(agent1), "Проверьте кабель.", ""))
		if n := len(h.sent("agent_reply")); n != 1 {
			t.Errorf("%d answers sent, want 1", n)
		}
	})
	t.Run("stored before intake checked", func(t *testing.T) {
		h := newStaffHarness(t)
		id := h.newTicket()
		h.tx(func(tx *store.Tx) error {
			_, err := tx.AddParticipant(context.Background(), id, `"weird,colleague"@uszn.kgo66.ru`, "", "cc", h.now)
			return err
		})
		out := h.ingest(agentMail(agent1, h.notification(agent1), "Проверьте кабель.", ""))
		if out.Disposition != helpdesk.DispStaff {
			t.Fatalf("outcome %+v: the agent's answer was not taken", out)
		}
		rows := h.sent("agent_reply")
		if len(rows) != 1 || rows[0].Recipients != "petrov@uszn.kgo66.ru" {
			t.Errorf("answers %+v", rows)
		}
	})
	t.Run("sender who cannot be answered", func(t *testing.T) {
		h := newStaffHarness(t)
		out := h.ingest(mail{from: `"weird,user"@uszn.kgo66.ru`, subject: "Принтер", id: "bad3@uszn"}.String())
		if out.Disposition != store.DispQuarantine {
			t.Errorf("outcome %+v", out)
		}
	})
}

func dsnFor(messageID, recipient string) string {
	return "From: MAILER-DAEMON@mx.kgo66.ru\r\nTo: " + support + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"Message-ID: <b" + messageID + "@mx>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.kgo66.ru\r\n\r\n" +
		"Final-Recipient: rfc822; " + recipient + "\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 CALL +7-999-FAKE NOW\r\n\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <" + messageID + ">\r\nSubject: x\r\n\r\n--B--\r\n"
}

// Only real bounces are recorded: a DSN about mail Otvet never sent, or
// naming an address that mail did not go to, reaches no ticket and no digest.
func TestOnlyRealBouncesAreRecorded(t *testing.T) {
	h := newHarness(t)
	id := h.ingest(mail{from: petrov, subject: "Принтер", id: "m1@uszn"}.String()).TicketID
	ack := h.outbox(id)[0]
	for _, c := range []struct{ name, raw string }{
		{"unknown message", dsnFor("never-sent@kgo66.ru", "petrov@uszn.kgo66.ru")},
		{"stranger's address", dsnFor(ack.MessageID, "director@uszn.kgo66.ru")},
	} {
		t.Run(c.name, func(t *testing.T) {
			if out := h.ingest(c.raw); out.Disposition != store.DispBounce {
				t.Fatalf("outcome %+v", out)
			}
		})
	}
	bs, err := h.db.BouncedAddresses(context.Background(), friday.Add(-time.Hour), friday.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 0 {
		t.Errorf("forged bounces recorded: %+v", bs)
	}
	if strings.Contains(h.events(id), "bounce,") || strings.HasSuffix(h.events(id), "bounce") {
		t.Errorf("ticket events %s", h.events(id))
	}
}

// A quarantined message from a person is told to the agents, with the
// commands to look at it, retry or drop it.
func TestAgentsAreToldOfQuarantinedMail(t *testing.T) {
	h := newStaffHarness(t)
	raw := "Return-Path: <ivanova@school3.kgo66.ru>\r\nFrom: \r\nTo: " + support + "\r\nSubject: Отчёт\r\n\r\nтекст\r\n"
	if out := h.ingest(raw); out.Disposition != store.DispQuarantine {
		t.Fatalf("outcome %+v", out)
	}
	rows := h.sent("quarantined")
	if len(rows) != 2 {
		t.Fatalf("%d notices to staff, want one per agent and lead", len(rows))
	}
	if m := parse(t, rows[0].Raw); !strings.Contains(m.Text, "otvet quarantine retry") {
		t.Errorf("notice:\n%s", m.Text)
	}
	if n := len(h.sent("rejected_unreadable")); n != 1 {
		t.Errorf("%d notices to the sender", n)
	}
}
