package helpdesk_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/store"
)

// In one intake batch the mail composed beside the writer behaves as mail
// written at once: the automatic-reply limit counts the acknowledgements
// still pending, and a reply to a request of the same batch comes after
// that request's acknowledgement in the conversation.
func TestBatchMailAsIfWrittenAtOnce(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.AutoReplyPerHour = 2 })
	var fs []mailin.Fetched
	add := func(m mail) {
		raw := m.String()
		fs = append(fs, mailin.Fetched{UID: uint32(len(fs) + 1), Raw: []byte(raw), Size: int64(len(raw))})
	}
	for i := range 4 {
		add(mail{from: petrov, subject: fmt.Sprintf("Не печатает принтер %d", i), id: fmt.Sprintf("p%d@uszn", i)})
	}
	add(mail{from: petrov, subject: "Re: Не печатает принтер 0", id: "p0-re@uszn", inReplyTo: "p0@uszn",
		body: "Забыл: модель HP LaserJet 1320."})
	outs, err := h.svc.IngestBatch(context.Background(), "sd", 1, fs)
	if err != nil {
		t.Fatal(err)
	}
	acks, suppressed := 0, 0
	for _, out := range outs[:4] {
		if out.TicketID == 0 {
			t.Fatalf("outcomes %+v", outs)
		}
		for _, m := range h.outbox(out.TicketID) {
			if m.To[0].Email == "petrov@uszn.kgo66.ru" {
				acks++
			}
		}
		evs, err := h.db.Events(context.Background(), out.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Kind == "auto_reply_suppressed" {
				suppressed++
			}
		}
	}
	if acks != 2 || suppressed != 2 {
		t.Errorf("with a limit of 2 an hour: %d acknowledgements, %d suppressed; want 2 and 2", acks, suppressed)
	}
	if outs[4].TicketID != outs[0].TicketID {
		t.Fatalf("the reply went to ticket #%d, want #%d", outs[4].TicketID, outs[0].TicketID)
	}
	ms, err := h.db.Messages(context.Background(), outs[0].TicketID)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range ms {
		order = append(order, m.Direction)
	}
	if len(ms) < 3 || ms[0].Direction != store.DirIn || ms[1].Direction != store.DirOut || ms[2].Direction != store.DirIn {
		t.Errorf("conversation of ticket #%d: %v, want the request, its acknowledgement, the reply", outs[0].TicketID, order)
	}
}
