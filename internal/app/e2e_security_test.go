package app_test

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

// The security issue's points through real mail: every attack is sent through
// the real Postfix into Dovecot, Otvet polls it with PollOnce, and the effect
// is checked in the database and in the real mailboxes (the in-process
// versions are internal/helpdesk/forgery_test.go).

// secSettled returns the messages in a user's real mailbox once everything
// submitted to Postfix before the call has been delivered: it sends a marker
// after it and waits for the marker. Markers are left out of the result.
func (r *rulesRig) secSettled(user string) []*mailmsg.Message {
	r.t.Helper()
	mark := fmt.Sprintf("settle-%d", time.Now().UnixNano())
	probe := "probe@" + r.env.Domain
	r.env.SendMail(r.t, probe, []string{user}, []byte(fmt.Sprintf(
		"From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\n\r\nmarker\r\n", probe, user, mark, mark)))
	deadline := time.Now().Add(15 * time.Second)
	for {
		var out []*mailmsg.Message
		seen := false
		for _, raw := range r.env.WaitForMessages(r.t, user, 0, time.Second) {
			m, err := mailmsg.Parse(raw, mailmsg.Options{})
			if err != nil {
				r.t.Fatal(err)
			}
			if strings.HasPrefix(m.Subject, "settle-") {
				seen = seen || m.Subject == mark
				continue
			}
			out = append(out, m)
		}
		if seen {
			return out
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the marker did not reach %s", user)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// secFind is the latest of ms whose subject or text contains s (nil: none).
func secFind(ms []*mailmsg.Message, s string) *mailmsg.Message {
	for i := len(ms) - 1; i >= 0; i-- {
		if strings.Contains(ms[i].Subject, s) || strings.Contains(ms[i].Text, s) {
			return ms[i]
		}
	}
	return nil
}

func secSubjects(ms []*mailmsg.Message) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Subject)
	}
	return strings.Join(s, " | ")
}

// secEvents is the kinds of a ticket's events, comma-separated.
func (r *rulesRig) secEvents(id int64) string {
	r.t.Helper()
	evs, err := r.a.DB.Events(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return strings.Join(kinds, ",")
}

// secDisp is how many raw messages have a disposition.
func (r *rulesRig) secDisp(d string) int {
	r.t.Helper()
	m, err := r.a.DB.RawDispositions(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return m[d]
}

// secQueuedTo counts the outbox rows addressed to addr.
func (r *rulesRig) secQueuedTo(addr string) int {
	r.t.Helper()
	rows, err := r.a.DB.ListOutgoing(context.Background(), 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	n := 0
	for _, o := range rows {
		for _, rc := range strings.Split(o.Recipients, "\n") {
			if strings.EqualFold(strings.TrimSpace(rc), addr) {
				n++
			}
		}
	}
	return n
}

// secMessages is the text of a ticket's stored messages by direction.
func (r *rulesRig) secMessages(id int64) []store.Message {
	r.t.Helper()
	ms, err := r.a.DB.Messages(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return ms
}

// secWaitingTicket opens ticket #1 for the customer, and agent1 answers it
// with #wait: the ticket waits for the customer, who has the acknowledgement
// and the answer.
func secWaitingTicket(t *testing.T) (r *staffRig, ack, n1 *mailmsg.Message) {
	r = newStaffRig(t)
	r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
	ack = r.inbox(r.customer, 1)[0]
	n1 = r.inbox(r.agent1, 1)[0]
	r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "#ждать\nПришлите, пожалуйста, модель сканера.", ""))
	if st := r.ticket(1).Status; st != store.StatusWaiting {
		t.Fatalf("after #wait: %s", st)
	}
	return r, ack, n1
}

// 1. A staff From never acts without that agent's own token.
func TestRealStaffFromWithoutItsTokenIsRefused(t *testing.T) {
	t.Parallel()
	t.Run("to the customer's reply address", func(t *testing.T) {
		t.Parallel()
		r, ack, _ := secWaitingTicket(t)
		customerHad := len(r.secSettled(r.customer)) // ack, answer
		agentHad := len(r.secSettled(r.agent1))
		refusedBefore := r.secDisp(helpdesk.DispRefused)
		outsider := r.env.NewMailbox(t, "outsider")
		// An outsider copies the customer's reply address and writes as agent1.
		r.sendRaw(outsider, ack.ReplyTo[0].Email, reply(r.agent1, ack, ack.ReplyTo[0].Email, "Спасибо, всё работает", ""))

		if st := r.ticket(1).Status; st != store.StatusWaiting {
			t.Errorf("ticket is %s: the forged «thank you» acted", st)
		}
		if n := r.secDisp(helpdesk.DispRefused) - refusedBefore; n != 1 {
			t.Errorf("%d more refused messages, want 1", n)
		}
		if ev := r.secEvents(1); !strings.Contains(ev, "security_no_token") {
			t.Errorf("events %s", ev)
		}
		for _, m := range r.secMessages(1) {
			if strings.Contains(string(m.BodyText), "всё работает") {
				t.Errorf("the forged text was stored on the ticket as %s from %s", m.Direction, m.FromAddr)
			}
		}
		agentMail := r.secSettled(r.agent1)
		if len(agentMail) != agentHad+1 || secFind(agentMail[agentHad:], "ОТКЛОНЕНО") == nil {
			t.Errorf("agent1's mailbox: %s", secSubjects(agentMail))
		}
		if got := r.secSettled(r.customer); len(got) != customerHad {
			t.Errorf("the customer got %d new messages: %s", len(got)-customerHad, secSubjects(got))
		}
		if got := r.secSettled(outsider); len(got) != 0 {
			t.Errorf("the outsider got %s", secSubjects(got))
		}
	})
	t.Run("a disabled agent with only [#N]", func(t *testing.T) {
		t.Parallel()
		r, _, _ := secWaitingTicket(t)
		ctx := context.Background()
		err := r.a.DB.Tx(ctx, func(tx *store.Tx) error {
			s, err := tx.StaffByEmail(ctx, r.agent1)
			if err != nil {
				return err
			}
			s.Active = false
			return tx.UpsertStaff(ctx, s, "test", r.now)
		})
		if err != nil {
			t.Fatal(err)
		}
		customerHad := len(r.secSettled(r.customer))
		before := *r.ticket(1)
		msgsBefore := len(r.secMessages(1))
		raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@example.test>\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\nВсё работает, закрывайте.\r\n", r.agent1, r.support, mime("Re: [#1] сканер"), time.Now().UnixNano())
		r.sendRaw(r.agent1, r.support, raw)

		after := r.ticket(1)
		if after.Status != before.Status || after.Status != store.StatusWaiting || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("ticket changed: %s → %s", before.Status, after.Status)
		}
		if n := len(r.secMessages(1)); n != msgsBefore {
			t.Errorf("%d messages stored on the ticket, want %d", n, msgsBefore)
		}
		if r.secDisp(helpdesk.DispRefused) != 1 {
			t.Errorf("dispositions: not refused")
		}
		if ev := r.secEvents(1); !strings.Contains(ev, "security_no_token") {
			t.Errorf("events %s", ev)
		}
		if got := r.secSettled(r.customer); len(got) != customerHad {
			t.Errorf("the customer got %d new messages: %s", len(got)-customerHad, secSubjects(got))
		}
	})
}

// A staff member's own request still works: the reply to its acknowledgement
// is the customer's reply, not a refused staff message.
func TestRealStaffOwnRequest(t *testing.T) {
	t.Parallel()
	r := newStaffRig(t)
	r.register(r.agent1) // a staff member who is also a user of the client organisation
	r.send(r.agent1, "Не работает МФУ", "В кабинете 5 не работает МФУ, замятие бумаги. Перезагружали. Тел. 2-11-05", "")
	tk := r.ticket(1)
	if !strings.EqualFold(tk.RequesterEmail, r.agent1) || tk.Status != store.StatusOpen {
		t.Fatalf("ticket %s, requester %s", tk.Status, tk.RequesterEmail)
	}
	var ack *mailmsg.Message
	mail := r.secSettled(r.agent1)
	for _, m := range mail {
		if m.Header("X-Otvet-Notify") == "" && m.Header("Auto-Submitted") == "auto-replied" {
			ack = m
		}
	}
	if ack == nil || len(ack.ReplyTo) != 1 {
		t.Fatalf("no acknowledgement in agent1's mailbox: %s", secSubjects(mail))
	}
	r.sendRaw(r.agent1, ack.ReplyTo[0].Email, reply(r.agent1, ack, ack.ReplyTo[0].Email, "Модель Kyocera 2040.", ""))
	if n := r.secDisp(store.DispReply); n != 1 {
		t.Errorf("%d replies, want 1 (dispositions refused: %d)", n, r.secDisp(helpdesk.DispRefused))
	}
	ms := r.secMessages(1)
	if last := ms[len(ms)-1]; last.Direction != store.DirIn || !strings.Contains(string(last.BodyText), "Kyocera") {
		t.Errorf("last message %s from %s: %q", last.Direction, last.FromAddr, last.BodyText)
	}
	if ev := r.secEvents(1); strings.Contains(ev, "security_") || strings.Contains(ev, "command_refused") {
		t.Errorf("events %s", ev)
	}
}

// 3. One bad address never silences a ticket.
func TestRealBadCopiedAddressNeverSilencesATicket(t *testing.T) {
	t.Parallel()
	r := newStaffRig(t)
	colleague := r.env.NewMailbox(t, "colleague")
	weird := `"weird,colleague"@` + r.env.Domain
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nCc: %s, %s\r\nSubject: %s\r\nMessage-ID: <%d@example.test>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nПринтер в кабинете 6 не печатает, перезагружали. Тел. 2-11-05\r\n",
		r.customer, r.support, weird, colleague, mime("Не печатает принтер"), time.Now().UnixNano())
	r.sendRaw(r.customer, r.support, raw)
	ps, err := r.a.DB.Participants(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	hasColleague := false
	for _, p := range ps {
		if strings.Contains(p.Email, "weird") {
			t.Errorf("unusable address made a participant: %+v", p)
		}
		hasColleague = hasColleague || strings.EqualFold(p.Email, colleague)
	}
	if !hasColleague {
		t.Errorf("the colleague is not a participant: %+v", ps)
	}
	n1 := r.inbox(r.agent1, 1)[0]
	r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "Проверьте, пожалуйста, кабель принтера.", ""))
	for _, who := range []string{r.customer, colleague} {
		ms := r.secSettled(who)
		ans := secFind(ms, "кабель принтера")
		if ans == nil {
			t.Errorf("%s did not get the answer: %s", who, secSubjects(ms))
		} else if ans.From.Email != r.support {
			t.Errorf("%s got the answer from %s", who, ans.From.Email)
		}
	}
	if ev := r.secEvents(1); strings.Contains(ev, "agent_reply_failed") {
		t.Errorf("events %s", ev)
	}
}

// secDSN is a delivery status notification from the MX about messageID to recipient.
func secDSN(support, messageID, recipient string) string {
	n := time.Now().UnixNano()
	return fmt.Sprintf("From: MAILER-DAEMON@mx.example.test\r\nTo: %s\r\nSubject: Undelivered Mail Returned to Sender\r\n"+
		"Message-ID: <dsn-%d@mx.example.test>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B%d\"\r\n\r\n"+
		"--B%d\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n"+
		"--B%d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\n"+
		"Final-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 CALL +7-999-FAKE NOW\r\n\r\n"+
		"--B%d\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <%s>\r\nSubject: x\r\n\r\n--B%d--\r\n",
		support, n, n, n, n, recipient, n, messageID, n)
}

// 4. Only real bounces are recorded.
func TestRealOnlyRealBouncesAreRecorded(t *testing.T) {
	t.Parallel()
	r := newStaffRig(t)
	r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
	ack := r.inbox(r.customer, 1)[0]
	bounces := func() []store.BouncedAddress {
		bs, err := r.a.DB.BouncedAddresses(context.Background(), r.now.Add(-time.Hour), r.now.Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		return bs
	}
	director := r.env.NewMailbox(t, "director")
	for _, dsn := range []string{
		secDSN(r.support, fmt.Sprintf("never-sent-%d@example.test", time.Now().UnixNano()), r.customer), // mail Otvet never sent
		secDSN(r.support, ack.MessageID, director),                                                      // real mail, another recipient
	} {
		r.sendRaw("", r.support, dsn)
	}
	if n := r.secDisp(store.DispBounce); n != 2 {
		t.Fatalf("%d bounces taken, want 2", n)
	}
	if bs := bounces(); len(bs) != 0 {
		t.Errorf("forged bounces recorded: %+v", bs)
	}
	if ev := r.secEvents(1); strings.Contains(","+ev+",", ",bounce,") {
		t.Errorf("ticket events %s", ev)
	}

	// The genuine one: the real acknowledgement and its real recipient.
	r.sendRaw("", r.support, secDSN(r.support, ack.MessageID, r.customer))
	bs := bounces()
	if len(bs) != 1 || !strings.EqualFold(bs[0].Recipient, r.customer) {
		t.Errorf("bounces %+v, want the customer's", bs)
	}
	if ev := r.secEvents(1); !strings.Contains(","+ev+",", ",bounce,") {
		t.Errorf("the genuine bounce is not on the ticket: %s", ev)
	}
}

// 6. Incidents pass every block; spam gets no answer.
func TestRealIncidentPassesBlockAndSpamGetsNoAnswer(t *testing.T) {
	t.Parallel()
	t.Run("incident while everyone is blocked", func(t *testing.T) {
		t.Parallel()
		r := newStaffRig(t)
		security := r.env.NewMailbox(t, "security")
		r.cfg.Rules.Incident.Contacts = []string{security}
		var err error
		if r.a, err = newApp(t, r.rulesRig); err != nil {
			t.Fatal(err)
		}
		err = r.a.DB.Tx(context.Background(), func(tx *store.Tx) error {
			return tx.SetAllBlocked(context.Background(), true, "профилактика", "test", r.now)
		})
		if err != nil {
			t.Fatal(err)
		}
		r.send(r.customer, "Взлом учётной записи", "Пароль утёк, под моей учётной записью кто-то заходил ночью. Тел. 2-11-05", "")
		if n := r.secDisp(store.DispBlocked); n != 1 {
			t.Errorf("%d blocked, want 1", n)
		}
		alerts := r.secSettled(security)
		if len(alerts) != 1 || !strings.Contains(alerts[0].Subject, "ИНЦИДЕНТ") ||
			!strings.Contains(alerts[0].Text, "кто-то заходил") || !strings.Contains(alerts[0].Text, r.customer) {
			t.Errorf("incident contacts got %d messages: %s", len(alerts), secSubjects(alerts))
		}
		got := r.secSettled(r.customer)
		if len(got) != 1 || !strings.Contains(got[0].Subject, "не принято") {
			t.Errorf("the sender got: %s", secSubjects(got))
		}
	})
	t.Run("spam", func(t *testing.T) {
		t.Parallel()
		r := newStaffRig(t)
		raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@example.test>\r\nX-Spam-Flag: YES\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\nВы выиграли! Не работает ничего, перезвоните. Тел. 2-11-05\r\n",
			r.customer, r.support, mime("Выигрыш"), time.Now().UnixNano())
		r.sendRaw(r.customer, r.support, raw)
		if n := r.secDisp(store.DispSpam); n != 1 {
			t.Errorf("%d spam, want 1", n)
		}
		if c, _ := r.a.DB.Counts(context.Background()); c.Tickets != 0 || c.Outbox != 0 {
			t.Errorf("spam opened %d tickets and queued %d mails", c.Tickets, c.Outbox)
		}
		if got := r.secSettled(r.customer); len(got) != 0 {
			t.Errorf("the spammer got: %s", secSubjects(got))
		}
	})
}

// 7. Internal text never reaches a customer by mistake.
func TestRealInternalTextIsHeld(t *testing.T) {
	t.Parallel()
	t.Run("mistyped command", func(t *testing.T) {
		t.Parallel()
		r := newStaffRig(t)
		r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
		n1 := r.inbox(r.agent1, 1)[0]
		r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "#ntoe позвоню директору", ""))
		if got := r.secSettled(r.customer); len(got) != 1 {
			t.Errorf("the customer got more than the acknowledgement: %s", secSubjects(got))
		}
		if r.secQueuedTo(r.customer) != 1 {
			t.Errorf("%d mails queued to the customer, want only the acknowledgement", r.secQueuedTo(r.customer))
		}
		res := secFind(r.secSettled(r.agent1), "НЕ отправлен")
		if res == nil {
			t.Fatal("agent1 got no error mail")
		}
		local, _, _ := strings.Cut(r.support, "@")
		if len(res.ReplyTo) != 1 || !strings.HasPrefix(res.ReplyTo[0].Email, local+"+") {
			t.Errorf("error mail Reply-To %v: not a signed address", res.ReplyTo)
		}
		if st := r.ticket(1).Status; st != store.StatusOpen {
			t.Errorf("status %s", st)
		}
		if ev := r.secEvents(1); !strings.Contains(ev, "agent_reply_held") {
			t.Errorf("events %s", ev)
		}
	})
	t.Run("reply to a note", func(t *testing.T) {
		t.Parallel()
		r := newStaffRig(t)
		r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
		n1 := r.inbox(r.agent1, 1)[0]
		r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "#заметка клиент ругается, осторожнее", ""))
		var note *mailmsg.Message
		agent2Mail := r.secSettled(r.agent2)
		for _, m := range agent2Mail {
			if m.Header("X-Otvet-Notify") == "note" {
				note = m
			}
		}
		if note == nil || len(note.ReplyTo) != 1 {
			t.Fatalf("agent2 got no note notification: %s", secSubjects(agent2Mail))
		}
		agent1Had := len(r.secSettled(r.agent1))
		r.sendRaw(r.agent2, note.ReplyTo[0].Email, reply(r.agent2, note, note.ReplyTo[0].Email, "Понял, позвоню сам.", ""))
		if got := r.secSettled(r.customer); len(got) != 1 {
			t.Errorf("the customer got more than the acknowledgement: %s", secSubjects(got))
		}
		if r.secQueuedTo(r.customer) != 1 {
			t.Errorf("%d mails queued to the customer, want only the acknowledgement", r.secQueuedTo(r.customer))
		}
		a1 := r.secSettled(r.agent1)
		if secFind(a1[agent1Had:], "позвоню сам") == nil {
			t.Errorf("agent1 did not get the note reply: %s", secSubjects(a1[agent1Had:]))
		}
		notes := 0
		for _, m := range r.secMessages(1) {
			if strings.Contains(string(m.BodyText), "позвоню сам") {
				if m.Direction != store.DirNote {
					t.Errorf("the reply to a note was stored as %s", m.Direction)
				}
				notes++
			}
		}
		if notes != 1 {
			t.Errorf("%d stored copies of the note reply", notes)
		}
	})
}
