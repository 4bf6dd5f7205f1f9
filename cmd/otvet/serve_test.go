package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// TestServeStopsCleanlyOnSIGTERM runs the real binary against real Dovecot,
// Postfix and SQLite: once `otvet serve` has taken a message and sent its
// acknowledgement (so its poller is idling and its outbox worker waiting),
// SIGTERM makes it exit with status 0 within a few seconds, logging the
// pollers' stop and "otvet stopped" and no error.
func TestServeStopsCleanlyOnSIGTERM(t *testing.T) {
	env := testenv.Get(t)
	bin := buildOtvet(t)
	support := env.NewMailbox(t, "serve")
	user := env.NewMailbox(t, "serve-user")
	ih, ip, _ := strings.Cut(env.IMAPAddr, ":")
	sh, sp, _ := strings.Cut(env.SMTPAddr, ":")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	body := fmt.Sprintf(`database: {driver: sqlite, path: %q}
secret_key: "0123456789abcdef0123456789abcdef-serve"
log: {level: info, format: json}
outbox: {poll_interval: 1s}
desks:
  - name: sd
    support_address: %s
    identification: false
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q}
    smtp: {host: %s, port: %s, security: none}
`, filepath.Join(t.TempDir(), "otvet.db"), support, ih, ip, support, env.Password, sh, sp)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	runBin(t, bin, "migrate", "--config", cfg)

	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	env.SendMail(t, user, []string{support}, []byte("From: "+user+"\r\nTo: "+support+
		"\r\nSubject: SIGTERM\r\nMessage-ID: <sigterm@example.test>\r\n\r\nНе работает почта.\r\n"))
	env.WaitForMessages(t, user, 1, 30*time.Second) // the acknowledgement: intake and outbox worked

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatalf("otvet serve still running 15 s after SIGTERM; log:\n%s", logs.String())
	}
	took := time.Since(sent)
	if err != nil {
		t.Fatalf("otvet serve exited with %v after SIGTERM, want status 0; log:\n%s", err, logs.String())
	}
	t.Logf("exited 0 %v after SIGTERM", took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("shutdown took %v; nothing was in flight, it should take well under 5 s", took)
	}

	var msgs []string
	sc := bufio.NewScanner(bytes.NewReader(logs.Bytes()))
	for sc.Scan() {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", sc.Text())
			continue
		}
		if rec.Level == "ERROR" {
			t.Errorf("error logged: %s", sc.Text())
		}
		msgs = append(msgs, rec.Msg)
	}
	for _, want := range []string{"otvet serving", "poller stopped", "otvet stopped"} {
		found := false
		for _, m := range msgs {
			found = found || m == want
		}
		if !found {
			t.Errorf("no %q in the log:\n%s", want, logs.String())
		}
	}
	if n := len(msgs); n == 0 || msgs[n-1] != "otvet stopped" {
		t.Errorf("the last log line is not \"otvet stopped\":\n%s", logs.String())
	}

	// Nothing was lost or left half-done: one ticket, its acknowledgement sent.
	db := openTestDB(t, cfg)
	ctx := context.Background()
	if c, err := db.Counts(ctx); err != nil || c.Tickets != 1 {
		t.Errorf("counts %+v, %v; want 1 ticket", c, err)
	}
	if rows, err := db.ListOutgoing(ctx, 10); err != nil || len(rows) != 1 || rows[0].State != store.OutSent {
		t.Errorf("outbox %+v, %v; want one sent row", rows, err)
	}
}
