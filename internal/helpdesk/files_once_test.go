package helpdesk_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

// TestFilesStoredOnceReadWhole: a request's file is kept once — in its raw
// message, where the ticket's file reads it from — and the agents'
// notification, packed against the raw message and the text, carries the
// file and the text whole, byte for byte.
func TestFilesStoredOnceReadWhole(t *testing.T) {
	ctx := context.Background()
	h := newStaffHarness(t)
	raw := largeMail(20000, "")
	out := h.ingest(string(raw))
	if out.TicketID == 0 {
		t.Fatalf("no ticket: %+v", out)
	}
	_, _, text, files := storedOf(t, h, "large-1@uszn", out.TicketID)
	want, err := mailmsg.Parse(raw, mailmsg.Options{})
	if err != nil || len(want.Attachments) != 1 {
		t.Fatalf("parse: %v", err)
	}
	if len(files) != 1 || !bytes.Equal(files[0], want.Attachments[0].Data) {
		t.Fatalf("the ticket's file: %d files, want the attachment's %d bytes", len(files), len(want.Attachments[0].Data))
	}
	rows, err := h.db.OutgoingForTicket(ctx, out.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	notified := 0
	for _, o := range rows {
		if o.Kind != "agent_notify" {
			continue
		}
		notified++
		m, err := mailmsg.Parse(o.Raw, mailmsg.Options{})
		if err != nil {
			t.Fatalf("notification %d: %v", o.ID, err)
		}
		if len(m.Attachments) != 1 || !bytes.Equal(m.Attachments[0].Data, want.Attachments[0].Data) {
			t.Errorf("notification %d: %d files; the file differs from the request's", o.ID, len(m.Attachments))
		}
		if !bytes.Contains([]byte(m.Text), []byte(text[:40])) {
			t.Errorf("notification %d does not carry the request's text: %.200q", o.ID, m.Text)
		}
	}
	if notified == 0 {
		t.Fatal("no agent was notified")
	}
}
