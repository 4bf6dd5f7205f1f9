package digest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// TestDigestReplyToIsTheManagersCommandAddress: a digest to a staff member
// carries their signed command address (ticket 0, their staff id) in its
// Reply-To, so a reply reaches the desk as staff mail; a recipient who is
// not staff gets none.
func TestDigestReplyToIsTheManagersCommandAddress(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	var boss store.Staff
	err := db.Tx(ctx, func(tx *store.Tx) error {
		boss = store.Staff{Email: "boss@kgo66.ru", Name: "Руководитель", Role: store.StaffManager, Active: true}
		return tx.UpsertStaff(ctx, &boss, "test", at(t, "2024-12-01 10:00"))
	})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := mailout.NewSigner([]byte("digest-reply-to-test-key-0123456"))
	if err != nil {
		t.Fatal(err)
	}
	setup := testSetup(t)
	setup.Desk = Sender{Name: "sd", DisplayName: "Служба поддержки", SupportAddress: "sd@kgo66.ru", From: senderAddress}
	now := at(t, "2024-12-16 17:00")
	s, err := NewScheduler(SchedulerOptions{DB: db, Setup: setup, Templates: templates(t), Desk: "sd", From: senderAddress,
		Recipients: []Recipient{{Email: "boss@kgo66.ru"}, {Email: "outsider@kgo66.ru"}}, Signer: signer,
		Weekly: Schedule{Off: true}, Monthly: Schedule{Off: true}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("queued %d, %v", n, err)
	}
	rows, err := db.ListOutgoing(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		full, err := db.Outgoing(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mailmsg.Parse(full.Raw, mailmsg.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got[r.Recipients] = ""
		if len(m.ReplyTo) > 0 {
			got[r.Recipients] = m.ReplyTo[0].Email
		}
	}
	tok, ok := mailout.TokenFromAddress(got["boss@kgo66.ru"], "sd@kgo66.ru")
	if tid, sid, _, valid := signer.Verify(tok); !ok || !valid || tid != 0 || sid != boss.ID {
		t.Errorf("the manager's Reply-To %q: ticket %d, staff %d", got["boss@kgo66.ru"], tid, sid)
	}
	if r := got["outsider@kgo66.ru"]; r != "" || !strings.Contains(strings.Join(keys(got), " "), "outsider") {
		t.Errorf("a recipient who is not staff: Reply-To %q (%v)", r, got)
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
