package mailin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailin/mailintest"
	"github.com/otvet/otvet/internal/testenv"
)

// idleServers are the servers the IDLE and polling tests run against: the
// in-process one always, real Dovecot when scripts/testenv servers run.
// hideIdle makes the server one without the IDLE capability.
var idleServers = []struct {
	name string
	env  func(t *testing.T, hideIdle bool) mailintest.Env
}{
	{"memserver", func(t *testing.T, hideIdle bool) mailintest.Env {
		var s *mailintest.MemServer
		if hideIdle {
			s = mailintest.StartMemServerWithoutIdle(t)
		} else {
			s = mailintest.StartMemServer(t)
		}
		return mailintest.NewEnv(t, s.Account, s.DropConnections)
	}},
	{"dovecot", func(t *testing.T, hideIdle bool) mailintest.Env {
		te := testenv.Get(t)
		acct := mailintest.Account{Addr: te.IMAPAddr, Username: te.NewMailbox(t, "mailin-idle"), Password: te.Password}
		return mailintest.NewEnv(t, acct, nil)
	}},
}

// waitCount waits until the client sent at least n commands named name.
func waitCount(t *testing.T, cmds *mailintest.Commands, name string, n int) {
	t.Helper()
	deadline := time.Now().Add(mailintest.WaitTimeout)
	for cmds.Count(name) < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %d %s commands, saw %d", mailintest.WaitTimeout, n, name, cmds.Count(name))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestIdleIsRestartedBeforeTheServerTimeout: servers drop an IDLE client
// after about 30 minutes of silence (RFC 2177), so the poller ends IDLE and
// issues it again every IdleRestart on the same connection, without a pass.
// Mail that arrives meanwhile is still delivered exactly once.
func TestIdleIsRestartedBeforeTheServerTimeout(t *testing.T) {
	const restart = 50 * time.Millisecond
	for _, srv := range idleServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			env := srv.env(t, false)
			cmds := &mailintest.Commands{}
			opts := env.Options() // PollInterval 1h: only IDLE or its restart can end a wait
			opts.IdleRestart = restart
			opts.Dial = cmds.Dial(opts.Dial)
			sink := mailintest.NewSink()
			p, err := mailin.New(opts, sink)
			if err != nil {
				t.Fatal(err)
			}
			_, stop := mailintest.StartRun(t, p)

			env.Log.WaitFor(t, "idle started", 4)
			waitCount(t, cmds, "IDLE", 4)
			if n := cmds.Count("DONE"); n < 3 {
				t.Errorf("%d DONE for 4 IDLE: IDLE was not ended before it was issued again", n)
			}
			if n, m := cmds.Count("LOGIN"), cmds.Count("SELECT"); n != 1 || m != 1 {
				t.Errorf("%d LOGIN and %d SELECT for 4 IDLE, want 1 and 1: a restart must not reconnect or run a pass", n, m)
			}
			idles := cmds.Times("IDLE")
			if d := idles[3].Sub(idles[0]); d < 3*restart {
				t.Errorf("4 IDLE within %v: restarted more often than every %v", d, restart)
			}

			mailintest.Append(t, env.Account.Client(t), env.Folder, mailintest.NewMessage(1, 300))
			sink.WaitStored(t, 1, mailintest.WaitTimeout)
			before := strings.Count(env.Log.String(), "idle started")
			env.Log.WaitFor(t, "idle started", before+3) // restarts go on after a delivery
			mailintest.Append(t, env.Account.Client(t), env.Folder, mailintest.NewMessage(2, 300))
			sink.WaitStored(t, 2, mailintest.WaitTimeout)
			stop()

			acc := sink.Accepted()
			if len(acc) != 2 {
				t.Fatalf("%d deliveries, want 2 (each message exactly once)", len(acc))
			}
			for _, d := range acc {
				if d.Duplicate {
					t.Errorf("UID %d delivered twice", d.Msg.UID)
				}
			}
			if n := cmds.Count("LOGIN"); n != 1 {
				t.Errorf("%d LOGIN: the session was not kept across IDLE restarts", n)
			}
		})
	}
}

// TestPollsAtPollIntervalWithoutIdle: on a server whose capabilities lack
// IDLE (not DisableIdle) the poller runs a pass every PollInterval on one
// connection, never sends IDLE, and delivers new mail on the next poll.
func TestPollsAtPollIntervalWithoutIdle(t *testing.T) {
	const interval = 100 * time.Millisecond
	for _, srv := range idleServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			env := srv.env(t, true)
			cmds := &mailintest.Commands{}
			opts := env.Options()
			opts.PollInterval = interval
			if srv.name == "dovecot" {
				opts.Dial = mailintest.HideIdle(opts.Dial) // our Dovecot has IDLE: hide it
			}
			opts.Dial = cmds.Dial(opts.Dial)
			sink := mailintest.NewSink()
			p, err := mailin.New(opts, sink)
			if err != nil {
				t.Fatal(err)
			}
			_, stop := mailintest.StartRun(t, p)

			waitCount(t, cmds, "SELECT", 5)
			mailintest.Append(t, env.Account.Client(t), env.Folder, mailintest.NewMessage(1, 300))
			sink.WaitStored(t, 1, mailintest.WaitTimeout)
			stop()

			log := env.Log.String()
			if !strings.Contains(log, "idle=false") {
				t.Errorf("the session did not see a server without IDLE; log:\n%s", log)
			}
			if n := cmds.Count("IDLE"); n != 0 || strings.Contains(log, "idle started") {
				t.Errorf("%d IDLE commands sent to a server without IDLE", n)
			}
			if n := cmds.Count("LOGIN"); n != 1 {
				t.Errorf("%d LOGIN: polling must keep its connection", n)
			}
			sel := cmds.Times("SELECT")
			for i := 1; i < len(sel); i++ {
				if gap := sel[i].Sub(sel[i-1]); gap < interval {
					t.Errorf("pass %d began %v after the previous one, before PollInterval %v", i, gap, interval)
				}
			}
			if n := len(sink.Accepted()); n != 1 {
				t.Errorf("%d deliveries, want 1", n)
			}
		})
	}
}
