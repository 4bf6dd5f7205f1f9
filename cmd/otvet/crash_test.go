package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailin/mailintest"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// buildOtvet compiles the real binary for tests that run it as a process.
func buildOtvet(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "otvet")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build otvet: %v\n%s", err, out)
	}
	return bin
}

func crashConfig(t *testing.T, env *testenv.Env, support, db string) string {
	t.Helper()
	ih, ip, _ := strings.Cut(env.IMAPAddr, ":")
	body := fmt.Sprintf(`database: %s
secret_key: "0123456789abcdef0123456789abcdef-crash"
log: {level: warn}
desks:
  - name: sd
    support_address: %s
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q, poll_interval: 1s}
    smtp: {host: 127.0.0.1, port: 1, security: none}
`, db, support, ih, ip, support, env.Password)
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCrashNeverLosesOrDoublesATicket kills `otvet serve` with SIGKILL at random
// points while it ingests a few hundred messages from real Dovecot, restarts it,
// and checks that every message became exactly one ticket and ends up \Seen.
// On PostgreSQL two instances run at once.
func TestCrashNeverLosesOrDoublesATicket(t *testing.T) {
	env := testenv.Get(t)
	bin := buildOtvet(t)
	cases := []struct {
		name      string
		db        string
		instances int
	}{
		{"sqlite", fmt.Sprintf("{driver: sqlite, path: %q}", filepath.Join(t.TempDir(), "otvet.db")), 1},
		{"postgres, two instances", fmt.Sprintf("{driver: postgres, dsn: %q}", env.NewPostgresDB(t)), 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const n = 300
			support := env.NewMailbox(t, "crash")
			raws := make([][]byte, n)
			for i := range raws {
				raws[i] = []byte(fmt.Sprintf("From: Пользователь %d <user%d@client%d.example.test>\r\nTo: %s\r\n"+
					"Subject: Обращение %d\r\nMessage-ID: <crash-%d@example.test>\r\nMIME-Version: 1.0\r\n"+
					"Content-Type: text/plain; charset=utf-8\r\n\r\nНе работает система, обращение %d.\r\n",
					i, i, i%7, support, i, i, i))
			}
			env.Append(t, support, raws...)
			cfg := crashConfig(t, env, support, c.db)
			runBin(t, bin, "migrate", "--config", cfg)

			ctx := context.Background()
			db := openTestDB(t, cfg)
			rng := rand.New(rand.NewPCG(1, 2))
			kills := 0
			for round := 0; round < 40; round++ {
				var procs []*exec.Cmd
				for i := 0; i < c.instances; i++ {
					procs = append(procs, start(t, bin, "serve", "--config", cfg))
				}
				time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
				for _, p := range procs {
					_ = p.Process.Signal(syscall.SIGKILL)
					_ = p.Wait()
					kills++
				}
				if cur, _ := db.Cursor(ctx, "sd"); cur.LastUID >= n {
					break
				}
			}
			// A last clean pass finishes whatever the kills left.
			runBin(t, bin, "poll", "--once", "--config", cfg)

			counts, err := db.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d kills; %+v", kills, counts)
			if counts.Tickets != n || counts.Raw != n {
				t.Errorf("after crashes: %d tickets from %d stored messages, want %d of each", counts.Tickets, counts.Raw, n)
			}
			ts, _ := db.ListTickets(ctx, 2*n)
			seen := map[string]int{}
			for _, tk := range ts {
				seen[tk.Subject]++
			}
			for i := 0; i < n; i++ {
				if s := fmt.Sprintf("Обращение %d", i); seen[s] != 1 {
					t.Errorf("%q is %d tickets", s, seen[s])
				}
			}
			if rows, _ := db.ListOutgoing(ctx, 2*n); len(rows) != n {
				t.Errorf("%d acknowledgements queued, want %d", len(rows), n)
			}
			ic := env.DialIMAP(t, support, nil)
			for _, m := range mailintest.Messages(t, ic, "INBOX") {
				if !m.Seen() {
					t.Errorf("UID %d not \\Seen after recovery", m.UID)
				}
			}
		})
	}
}

func openTestDB(t *testing.T, cfgPath string) *store.DB {
	t.Helper()
	e := &env{Getenv: func(string) string { return "" }}
	e.Log = newLogger(os.Stderr, "error", "text")
	db, err := openDB(context.Background(), e, cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func runBin(t *testing.T, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("otvet %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func start(t *testing.T, bin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	logf, err := os.OpenFile(filepath.Join(t.TempDir(), "serve.log"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}
