package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/testenv"
)

// TestRealAckThreadsAndSignsReplyTo: the acknowledgement that reaches the
// user's Dovecot mailbox through Postfix continues the user's thread
// (In-Reply-To is the user's Message-ID, References the user's References
// followed by it) and its Reply-To carries a token that the configured key
// verifies for that ticket and the requester, and another key does not.
func TestRealAckThreadsAndSignsReplyTo(t *testing.T) {
	env := testenv.Get(t)
	support := env.NewMailbox(t, "support")
	user := env.NewMailbox(t, "user")
	dbYAML := fmt.Sprintf("{driver: sqlite, path: %q}", filepath.Join(t.TempDir(), "otvet.db"))
	c := realConfig(t, env, support, dbYAML, "")
	off := false
	c.Desks[0].Identification = &off
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, c, testLogger(t), app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})

	n := time.Now().UnixNano()
	msgID := fmt.Sprintf("headers-%d@example.test", n)
	earlier := fmt.Sprintf("earlier-%d@example.test", n)
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nReferences: <%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nНе открывается портал госуслуг. Тел. 2-11-05\r\n",
		user, support, mime("Портал не открывается"), msgID, earlier)
	env.SendMail(t, user, []string{support}, []byte(raw))

	acks := env.WaitForMessages(t, user, 1, 20*time.Second)
	ack, err := mailmsg.Parse(acks[0], mailmsg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ack.InReplyTo) != 1 || ack.InReplyTo[0] != msgID {
		t.Errorf("In-Reply-To %v, want [%s]", ack.InReplyTo, msgID)
	}
	if want := []string{earlier, msgID}; !slices.Equal(ack.References, want) {
		t.Errorf("References %v, want %v (the user's References, then the user's Message-ID)", ack.References, want)
	}

	tickets, err := a.DB.ListTickets(ctx, 10)
	if err != nil || len(tickets) != 1 {
		t.Fatalf("tickets %+v, %v; want one", tickets, err)
	}
	tk := tickets[0]
	ps, err := a.DB.Participants(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var requester int64
	for _, p := range ps {
		if strings.EqualFold(p.Email, user) {
			requester = p.ID
		}
	}
	if requester == 0 {
		t.Fatalf("the user is not a participant: %+v", ps)
	}

	if len(ack.ReplyTo) != 1 {
		t.Fatalf("Reply-To %v, want one signed address", ack.ReplyTo)
	}
	token, ok := mailout.TokenFromAddress(ack.ReplyTo[0].Email, support)
	if !ok {
		t.Fatalf("Reply-To %q is not %s with a token", ack.ReplyTo[0].Email, support)
	}
	signer, err := mailout.NewSigner([]byte(c.SecretKey.Reveal()))
	if err != nil {
		t.Fatal(err)
	}
	ticketID, participantID, epoch, ok := signer.Verify(token)
	if !ok || ticketID != tk.ID || participantID != requester || epoch != 0 {
		t.Errorf("token %q verifies as ticket %d participant %d (%v); want ticket %d participant %d",
			token, ticketID, participantID, ok, tk.ID, requester)
	}
	other, err := mailout.NewSigner([]byte("another key, 32 bytes long......"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, ok := other.Verify(token); ok {
		t.Errorf("token %q verifies under another key", token)
	}
}
