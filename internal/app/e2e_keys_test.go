package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/directory"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// TestRealKeyRotationAndRevocation goes through the procedure of
// docs/security.md with real Postfix and Dovecot: after a key rotation an
// agent's reply to a notification signed with the previous key still acts
// and new mail is signed with the new key; after `otvet staff revoke` a reply
// to any earlier mail is refused as security_revoked_token and the agent is
// told, while the next notification's address acts again.
func TestRealKeyRotationAndRevocation(t *testing.T) {
	r := newStaffRig(t)
	ctx := context.Background()
	r.send(r.customer, "Не работает сканер", "Сканер в кабинете 5 не сканирует, перезагружали. Тел. 2-11-05", "")
	n1 := r.inbox(r.agent1, 1)[0]
	oldKey := r.cfg.SecretKey

	// Rotate: a new secret_key, the old one moved to previous_secret_keys, a restart.
	r.cfg.SecretKey = config.Secret("a new key of 32 characters......")
	r.cfg.PreviousSecretKeys = []config.Secret{oldKey}
	var err error
	if r.a, err = newApp(t, r.rulesRig); err != nil {
		t.Fatal(err)
	}
	to := n1.ReplyTo[0].Email
	r.sendRaw(r.agent1, to, reply(r.agent1, n1, to, "#ждать\nПришлите, пожалуйста, модель сканера.", ""))
	if st := r.ticket(1).Status; st != store.StatusWaiting {
		t.Fatalf("a reply to an address signed with the previous key did not act: %s", st)
	}
	if ans := r.inbox(r.customer, 2)[1]; !strings.Contains(ans.Text, "модель сканера") {
		t.Fatalf("the customer's answer:\n%s", ans.Text)
	}
	res := r.inbox(r.agent1, 2)[1]
	newOnly, oldOnly := signer(t, r.cfg.SecretKey), signer(t, oldKey)
	tok, _ := mailout.TokenFromAddress(res.ReplyTo[0].Email, r.support)
	if _, _, _, ok := newOnly.Verify(tok); !ok {
		t.Errorf("mail after the rotation is not signed with the new key: %s", res.ReplyTo[0].Email)
	}
	if _, _, _, ok := oldOnly.Verify(tok); ok {
		t.Errorf("mail after the rotation is signed with the old key: %s", res.ReplyTo[0].Email)
	}

	// Revoke: every address agent1 was mailed so far stops working at once.
	dir := &directory.Service{DB: r.a.DB, Actor: "cli", Now: func() time.Time { return r.now }}
	if n, err := dir.RevokeStaffTokens(ctx, strings.ToUpper(r.agent1)); err != nil || n != 1 {
		t.Fatalf("RevokeStaffTokens = %d, %v; want 1 ticket", n, err)
	}
	for i, old := range []string{to, res.ReplyTo[0].Email} {
		r.sendRaw(r.agent1, old, reply(r.agent1, res, old, "#закрыть", ""))
		if st := r.ticket(1).Status; st != store.StatusWaiting {
			t.Fatalf("a revoked address (%d) acted: %s", i, st)
		}
		told := r.inbox(r.agent1, 3+i)[2+i]
		if !strings.Contains(told.Subject, "ОТКЛОНЕНО") || !strings.Contains(told.Text, "отозван") {
			t.Errorf("agent1 was told:\n%s\n%s", told.Subject, told.Text)
		}
	}
	if got := r.inbox(r.customer, 2); len(got) != 2 {
		t.Errorf("the customer got %d messages: a refused reply leaked", len(got))
	}
	evs, _ := r.a.DB.Events(ctx, 1)
	revoked := 0
	for _, e := range evs {
		if e.Kind == "security_revoked_token" {
			revoked++
		}
	}
	if revoked != 2 {
		t.Errorf("%d security_revoked_token events, want 2", revoked)
	}
	audit, _ := r.a.DB.AuditEvents(ctx, time.Time{})
	found := false
	for _, e := range audit {
		found = found || (e.Kind == "staff_tokens_revoked" && strings.Contains(e.Detail, strings.ToLower(r.agent1)))
	}
	if !found {
		t.Error("no staff_tokens_revoked audit event")
	}

	// The agent goes on with the next notification: the customer writes again.
	r.now = r.now.Add(time.Hour)
	ans := r.inbox(r.customer, 2)[1]
	r.send(r.customer, "Re: "+ans.Subject, "Canon LiDE 300", ans.MessageID)
	mail := r.inbox(r.agent1, 5)
	fresh := mail[len(mail)-1]
	if fresh.ReplyTo == nil || fresh.ReplyTo[0].Email == to || fresh.ReplyTo[0].Email == res.ReplyTo[0].Email {
		t.Fatalf("the next notification has no fresh address: %v", fresh.ReplyTo)
	}
	r.sendRaw(r.agent1, fresh.ReplyTo[0].Email, reply(r.agent1, fresh, fresh.ReplyTo[0].Email, "#закрыть", ""))
	if st := r.ticket(1).Status; st != store.StatusClosed {
		t.Fatalf("the fresh address did not act: %s", st)
	}
}

func signer(t *testing.T, key config.Secret) *mailout.Signer {
	t.Helper()
	s, err := mailout.NewSigner([]byte(key.Reveal()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
