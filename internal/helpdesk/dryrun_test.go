package helpdesk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
)

// `otvet rules test` explains what intake does with a message: each case is
// also ingested, and the dry run must agree with the stored outcome.
func TestDryRunAgreesWithIntake(t *testing.T) {
	h := newStaffHarness(t)
	h.tx(func(tx *store.Tx) error {
		return tx.AddMaintenance(context.Background(), &store.MaintenanceWindow{System: "МИС", Keywords: "медицинская информационная система",
			StartsAt: friday.Add(-time.Hour).UTC(), EndsAt: friday.Add(3 * time.Hour).UTC(), CreatedAt: friday.UTC(), CreatedBy: "test"})
	})
	first := h.newTicket()
	ack := lastMail(t, h.outbox(first))
	cases := []struct {
		name    string
		raw     string
		outcome rules.Outcome
		rule    string // a step of the trail that must have fired
		status  string // the status intake gives the ticket ("" = no new ticket)
	}{
		{"maintenance defers", mail{from: petrov, subject: "Не открывается МИС", id: "d1@uszn",
			body: "МИС не открывается, пишет что сервер недоступен. Тел. 2-44-17"}.String(), rules.OutcomeDefer, "maintenance", store.StatusDeferred},
		{"an incident is never deferred", mail{from: petrov, subject: "Несанкционированный доступ в МИС", id: "d2@uszn",
			body: "В МИС несанкционированный доступ под моей учётной записью, пароль утёк. Тел. 2-44-17"}.String(), rules.OutcomeOpen, "incident", store.StatusOpen},
		{"a reply is checked for offensive words only", mail{from: petrov, subject: "Re: " + ack.Subject, id: "d3@uszn", inReplyTo: ack.MessageID,
			body: "Спасибо"}.String(), rules.OutcomeOpen, "reply", ""},
		{"automatic mail is not answered", mail{from: "Робот <robot@uszn.kgo66.ru>", subject: "Автоответ: Принтер", id: "d4@uszn",
			extra: "Auto-Submitted: auto-replied\r\n", body: "Я в отпуске"}.String(), helpdesk.OutcomeIgnore, "auto", ""},
		{"staff mail about a ticket needs a token", mail{from: agent1, subject: "Re: " + ack.Subject, id: "d5@kgo66", inReplyTo: ack.MessageID,
			body: "#закрыть"}.String(), helpdesk.OutcomeIgnore, "staff", ""},
		{"a fresh message from staff is an identified request", mail{from: agent1, subject: "Не работает МФУ", id: "d6@kgo66",
			body: "В кабинете 5 не работает МФУ, замятие бумаги. Перезагружали. Тел. 2-11-05"}.String(), rules.OutcomeOpen, "quality", store.StatusOpen},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, dec, err := h.svc.TestRules(context.Background(), "sd", []byte(c.raw), h.now)
			if err != nil {
				t.Fatal(err)
			}
			fired := false
			for _, s := range dec.Trail {
				fired = fired || (s.Rule == c.rule && s.Result == "fired")
			}
			if dec.Outcome != c.outcome || !fired {
				t.Errorf("dry run: outcome %s, trail %+v; want %s with %s fired", dec.Outcome, dec.Trail, c.outcome, c.rule)
			}
			out := h.ingest(c.raw)
			if c.status != "" {
				if out.TicketID == 0 || out.TicketID == first || h.ticket(out.TicketID).Status != c.status {
					t.Errorf("intake: %+v, want a new ticket in %s", out, c.status)
				}
			} else if out.TicketID != 0 && out.TicketID != first {
				t.Errorf("intake opened ticket #%d", out.TicketID)
			}
		})
	}
	if !strings.Contains(string(helpdesk.OutcomeIgnore), "no") {
		t.Fatal("unexpected constant")
	}
}
