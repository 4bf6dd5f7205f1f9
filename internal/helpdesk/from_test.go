package helpdesk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// A desk with smtp.from sends from that address (header and envelope), keeps
// the signed support+token Reply-To, and treats mail from it as its own.
func TestDeskFromAddress(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) {
		o.Desks[0].From = mailout.Address{Name: "Поддержка КГО", Email: "noreply@kgo66.ru"}
	})
	out := h.ingest(mail{from: petrov, subject: "Не печатает принтер", id: "m1@uszn"}.String())
	if out.Disposition != store.DispTicket {
		t.Fatalf("outcome %+v", out)
	}
	msgs := h.outbox(out.TicketID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages queued, want the acknowledgement", len(msgs))
	}
	ack := msgs[0]
	if ack.From == nil || ack.From.Email != "noreply@kgo66.ru" || ack.From.Name != "Поддержка КГО" {
		t.Errorf("From = %+v (%s), want Поддержка КГО <noreply@kgo66.ru>", ack.From, ack.FromRaw)
	}
	if len(ack.ReplyTo) != 1 || !strings.HasPrefix(ack.ReplyTo[0].Email, "sd+") || !strings.HasSuffix(ack.ReplyTo[0].Email, "@kgo66.ru") {
		t.Errorf("Reply-To = %+v, want the signed sd+token address", ack.ReplyTo)
	}
	rows, err := h.db.ListOutgoing(context.Background(), 10)
	if err != nil || len(rows) != 1 || rows[0].EnvelopeFrom != "noreply@kgo66.ru" {
		t.Fatalf("envelope sender: %v %+v", err, rows)
	}

	// A reply to the Reply-To address still threads into the ticket.
	h.now = h.now.Add(10 * time.Minute)
	again := h.ingest(mail{from: petrov, to: ack.ReplyTo[0].Email, subject: "Re: " + ack.Subject, id: "m2@uszn", inReplyTo: ack.MessageID,
		body: "Модель принтера HP 1020."}.String())
	if again.TicketID != out.TicketID {
		t.Errorf("reply went to ticket %d (%v), want %d", again.TicketID, again.Disposition, out.TicketID)
	}

	// Our own mail from the From address that comes back, even without the
	// loop header, is ignored — never answered.
	for _, from := range []string{"noreply@kgo66.ru", "Someone <NoReply@KGO66.ru>"} {
		loop := h.ingest(mail{from: from, subject: "Re: Ваше обращение", id: "loop-" + from[:3] + "@kgo66"}.String())
		if loop.Disposition != store.DispLoop {
			t.Errorf("mail from %s: %+v, want a loop", from, loop)
		}
	}
	if n := len(h.outbox(0)); n != 1 {
		t.Errorf("%d messages queued, want only the acknowledgement", n)
	}
}

// Without a From the desk sends from its support address.
func TestDeskFromDefaultsToSupportAddress(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: petrov, subject: "Не печатает принтер", id: "m1@uszn"}.String())
	msgs := h.outbox(out.TicketID)
	if len(msgs) != 1 || msgs[0].From == nil || msgs[0].From.Email != support || msgs[0].From.Name != "Служба поддержки" {
		t.Fatalf("acknowledgement From: %+v", msgs)
	}
	rows, err := h.db.ListOutgoing(context.Background(), 10)
	if err != nil || rows[0].EnvelopeFrom != support {
		t.Errorf("envelope sender: %v %+v", err, rows)
	}
}
