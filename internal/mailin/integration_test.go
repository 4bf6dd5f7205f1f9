package mailin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailin/mailintest"
	"github.com/otvet/otvet/internal/testenv"
)

// TestIntegrationScenarios runs the same scenarios as TestScenarios against
// real Dovecot (skipped unless scripts/testenv servers are running). Each
// scenario logs in as a fresh mailbox; connections are cut client-side.
func TestIntegrationScenarios(t *testing.T) {
	te := testenv.Get(t)
	mailintest.RunScenarios(t, func(t *testing.T) mailintest.Env {
		acct := mailintest.Account{Addr: te.IMAPAddr, Username: te.NewMailbox(t, "mailin"), Password: te.Password}
		return mailintest.NewEnv(t, acct, nil)
	})
}

// TestIntegrationImplicitTLS polls Dovecot over IMAPS with its test CA.
func TestIntegrationImplicitTLS(t *testing.T) {
	te := testenv.Get(t)
	if te.IMAPSAddr == "" {
		t.Skip("no IMAPS address")
	}
	acct := mailintest.Account{
		Addr: te.IMAPSAddr, Username: te.NewMailbox(t, "mailin-tls"), Password: te.Password,
		Security: mailin.SecurityTLS, TLSConfig: te.TLSConfig(t),
	}
	env := mailintest.NewEnv(t, acct, nil)
	mailintest.Append(t, env.Account.Client(t), env.Folder, mailintest.NewMessage(1, 200), mailintest.NewMessage(2, 200))
	sink := mailintest.NewSink()
	p, err := mailin.New(env.Options(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := p.PollOnce(t.Context()); err != nil || st.Delivered != 2 {
		t.Fatalf("PollOnce = %+v, %v; want 2 delivered", st, err)
	}
}

// TestIntegrationIdleCheckBeatsDovecotDelay: Dovecot announces new mail to
// an IDLE client only 0.5 s after delivery; with IdleCheck the poller's
// NOOP finds it first (the log says which path woke it).
func TestIntegrationIdleCheckBeatsDovecotDelay(t *testing.T) {
	te := testenv.Get(t)
	acct := mailintest.Account{Addr: te.IMAPAddr, Username: te.NewMailbox(t, "mailin-check"), Password: te.Password}
	env := mailintest.NewEnv(t, acct, nil)
	opts := env.Options()
	opts.IdleCheck = 50 * time.Millisecond
	sink := mailintest.NewSink()
	p, err := mailin.New(opts, sink)
	if err != nil {
		t.Fatal(err)
	}
	_, stop := mailintest.StartRun(t, p)
	defer stop()
	env.Log.WaitFor(t, "idle started", 2)
	mailintest.Append(t, env.Account.Client(t), env.Folder, mailintest.NewMessage(1, 200))
	env.Log.WaitFor(t, "pass done", 1)
	if n := len(sink.Accepted()); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}
	if !strings.Contains(env.Log.String(), "idle check found new mail") {
		t.Errorf("the delivery was not found by the idle check; log:\n%s", env.Log.String())
	}
}
