package helpdesk_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// TestMain lets this test binary serve as a probe child (ExecProbe starts it
// with helpdesk.ProbeEnv set); OTVET_TEST_PROBE makes that child crash or hang.
func TestMain(m *testing.M) {
	if os.Getenv(helpdesk.ProbeEnv) == "1" {
		switch os.Getenv("OTVET_TEST_PROBE") {
		case "crash":
			panic("the probe blew up")
		case "hang":
			time.Sleep(time.Minute)
		}
		os.Exit(helpdesk.ProbeChild(os.Stdin))
	}
	os.Exit(m.Run())
}

func TestExecProbe(t *testing.T) {
	raw := []byte(mail{from: petrov, subject: "Принтер", id: "p@uszn"}.String())
	cases := []struct {
		mode, want string
		timeout    time.Duration
	}{
		{"", "", time.Minute},
		{"crash", "panic: the probe blew up", time.Minute},
		{"hang", "still running after 1s", time.Second},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			t.Setenv("OTVET_TEST_PROBE", c.mode)
			err := helpdesk.ExecProbe(os.Args[0], c.timeout)(context.Background(), raw, mailmsg.Options{})
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, helpdesk.ErrMessageKills) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrMessageKills with %q", err, c.want)
			}
		})
	}
	if err := helpdesk.ExecProbe("/nonexistent/otvet", time.Second)(context.Background(), raw, mailmsg.Options{}); err == nil ||
		errors.Is(err, helpdesk.ErrMessageKills) {
		t.Errorf("a probe that cannot start: %v", err)
	}
}

// A message that was being processed alone when the service stopped is run
// in a separate process first: only if that dies too is it quarantined.
func TestProbeDecidesWhetherASuspectIsPoison(t *testing.T) {
	killOn2 := func(uids []uint32) error {
		if slices.Contains(uids, 2) {
			return errKilled
		}
		return nil
	}
	cases := []struct {
		name   string
		probe  error
		deaths int // deaths alone before the probe runs
		disp   string
		note   string
		probed bool
	}{
		{"the probe finishes: killed from outside", nil, 1, store.DispTicket, "", true},
		{"the probe dies too", helpdesk.ErrMessageKills, 1, store.DispQuarantine, "attempt 2); processing this message kills the process", true},
		{"no probe process", errors.New("exec: not found"), 1, store.DispQuarantine, "(attempt 2)", true},
		{"too many deaths alone", nil, 7, store.DispQuarantine, "(attempt 8)", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			fs := fetchedMails(1, "Принтер", "BOMB", "Сканер")
			h.restart(killOn2)
			_, _ = h.svc.IngestBatch(ctx, "sd", 1, fs) // the batch dies
			for range c.deaths {
				h.restart(killOn2)
				h.svc.SetProbe(func(context.Context, []byte, mailmsg.Options) error { return nil })
				if _, err := h.svc.IngestBatch(ctx, "sd", 1, fs[1:]); !errors.Is(err, errKilled) {
					t.Fatalf("message 2 alone: %v", err)
				}
			}
			h.restart(nil)
			probed := false
			h.svc.SetProbe(func(_ context.Context, raw []byte, _ mailmsg.Options) error {
				probed = true
				if !strings.Contains(string(raw), "BODY-BOMB") {
					t.Errorf("probed another message")
				}
				return c.probe
			})
			outs, err := h.svc.IngestBatch(ctx, "sd", 1, fs[1:])
			if err != nil {
				t.Fatal(err)
			}
			if outs[0].Disposition != c.disp || !strings.Contains(outs[0].Note, c.note) || outs[1].Disposition != store.DispTicket {
				t.Errorf("outcomes %+v", outs)
			}
			if probed != c.probed {
				t.Errorf("probed = %v", probed)
			}
			if cur, _ := h.db.Cursor(ctx, "sd"); cur.LastUID != 3 {
				t.Errorf("cursor %d", cur.LastUID)
			}
		})
	}
}
