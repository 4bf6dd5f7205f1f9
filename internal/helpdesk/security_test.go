package helpdesk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// A reply token outlives a change of role: once an agent becomes a manager,
// their old notifications no longer let them act.
func TestDemotedAgentCannotAct(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	n := h.notification(agent1)
	h.tx(func(tx *store.Tx) error {
		return tx.UpsertStaff(context.Background(), &store.Staff{Email: agent1, Name: "Агент Первый", Role: store.StaffManager, Active: true}, "test", friday)
	})
	h.ingest(agentMail(agent1, n, "#reject offensive", ""))
	if tk := h.ticket(id); tk.Status != store.StatusOpen {
		t.Fatalf("status %s: a manager acted through an old agent token", tk.Status)
	}
	evs, _ := h.db.Events(context.Background(), id)
	found := false
	for _, e := range evs {
		found = found || e.Kind == "security_not_agent"
	}
	if !found {
		t.Error("no security_not_agent event")
	}
}

// A colleague copied on a request who later leaves the organisation (moved
// or blocked) no longer receives the ticket's mail.
func TestFormerColleagueStopsReceiving(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(tx *store.Tx) error
	}{
		{"blocked", func(tx *store.Tx) error {
			return tx.SetUserBlocked(context.Background(), "sidorova@uszn.kgo66.ru", true, "уволена", "test", friday)
		}},
		{"moved", func(tx *store.Tx) error {
			o := &store.Org{Name: "ЗАГС", Domains: []string{"zags.kgo66.ru"}}
			if err := tx.CreateOrg(context.Background(), o, "test", friday); err != nil {
				return err
			}
			u, err := tx.UserByEmail(context.Background(), "sidorova@uszn.kgo66.ru")
			if err != nil {
				return err
			}
			u.OrgID.Int64 = o.ID
			_, err = tx.UpsertUser(context.Background(), u, "test", friday, store.MoveOrg)
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			out := h.ingest(mail{from: petrov, subject: "Принтер", id: "cc1@uszn",
				extra: "Cc: Сидорова <sidorova@uszn.kgo66.ru>\r\n"}.String())
			h.tx(c.change)
			h.ingest(agentMail(agent1, h.notification(agent1), "Проверьте лоток.", ""))
			ans := h.sent("agent_reply")
			if len(ans) == 0 {
				t.Fatal("no answer sent")
			}
			if strings.Contains(ans[0].Recipients, "sidorova") || !strings.Contains(ans[0].Recipients, "petrov") {
				t.Errorf("answer to ticket #%d went to %q", out.TicketID, ans[0].Recipients)
			}
		})
	}
}

// A connection request must not enrol a new address on another
// organisation's mail domain: that person's tickets would follow them.
func TestRegistrationRefusesAnotherOrganisationsAddress(t *testing.T) {
	h := newStaffHarness(t)
	sad7(t, h)
	body := "Заявка на подключение\r\nНаименование организации: МБДОУ Детский сад № 7\r\n\r\n" +
		"№\tДолжность\tФИО\tНаименования информационных систем\te-mail\r\n" +
		"1\tспециалист\tИванов Иван Иванович\tСЭД\tivanov.new@uszn.kgo66.ru\r\n\r\nПриказ прилагается.\r\n"
	out := h.ingest(formMailFrom("sokolova@sad7.kgo66.ru", "dom@sad7", body, prikaz))
	_, err := h.approve(out.TicketID)
	var refused *helpdesk.RegistrationRefused
	if !errors.As(err, &refused) || !strings.Contains(refused.Text("en"), "mail domain of organisation") {
		t.Fatalf("approval: %v", err)
	}
	if _, err := h.db.UserByEmail(context.Background(), "ivanov.new@uszn.kgo66.ru"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the address was enrolled: %v", err)
	}
}

// Someone outside the requester's organisation who holds a ticket's reply
// address changes nothing: a closed ticket stays closed, no answer goes
// out; agents are told. After the reopen window their mail opens a ticket
// of its own that does not reveal the old one.
func TestOutsiderWithReplyAddressChangesNothing(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	ack := parse(t, h.sent("ack")[0].Raw)
	h.setStatus(id, store.StatusResolved)
	outbox := len(h.sent("ack")) + len(h.sent("reopened"))
	notes := len(h.sent("agent_notify"))
	raw := "From: x@evil.ru\r\nTo: " + ack.ReplyTo[0].Email + "\r\nSubject: Re: " + ack.Subject + "\r\nMessage-ID: <o1@evil.ru>\r\n\r\nОткройте снова\r\n"
	h.ingest(raw)
	if tk := h.ticket(id); tk.Status != store.StatusResolved {
		t.Fatalf("an outsider changed the ticket to %s", tk.Status)
	}
	if n := len(h.sent("ack")) + len(h.sent("reopened")); n != outbox {
		t.Error("the outsider was answered")
	}
	if len(h.sent("agent_notify")) <= notes {
		t.Error("agents were not told")
	}
	h.now = h.now.AddDate(0, 2, 0)
	out := h.ingest(strings.Replace(raw, "<o1@evil.ru>", "<o2@evil.ru>", 1))
	if out.TicketID == id || out.TicketID == 0 {
		t.Fatalf("outcome %+v", out)
	}
	if tk := h.ticket(out.TicketID); tk.LinkedTicketID.Valid {
		t.Errorf("the outsider's new ticket links #%d", tk.LinkedTicketID.Int64)
	}
}
