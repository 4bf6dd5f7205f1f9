package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// realConfig writes a configuration for one desk on the real Dovecot and Postfix.
func realConfig(t *testing.T, env *testenv.Env, support, dbYAML string, extra string) *config.Config {
	t.Helper()
	ih, ip, _ := strings.Cut(env.IMAPAddr, ":")
	sh, sp, _ := strings.Cut(env.SMTPAddr, ":")
	body := fmt.Sprintf(`database: %s
secret_key: "0123456789abcdef0123456789abcdef-e2e"
outbox: {retry_min: 1s, retry_max: 2s, poll_interval: 1s}
desks:
  - name: sd
    support_address: %s
    timezone: Asia/Yekaterinburg
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q, poll_interval: 2s%s}
    smtp: {host: %s, port: %s, security: none}
`, dbYAML, support, ih, ip, support, env.Password, extra, sh, sp)
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func dbChoices(t *testing.T, env *testenv.Env) map[string]string {
	return map[string]string{
		"sqlite":   fmt.Sprintf("{driver: sqlite, path: %q}", filepath.Join(t.TempDir(), "otvet.db")),
		"postgres": fmt.Sprintf("{driver: postgres, dsn: %q}", env.NewPostgresDB(t)),
	}
}

// sendWithSwaks submits a message with a real SMTP client, as a user's would.
func sendWithSwaks(t *testing.T, env *testenv.Env, from, to, subject, body string) {
	t.Helper()
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Log("swaks not installed; sending with the Go client")
		raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d.swaks@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
			from, to, mime(subject), time.Now().UnixNano(), body)
		env.SendMail(t, from, []string{to}, []byte(raw))
		return
	}
	cmd := exec.Command("swaks", "--server", env.SMTPAddr, "--from", from, "--to", to,
		"--header", "Subject: "+mime(subject), "--header", "Content-Type: text/plain; charset=utf-8",
		"--body", body, "--silent", "2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
}

func mime(s string) string { return "=?utf-8?q?" + strings.ReplaceAll(qp(s), " ", "_") + "?=" }

func qp(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 128 && c != '=' && c != '?' && c != '_' && c > 32 || c == ' ' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

// TestRealMailRoundTrip: a user writes with swaks through Postfix to Dovecot;
// `otvet serve` (IDLE) opens a ticket; the acknowledgement arrives in the
// user's Dovecot mailbox with the right headers; the user's reply to it lands
// on the same ticket. On SQLite and on PostgreSQL.
func TestRealMailRoundTrip(t *testing.T) {
	env := testenv.Get(t)
	for name, dbYAML := range dbChoices(t, env) {
		t.Run(name, func(t *testing.T) {
			support := env.NewMailbox(t, "support")
			user := env.NewMailbox(t, "user")
			c := realConfig(t, env, support, dbYAML, "")
			off := false
			c.Desks[0].Identification = &off // intake alone; the rules have their own tests
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

			sendWithSwaks(t, env, user, support, "Не работает сканер", "Сканер в кабинете 5 не сканирует. Тел. 2-11-05")
			acks := env.WaitForMessages(t, user, 1, 20*time.Second)
			ack, err := mailmsg.Parse(acks[0], mailmsg.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if ack.Header("Auto-Submitted") != "auto-replied" || !strings.Contains(ack.Subject, "[#1]") ||
				len(ack.InReplyTo) != 1 || len(ack.ReplyTo) != 1 || !strings.HasPrefix(ack.ReplyTo[0].Email, strings.Split(support, "@")[0]+"+") {
				t.Fatalf("acknowledgement headers: subject %q in-reply-to %v reply-to %v auto %q",
					ack.Subject, ack.InReplyTo, ack.ReplyTo, ack.Header("Auto-Submitted"))
			}
			reply := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <reply-%d@example.test>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nДополняю: модель Canon.\r\n",
				user, ack.ReplyTo[0].Email, mime(ack.Subject), time.Now().UnixNano(), ack.MessageID, ack.MessageID)
			env.SendMail(t, user, []string{ack.ReplyTo[0].Email}, []byte(reply))
			waitFor(t, 20*time.Second, func() bool {
				ms, err := a.DB.Messages(ctx, 1)
				return err == nil && len(ms) == 3
			})
			ms, _ := a.DB.Messages(ctx, 1)
			if ms[0].Direction != store.DirIn || ms[1].Direction != store.DirOut || ms[2].Direction != store.DirIn ||
				!strings.Contains(string(ms[2].BodyText), "Canon") {
				t.Errorf("conversation: %+v", ms)
			}
			counts, _ := a.DB.Counts(ctx)
			if counts.Tickets != 1 {
				t.Errorf("%d tickets, want 1", counts.Tickets)
			}
			rows, _ := a.DB.ListOutgoing(ctx, 10)
			if len(rows) != 1 || rows[0].State != store.OutSent {
				t.Errorf("outbox: %+v", rows)
			}
		})
	}
}

// TestRealOutboxSurvivesRelayOutage: with the relay unreachable the
// acknowledgement waits in the outbox with its error; once the relay is back
// it is sent exactly once.
func TestRealOutboxSurvivesRelayOutage(t *testing.T) {
	env := testenv.Get(t)
	support := env.NewMailbox(t, "support")
	user := env.NewMailbox(t, "user")
	dbYAML := fmt.Sprintf("{driver: sqlite, path: %q}", filepath.Join(t.TempDir(), "otvet.db"))
	good := realConfig(t, env, support, dbYAML, "")
	bad := realConfig(t, env, support, dbYAML, "")
	bad.Desks[0].SMTP.Port = 1 // nothing listens there
	off := false
	good.Desks[0].Identification, bad.Desks[0].Identification = &off, &off
	ctx := context.Background()

	a, err := app.New(ctx, bad, testLogger(t), app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	env.SendMail(t, user, []string{support}, []byte("From: "+user+"\r\nTo: "+support+"\r\nSubject: outage\r\nMessage-ID: <outage@example.test>\r\n\r\nbody\r\n"))
	waitFor(t, 10*time.Second, func() bool {
		_, _, err := a.PollOnce(ctx)
		c, _ := a.DB.Counts(ctx)
		return err == nil && c.Tickets == 1
	})
	rows, _ := a.DB.ListOutgoing(ctx, 10)
	if len(rows) != 1 || rows[0].State != store.OutPending || rows[0].Attempts < 1 || rows[0].LastError == "" {
		t.Fatalf("outbox during the outage: %+v", rows)
	}
	a.Close()

	b, err := app.New(ctx, good, testLogger(t), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	waitFor(t, 15*time.Second, func() bool {
		if _, err := b.Outbox.Drain(ctx); err != nil {
			t.Log(err)
		}
		rows, _ := b.DB.ListOutgoing(ctx, 10)
		return rows[0].State == store.OutSent
	})
	got := env.WaitForMessages(t, user, 1, 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	if again := env.WaitForMessages(t, user, 1, time.Second); len(got) != 1 || len(again) != 1 {
		t.Errorf("acknowledgement delivered %d times", len(again))
	}
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
