package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// staffRig adds two agents with real mailboxes to a rulesRig.
type staffRig struct {
	*rulesRig
	agent1, agent2, customer string
}

func newStaffRig(t *testing.T) *staffRig {
	r := &staffRig{rulesRig: newRulesRig(t, workingFriday)}
	r.agent1, r.agent2, r.customer = r.env.NewMailbox(t, "agent1"), r.env.NewMailbox(t, "agent2"), r.env.NewMailbox(t, "customer")
	r.register(r.customer)
	err := r.a.DB.Tx(context.Background(), func(tx *store.Tx) error {
		for _, a := range []string{r.agent1, r.agent2} {
			if err := tx.UpsertStaff(context.Background(), &store.Staff{Email: a, Name: "Агент", Role: store.StaffAgent, Active: true}, "test", r.now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sendRaw delivers a raw message through Postfix and polls until it is stored.
func (r *staffRig) sendRaw(from, to, raw string) {
	r.t.Helper()
	ctx := context.Background()
	before, _ := r.a.DB.Counts(ctx)
	r.env.SendMail(r.t, from, []string{to}, []byte(raw))
	waitFor(r.t, 15*time.Second, func() bool {
		if _, _, err := r.a.PollOnce(ctx); err != nil {
			r.t.Log(err)
		}
		c, _ := r.a.DB.Counts(ctx)
		return c.Raw > before.Raw
	})
	if _, err := r.a.Outbox.Drain(ctx); err != nil {
		r.t.Fatal(err)
	}
}

// reply writes an agent's answer to a notification.
func reply(from string, n *mailmsg.Message, to, body, extra string) string {
	return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%d@example.test>\r\nIn-Reply-To: <%s>\r\n%sMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\n> %s\r\n", from, to, mime(n.Subject), time.Now().UnixNano(), n.MessageID, extra, body, "цитата")
}

func TestRealAgentWorksByMail(t *testing.T) {
	r := newStaffRig(t)
	r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
	ack := r.inbox(r.customer, 1)[0]
	n1 := r.inbox(r.agent1, 1)[0]
	if !strings.Contains(n1.Subject, "[#1]") || !strings.Contains(n1.Text, "кабинете 5") {
		t.Fatalf("notification: %s\n%s", n1.Subject, n1.Text)
	}

	// A note stays inside.
	r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "#note Похоже на драйвер.", ""))
	// An answer reaches the customer from the support address.
	r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "#ждать\nПришлите, пожалуйста, модель сканера.", ""))
	msgs := r.inbox(r.customer, 2)
	ans := msgs[1]
	if ans.From.Email != r.support || !strings.Contains(ans.Text, "модель сканера") || strings.Contains(ans.Text, "драйвер") ||
		strings.Contains(ans.Text, "цитата") {
		t.Fatalf("answer from %s:\n%s", ans.From.Email, ans.Text)
	}
	tk := r.ticket(1)
	if tk.Status != store.StatusWaiting || !tk.FirstResponseAt.Valid {
		t.Fatalf("after #wait: %s, first response %v", tk.Status, tk.FirstResponseAt)
	}
	// The customer's reply resumes the clock.
	r.now = r.now.Add(time.Hour)
	r.send(r.customer, "Re: "+ans.Subject, "Canon LiDE 300", ans.MessageID)
	if tk := r.ticket(1); tk.Status != store.StatusOpen || !strings.Contains(tk.SLAResolution, `"resume"`) {
		t.Fatalf("after the customer's reply: %s", tk.Status)
	}
	// #plan puts it in the day's plan.
	r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "#plan 2024-12-28", ""))
	if ts, _ := r.a.DB.PlannedTickets(context.Background(), "2024-12-28"); len(ts) != 1 {
		t.Errorf("day plan has %d tickets", len(ts))
	}
	_ = ack
	// The customer never got the note, and got exactly: ack, answer.
	if got := r.inbox(r.customer, 2); len(got) != 2 {
		t.Errorf("customer mailbox holds %d messages", len(got))
	}
}

func TestRealForgedStaffMailIsRefused(t *testing.T) {
	r := newStaffRig(t)
	r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
	r.send(r.customer, "Не работает принтер", "Принтер в кабинете 6 не печатает, перезагружали. Тел. 2-11-05", "")
	n := r.inbox(r.agent1, 2)
	n1, n2 := n[0], n[1]
	other := r.inbox(r.agent2, 2)[0] // agent2's notification of ticket 1
	cases := []struct{ name, from, to, raw string }{
		{"forged From without a token", r.agent1, r.support, reply(r.agent1, n1, r.support, "#close", "")},
		{"token of another agent", r.agent1, other.ReplyTo[0].Email, reply(r.agent1, other, other.ReplyTo[0].Email, "#close", "")},
		{"token replayed on another ticket", r.agent1, n1.ReplyTo[0].Email,
			strings.Replace(reply(r.agent1, n2, n1.ReplyTo[0].Email, "#close", ""), "To: "+n2.ReplyTo[0].Email, "To: "+n1.ReplyTo[0].Email, 1)},
	}
	for _, c := range cases {
		r.sendRaw(c.from, c.to, c.raw)
	}
	for _, id := range []int64{1, 2} {
		if st := r.ticket(id).Status; st != store.StatusOpen {
			t.Errorf("ticket #%d is %s after refused commands", id, st)
		}
	}
	if got := r.inbox(r.customer, 2); len(got) != 2 {
		t.Errorf("the customer got %d messages: refused mail leaked", len(got))
	}
	evs, _ := r.a.DB.Events(context.Background(), 1)
	refusals := 0
	for _, e := range evs {
		if e.Kind == "command_refused" {
			refusals++
		}
	}
	if refusals < 2 {
		t.Errorf("%d refusals recorded on ticket 1", refusals)
	}
	// The agents are told.
	if got := r.inbox(r.agent1, 3); !strings.Contains(got[len(got)-1].Subject, "ОТКЛОНЕНО") {
		t.Errorf("agent1 not told: %s", got[len(got)-1].Subject)
	}
}

// TestRealDMARCFailIsRefusedWhenRequired: only the topmost Authentication-Results
// counts, so the MTA must add its own verdict on top and strip any incoming header
// that claims its authserv-id (OpenDKIM/OpenDMARC behind Postfix do both). The test
// Postfix runs no milter, so deliverAsMTA plays that MTA: its verdict on top of
// whatever the sender wrote, delivered straight into the mailbox.
func TestRealDMARCFailIsRefusedWhenRequired(t *testing.T) {
	r := newStaffRig(t)
	// Rebuild with the desk requiring a trusted DMARC/DKIM verdict.
	c := r.cfg
	c.Desks[0].RequireAuthenticationResults, c.Desks[0].TrustedAuthServID = true, "mx.example.test"
	var err error
	if r.a, err = newApp(t, r.rulesRig); err != nil {
		t.Fatal(err)
	}
	r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
	n1 := r.inbox(r.agent1, 1)[0]
	// The sender forges a pass; the MTA's own verdict on top says fail.
	forged := "Authentication-Results: mx.example.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test\r\n"
	r.deliverAsMTA("dkim=fail header.d=example.test; dmarc=fail header.from=example.test",
		reply(r.agent1, n1, n1.ReplyTo[0].Email, "#close", forged))
	if st := r.ticket(1).Status; st != store.StatusOpen {
		t.Fatalf("closed despite the MTA's dmarc=fail: %s", st)
	}
	r.deliverAsMTA("dkim=pass header.d=example.test; dmarc=pass header.from=example.test",
		reply(r.agent1, n1, n1.ReplyTo[0].Email, "#close", ""))
	if st := r.ticket(1).Status; st != store.StatusClosed {
		t.Errorf("not closed with a trusted pass: %s", st)
	}
}

// deliverAsMTA stores raw in the support mailbox the way the receiving MTA
// would after checking it: with its Authentication-Results on top.
func (r *staffRig) deliverAsMTA(verdict, raw string) {
	r.t.Helper()
	ctx := context.Background()
	before, _ := r.a.DB.Counts(ctx)
	r.env.Append(r.t, r.support, []byte("Authentication-Results: mx.example.test; "+verdict+"\r\n"+raw))
	waitFor(r.t, 15*time.Second, func() bool {
		if _, _, err := r.a.PollOnce(ctx); err != nil {
			r.t.Log(err)
		}
		c, _ := r.a.DB.Counts(ctx)
		return c.Raw > before.Raw
	})
	if _, err := r.a.Outbox.Drain(ctx); err != nil {
		r.t.Fatal(err)
	}
}
