package helpdesk_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// replyTo is the requester's answer to the latest mail on a ticket.
func (h *harness) replyTo(id int64, body string) {
	h.t.Helper()
	last := lastMail(h.t.(*testing.T), h.outbox(id))
	h.now = h.now.Add(10 * time.Minute)
	h.ingest(mail{from: petrov, subject: "Re: " + last.Subject, id: fmt.Sprintf("r%d@uszn", time.Now().UnixNano()),
		inReplyTo: last.MessageID, body: body}.String())
}

// offensiveNotice checks that the requester was told, citing the clause.
func (h *harness) offensiveNotice(id int64) {
	h.t.Helper()
	ns := h.sent("offensive")
	if len(ns) == 0 {
		h.t.Fatal("no offensive notice queued")
	}
	m := parse(h.t.(*testing.T), ns[0].Raw)
	if !strings.Contains(m.Text, "4.6.3") || ns[0].Recipients != "petrov@uszn.kgo66.ru" || !strings.Contains(m.Subject, fmt.Sprintf("#%d", id)) {
		h.t.Errorf("offensive notice to %s:\n%s\n%s", ns[0].Recipients, m.Subject, m.Text)
	}
}

func (h *harness) setStatus(id int64, status string) {
	h.t.Helper()
	h.tx(func(tx *store.Tx) error {
		return tx.UpdateTicketState(context.Background(), id, status, "", sql.NullTime{}, h.now)
	})
}

func TestOffensiveReply(t *testing.T) {
	const rude = "Вы там совсем охуели? Третий день не работает, идиоты."
	t.Run("open ticket is rejected and agents are told", func(t *testing.T) {
		h := newStaffHarness(t)
		id := h.newTicket()
		before := len(h.sent("agent_notify"))
		h.replyTo(id, rude)
		if tk := h.ticket(id); tk.Status != store.StatusRejected || tk.Reason != "offensive" {
			t.Fatalf("ticket %s/%s, want rejected/offensive", tk.Status, tk.Reason)
		}
		h.offensiveNotice(id)
		if n := len(h.sent("agent_notify")); n <= before {
			t.Error("agents were not told of the offensive reply")
		}
	})
	t.Run("resolved ticket is not reopened", func(t *testing.T) {
		h := newStaffHarness(t)
		id := h.newTicket()
		h.setStatus(id, store.StatusResolved)
		h.replyTo(id, rude)
		if tk := h.ticket(id); tk.Status != store.StatusResolved {
			t.Fatalf("status %s, want resolved", tk.Status)
		}
		h.offensiveNotice(id)
	})
	t.Run("a polite reply is a reply", func(t *testing.T) {
		h := newStaffHarness(t)
		id := h.newTicket()
		h.replyTo(id, "Спасибо, жду. Корабль уже отплыл, а принтер всё не печатает.")
		if tk := h.ticket(id); tk.Status != store.StatusOpen {
			t.Fatalf("status %s, want open", tk.Status)
		}
	})
}

func TestOffensiveRequestNotifiesAgents(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(mail{from: petrov, subject: "Опять", id: "o1@uszn", body: "Вы там совсем охуели? Третий день не работает ваша сраная система, идиоты."}.String())
	if h.ticket(out.TicketID).Status != store.StatusRejected {
		t.Fatal("not rejected")
	}
	if n := h.notification(agent1); !strings.Contains(n.Subject, fmt.Sprintf("[#%d]", out.TicketID)) {
		t.Errorf("agents not told of the rejected request (they may reopen it): %s", n.Subject)
	}
}

func TestReplyToPlannedTicketNotifiesAgents(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.setStatus(id, store.StatusPlanned)
	before := len(h.sent("agent_notify"))
	h.replyTo(id, "Не приезжайте, всё заработало.")
	if n := len(h.sent("agent_notify")); n <= before {
		t.Fatal("agents not told of a reply on a planned ticket")
	}
	if n := h.notification(agent1); !strings.Contains(n.Text, "Не приезжайте") {
		t.Errorf("notification:\n%s", n.Text)
	}
}

// Two unknown senders at a public provider are not colleagues: copying one
// on a request does not make them a participant, whereas colleagues on an
// unregistered corporate domain are.
func TestPublicMailDomainsAreNoOrganisation(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: "Иван <ivan.p@mail.ru>", subject: "Принтер", id: "fm1@mail",
		extra: "Cc: Пётр <petr.s@mail.ru>, Коллега <colleague@school7.example>\r\n"}.String())
	ps, err := h.db.Participants(context.Background(), out.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Email == "petr.s@mail.ru" {
			t.Errorf("a stranger at mail.ru became a participant (%s)", p.Role)
		}
	}
	out = h.ingest(mail{from: "Анна <anna@school7.example>", subject: "Журнал", id: "fm2@school7",
		extra: "Cc: Коллега <colleague@school7.example>\r\n"}.String())
	ps, _ = h.db.Participants(context.Background(), out.TicketID)
	if len(ps) != 2 {
		t.Errorf("colleague on a corporate domain not copied: %+v", ps)
	}
}

// The notice about an unreadable message counts against the same per-hour
// cap as every automatic answer.
func TestUnreadableNoticesAreRateLimited(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.AutoReplyPerHour = 3 })
	for i := 0; i < 8; i++ {
		out := h.ingest(fmt.Sprintf("Return-Path: <u@x.ru>\r\nTo: %s\r\nSubject: x%d\r\nMessage-ID: <nofrom%d@x.ru>\r\n\r\nbody\r\n", support, i, i))
		if out.Disposition != store.DispQuarantine {
			t.Fatalf("message %d: %+v", i, out)
		}
	}
	if n := len(h.sent("rejected_unreadable")); n != 3 {
		t.Errorf("%d notices in an hour, want 3", n)
	}
}
