package helpdesk_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

var errNoSuchUser = errors.New("550 5.1.1 <petrov@uszn.kgo66.ru>: user unknown")

// relay refuses mail to the customer for good and accepts the rest. The
// outbox's senders call it concurrently.
type relay struct {
	mu   sync.Mutex
	sent []string
}

func (r *relay) Send(_ context.Context, _ string, to []string, _ []byte) error {
	if strings.Contains(to[0], "uszn") {
		return errNoSuchUser
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, to...)
	return nil
}

func (r *relay) accepted() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.sent, ",")
}

// TestAgentsHearOfUndeliveredMail: when the outbox gives up the customer's
// acknowledgement, the ticket's agents are told once, with the recipient,
// the mail, the reason in words and how to send it again.
func TestAgentsHearOfUndeliveredMail(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	r := &relay{}
	w := outbox.New(h.db, outbox.Options{
		Senders: map[string]outbox.Sender{"sd": r}, IsPermanent: func(err error) bool { return errors.Is(err, errNoSuchUser) },
		Now:      func() time.Time { return h.now.Add(24 * time.Hour) }, // working hours: notifications are due
		OnGiveUp: h.svc.Undelivered,
	})
	before := len(h.sent("agent_notify"))
	for range 3 {
		if _, err := w.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ns := h.sent("agent_notify")
	if len(ns)-before != 2 { // agent1 and lead: the ticket is unassigned
		t.Fatalf("%d undelivered notices, want 2 (one per agent, once)", len(ns)-before)
	}
	ack := h.sent("ack")[0]
	m := parse(t, ns[len(ns)-1].Raw)
	for _, want := range []string{"Письмо пользователю не доставлено", "petrov@uszn.kgo66.ru", "подтверждение приёма обращения",
		"почтовый сервер отказался принять письмо", "550 5.1.1", "otvet outbox retry " + strconv.FormatInt(ack.ID, 10)} {
		if !strings.Contains(m.Subject+m.Text, want) {
			t.Errorf("notice lacks %q:\n%s\n%s", want, m.Subject, m.Text)
		}
	}
	if !strings.Contains(r.accepted(), agent1) {
		t.Errorf("the notices were not sent: %v", r.accepted())
	}
	evs, _ := h.db.Events(context.Background(), id)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if k := strings.Join(kinds, ","); !strings.Contains(k, "outbox_failed") || !strings.Contains(k, "undelivered_notified") {
		t.Errorf("events %s", k)
	}
}

// TestUndeliveredIsToldOnlyForCustomerMail: mail to staff, and mail of no
// ticket, given up is left to the digest; the reason of an expired row is
// the time it was tried.
func TestUndeliveredIsToldOnlyForCustomerMail(t *testing.T) {
	cases := []struct {
		name      string
		kind      string
		ticket    bool
		lastError string
		want      []string // in the notice; nil: no notice
	}{
		{"agent reply rejected", mailout.TmplAgentReply, true, "550 mailbox unavailable",
			[]string{"ответ сотрудника", "почтовый сервер отказался принять письмо", "550 mailbox unavailable"}},
		{"expired", mailout.TmplAck, true, "giving up: not delivered within 168h0m0s of queueing: dial tcp: connection refused",
			[]string{"не удалось отправить за 168 ч", "dial tcp: connection refused"}},
		{"agent notification", mailout.TmplAgentNotify, true, "550 no", nil},
		{"command result", mailout.TmplCommandResult, true, "550 no", nil},
		{"no ticket", mailout.TmplBlocked, false, "550 no", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := h.newTicket()
			before := len(h.sent("agent_notify"))
			queued := h.now.Add(-168 * time.Hour)
			o := store.Outgoing{ID: 77, Desk: "sd", Kind: c.kind, Recipients: "petrov@uszn.kgo66.ru", Subject: "Re: [#1] Не печатает принтер",
				State: store.OutFailed, LastError: c.lastError, CreatedAt: queued, GivenUpAt: sql.NullTime{Time: h.now, Valid: true}}
			if c.ticket {
				o.TicketID = sql.NullInt64{Int64: id, Valid: true}
			}
			if err := h.svc.Undelivered(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			ns := h.sent("agent_notify")[before:]
			if c.want == nil {
				if len(ns) != 0 {
					t.Errorf("%d notices for %s mail", len(ns), c.kind)
				}
				return
			}
			if len(ns) != 2 {
				t.Fatalf("%d notices, want 2", len(ns))
			}
			m := parse(t, ns[0].Raw)
			for _, w := range c.want {
				if !strings.Contains(m.Text, w) {
					t.Errorf("notice lacks %q:\n%s", w, m.Text)
				}
			}
		})
	}
}

// An agent's answer refused for good is reported to the agent who wrote it,
// even when the ticket is someone else's.
func TestRefusedAnswerIsToldToItsAuthor(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.command(lead, "#беру") // the lead has the ticket
	h.ingest(agentMail(agent1, h.notification(agent1), "Проверьте кабель принтера.", ""))
	if n := len(h.sent("agent_reply")); n != 1 {
		t.Fatalf("%d answers queued", n)
	}
	w := outbox.New(h.db, outbox.Options{
		Senders: map[string]outbox.Sender{"sd": &relay{}}, IsPermanent: func(err error) bool { return errors.Is(err, errNoSuchUser) },
		Now:      func() time.Time { return h.now.Add(24 * time.Hour) },
		OnGiveUp: h.svc.Undelivered,
	})
	for range 3 {
		if _, err := w.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	told := map[string]bool{}
	for _, row := range h.sent("agent_notify") {
		if row.TicketID.Int64 == id && strings.Contains(parse(t, row.Raw).Subject, "не доставлено") {
			told[row.Recipients] = true
		}
	}
	if !told[agent1] || !told[lead] {
		t.Errorf("told %v: want the author (agent1) and the assignee (lead)", told)
	}
}
