package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/testenv"
)

const chromium = "/usr/bin/chromium"

var fullLink = regexp.MustCompile(`https?://\S+/signin/link\?token=[A-Za-z0-9_-]+`)

// TestBrowserConsole drives Debian's Chromium through the console against
// real Dovecot and Postfix: a lead asks for a link, reads it from their own
// mailbox, signs in, filters the queue, opens a ticket and replies; the
// customer receives the reply through Postfix. With
// OTVET_CONSOLE_SCREENSHOTS=DIR the main pages are saved there as PNG
// (docs/console/ holds the README's).
func TestBrowserConsole(t *testing.T) {
	env := testenv.Get(t)
	if _, err := exec.LookPath(chromium); err != nil {
		if os.Getenv("OTVET_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatalf("%s is missing: scripts/testenv/install.sh installs chromium", chromium)
		}
		t.Skipf("%s is missing", chromium)
	}
	support := env.NewMailbox(t, "support")
	customer := env.NewMailbox(t, "user")
	lead := env.NewMailbox(t, "lead")
	port := freePort(t)
	c := browserConfig(t, env, support, lead, port)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	a, err := app.New(ctx, c, slog.New(slog.DiscardHandler), app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx) }()
	t.Cleanup(func() {
		stop()
		<-done
		a.Close()
	})
	base := "http://127.0.0.1:" + port
	if _, err := a.StartWeb(sctx); err != nil {
		t.Fatal(err)
	}

	// A customer's request through Postfix becomes ticket #1.
	env.SendMail(t, customer, []string{support}, []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Printer\r\nMessage-ID: <b-%d@example.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nПринтер в кабинете 12 не печатает. Тел. 2-44-17\r\n",
		customer, support, time.Now().UnixNano())))
	env.WaitForMessages(t, customer, 1, 30*time.Second) // the acknowledgement

	shots := os.Getenv("OTVET_CONSOLE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("text of #%s: %v", id, err)
		}
		return s
	}

	run("ask for a link",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		shot("signin"),
		chromedp.SendKeys(chromedp.ID("email"), lead),
		chromedp.Click(chromedp.ID("signin-send")),
		chromedp.WaitVisible(chromedp.ID("sent")))
	link := linkFromMailbox(t, env, lead)
	run("sign in with the mailed link",
		chromedp.Navigate(link),
		chromedp.Click(chromedp.ID("signin-go")),
		chromedp.WaitVisible(chromedp.ID("queue")),
		shot("queue"))
	run("filter the queue and open the ticket",
		chromedp.SetValue(chromedp.ID("f-status"), "open"),
		chromedp.Click(chromedp.ID("f-apply")),
		chromedp.WaitVisible(chromedp.CSS(`#queue a[href="/tickets/1"]`)),
		chromedp.Click(chromedp.CSS(`#queue a[href="/tickets/1"]`)),
		chromedp.WaitVisible(chromedp.ID("reply-text")),
		shot("ticket"))
	if st := text("status"); st != "open" {
		t.Errorf("ticket status %q", st)
	}
	run("reply",
		chromedp.SendKeys(chromedp.ID("reply-text"), "#take\nЗдравствуйте! Замените картридж, пожалуйста."),
		chromedp.Click(chromedp.ID("reply-send")),
		chromedp.WaitVisible(chromedp.ID("results")),
		shot("reply"))
	if r := text("results"); !strings.Contains(r, "#take") {
		t.Errorf("results: %q", r)
	}
	run("dashboard and the phone view",
		chromedp.Navigate(base+"/dashboard?period=month"),
		chromedp.WaitVisible(chromedp.CSS(".cards")),
		shot("dashboard"),
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/queue"),
		chromedp.WaitVisible(chromedp.ID("queue")),
		shot("queue-phone"))

	// The customer gets the reply through Postfix.
	msgs := env.WaitForMessages(t, customer, 2, 30*time.Second)
	m, err := mailmsg.Parse(msgs[1], mailmsg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Замените картридж") || strings.Contains(m.Text, "#take") {
		t.Errorf("the customer's mail:\n%s", m.Text)
	}
	if tk, _ := a.DB.Ticket(ctx, 1); tk.Assignee != lead {
		t.Errorf("assignee %q", tk.Assignee)
	}
}

// linkFromMailbox waits for the sign-in mail in the member's real mailbox.
func linkFromMailbox(t *testing.T, env *testenv.Env, mailbox string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for n := 1; time.Now().Before(deadline); {
		msgs := env.WaitForMessages(t, mailbox, n, time.Until(deadline))
		for _, raw := range msgs {
			m, err := mailmsg.Parse(raw, mailmsg.Options{})
			if err != nil {
				continue
			}
			if l := fullLink.FindString(m.Text); l != "" {
				return l
			}
		}
		n = len(msgs) + 1
	}
	t.Fatal("no sign-in link arrived")
	return ""
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func browserConfig(t *testing.T, env *testenv.Env, support, lead, port string) *config.Config {
	t.Helper()
	ih, ip, _ := strings.Cut(env.IMAPAddr, ":")
	sh, sp, _ := strings.Cut(env.SMTPAddr, ":")
	body := fmt.Sprintf(`database: {driver: sqlite, path: %q}
secret_key: "0123456789abcdef0123456789abcdef-web"
outbox: {retry_min: 1s, retry_max: 2s, poll_interval: 1s}
http: {listen: "127.0.0.1:%s"}
staff:
  - {email: %s, name: Старший смены, role: lead}
desks:
  - name: sd
    support_address: %s
    timezone: Asia/Yekaterinburg
    identification: false
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q, poll_interval: 2s}
    smtp: {host: %s, port: %s, security: none}
`, filepath.Join(t.TempDir(), "otvet.db"), port, lead, support, ih, ip, support, env.Password, sh, sp)
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
