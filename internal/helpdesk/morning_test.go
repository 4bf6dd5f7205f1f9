package helpdesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// ownAddress is a staff member's signed command address (ticket 0), as the
// morning mail and the digests carry it in their Reply-To.
func (h *harness) ownAddress(email string) string {
	h.t.Helper()
	var s *store.Staff
	h.tx(func(tx *store.Tx) (err error) {
		s, err = tx.StaffByEmail(context.Background(), email)
		return err
	})
	signer, err := mailout.NewSigner(key)
	if err != nil {
		h.t.Fatal(err)
	}
	addr, err := signer.ReplyAddress(support, 0, s.ID, s.TokenEpoch)
	if err != nil {
		h.t.Fatal(err)
	}
	return addr
}

func (h *harness) morningOn(email string) bool {
	h.t.Helper()
	var on bool
	h.tx(func(tx *store.Tx) error {
		s, err := tx.StaffByEmail(context.Background(), email)
		on = err == nil && s.MorningMail
		return err
	})
	return on
}

func ownMail(from, to, body string) string {
	return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: Ваш день 27.12.2024\r\nMessage-ID: <%d@kgo66.ru>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\n> Доброе утро!\r\n",
		from, to, time.Now().UnixNano(), body)
}

// TestOwnCommandAddress: a reply to the morning mail (the agent's own
// command address) carries #утро, #очередь and #поиск; the results come
// back to the same address; a ticket's command is refused in words.
func TestOwnCommandAddress(t *testing.T) {
	h := newStaffHarness(t)
	h.newTicket()
	own := h.ownAddress(agent1)
	if !h.morningOn(agent1) {
		t.Fatal("the morning mail is off by default")
	}
	out := h.ingest(ownMail(agent1, own, "#утро выкл"))
	if out.Disposition != helpdesk.DispStaff || out.TicketID != 0 {
		t.Fatalf("outcome %+v", out)
	}
	if h.morningOn(agent1) {
		t.Error("#утро выкл left the morning mail on")
	}
	r := h.result(agent1)
	if !strings.Contains(r.Text, "утреннее письмо выключено") || len(r.ReplyTo) != 1 || r.ReplyTo[0].Email != own {
		t.Errorf("confirmation (Reply-To %v):\n%s", r.ReplyTo, r.Text)
	}
	if strings.Contains(r.Subject, "#0") || strings.Contains(r.Text, "#0") {
		t.Errorf("the confirmation names ticket #0: %s\n%s", r.Subject, r.Text)
	}
	h.ingest(ownMail(agent1, own, "#очередь\n#закрыть"))
	r = h.result(agent1)
	if !strings.Contains(r.Text, "не назначены (1):") || !strings.Contains(r.Text, "эта команда выполняется в ответе на письмо об обращении") {
		t.Errorf("queue and a ticket's command:\n%s", r.Text)
	}
	h.ingest(ownMail(agent1, own, "Спасибо!"))
	if r = h.result(agent1); !strings.Contains(r.Text, "в письме нет команды") {
		t.Errorf("no command:\n%s", r.Text)
	}
	// On again from a reply to a ticket's notification.
	h.command(agent1, "#morning on")
	if !h.morningOn(agent1) {
		t.Error("#morning on in a ticket reply left it off")
	}
	audit, err := h.db.AuditEvents(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range audit {
		if e.Kind == "staff_morning" {
			kinds = append(kinds, e.Actor+": "+e.Detail)
		}
	}
	if len(kinds) != 2 || !strings.Contains(kinds[0], "morning mail off") || !strings.Contains(kinds[1], "morning mail on") {
		t.Errorf("audit: %v", kinds)
	}
}

// TestOwnCommandAddressIsProven: the address acts only for its member,
// from their address, active, with the current epoch.
func TestOwnCommandAddressIsProven(t *testing.T) {
	h := newStaffHarness(t)
	own := h.ownAddress(agent1)
	out := h.ingest(ownMail(petrov, own, "#утро выкл"))
	if out.Disposition != helpdesk.DispRefused || !h.morningOn(agent1) {
		t.Errorf("a stranger with the agent's address: %+v, morning %v", out, h.morningOn(agent1))
	}
	out = h.ingest(ownMail(lead, own, "#утро выкл"))
	if out.Disposition != helpdesk.DispRefused || !h.morningOn(agent1) {
		t.Errorf("a colleague with the agent's address: %+v", out)
	}
	h.tx(func(tx *store.Tx) error {
		_, err := tx.RevokeAgentTokens(context.Background(), agent1, h.now)
		return err
	})
	out = h.ingest(ownMail(agent1, own, "#утро выкл"))
	if out.Disposition != helpdesk.DispRefused || !h.morningOn(agent1) {
		t.Errorf("a revoked address: %+v", out)
	}
	if out := h.ingest(ownMail(agent1, h.ownAddress(agent1), "#утро выкл")); out.Disposition != helpdesk.DispStaff || h.morningOn(agent1) {
		t.Errorf("the new address: %+v", out)
	}
}

// TestManagersDigestReplyIsStaffMail: a manager's reply to a digest (their
// own command address in its Reply-To) is staff mail: recorded, confirmed,
// never a new request.
func TestManagersDigestReplyIsStaffMail(t *testing.T) {
	h := newStaffHarness(t)
	const boss = "boss@kgo66.ru"
	h.tx(func(tx *store.Tx) error {
		return tx.UpsertStaff(context.Background(), &store.Staff{Email: boss, Name: "Руководитель", Role: store.StaffManager, Active: true}, "test", h.now)
	})
	out := h.ingest(ownMail(boss, h.ownAddress(boss), "Почему так много просрочек у школы № 3?"))
	if out.Disposition != helpdesk.DispStaff || out.TicketID != 0 {
		t.Fatalf("outcome %+v", out)
	}
	if c, err := h.db.Counts(context.Background()); err != nil || c.Tickets != 0 {
		t.Errorf("tickets %+v %v", c, err)
	}
	if r := h.result(boss); !strings.Contains(r.Text, "в письме нет команды") {
		t.Errorf("confirmation:\n%s", r.Text)
	}
	audit, err := h.db.AuditEvents(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range audit {
		found = found || (e.Kind == "staff_own_mail" && e.Actor == boss)
	}
	if !found {
		t.Error("no staff_own_mail event")
	}
}
