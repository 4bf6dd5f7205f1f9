package testenv

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// deliveryTimeout is a generous bound for a delivery that normally takes milliseconds; tests
// run with -race beside other packages on two cores.
const deliveryTimeout = 20 * time.Second

func TestFromEnv(t *testing.T) {
	full := map[string]string{
		"OTVET_TEST_IMAP_ADDR":     "127.0.0.1:1143",
		"OTVET_TEST_SMTP_ADDR":     "127.0.0.1:1025",
		"OTVET_TEST_MAIL_DOMAIN":   "example.test",
		"OTVET_TEST_IMAP_PASSWORD": "pw",
		"OTVET_TEST_PG_DSN":        "postgres://otvet:pw@127.0.0.1:5432/postgres",
		"OTVET_TEST_CA_FILE":       "/tmp/x/tls/cert.pem",
	}
	without := func(name string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // "" for success
		notRun  bool
	}{
		{name: "complete", env: full},
		{name: "nothing set", env: map[string]string{}, wantErr: "not running", notRun: true},
		{name: "only optional set", env: map[string]string{"OTVET_TEST_CA_FILE": "x"}, wantErr: "not running", notRun: true},
		{name: "missing password", env: without("OTVET_TEST_IMAP_PASSWORD"), wantErr: "missing OTVET_TEST_IMAP_PASSWORD"},
		{name: "missing dsn", env: without("OTVET_TEST_PG_DSN"), wantErr: "missing OTVET_TEST_PG_DSN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := fromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("fromEnv: %v", err)
				}
				if e.IMAPAddr != full["OTVET_TEST_IMAP_ADDR"] || e.Domain != "example.test" || e.CAFile == "" {
					t.Errorf("fromEnv = %+v", e)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("fromEnv error = %v, want it to contain %q", err, tt.wantErr)
			}
			if got := errors.Is(err, errNotRunning); got != tt.notRun {
				t.Errorf("errors.Is(err, errNotRunning) = %v, want %v", got, tt.notRun)
			}
		})
	}
}

func TestNewMailboxIsUnique(t *testing.T) {
	e := &Env{Domain: "example.test"}
	a, b := e.NewMailbox(t, "Support"), e.NewMailbox(t, "Support")
	if a == b || !strings.HasPrefix(a, "support-") || !strings.HasSuffix(a, "@example.test") {
		t.Errorf("NewMailbox gave %q and %q", a, b)
	}
}

func message(from, to, subject, body string) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\n"+
		"Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, to, subject, randomHex(8), time.Now().Format(time.RFC1123Z), body)
}

func TestSMTPDeliversPlusAddressToDovecot(t *testing.T) {
	t.Parallel()
	e := Get(t)
	support := e.NewMailbox(t, "support")
	local, domain, _ := strings.Cut(support, "@")
	plus := local + "+t0k3n@" + domain
	user := e.NewMailbox(t, "user")

	e.SendMail(t, user, []string{plus}, message(user, plus, "Принтер не печатает", "Здравствуйте!"))

	msgs := e.WaitForMessages(t, support, 1, deliveryTimeout)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	for _, want := range []string{"Delivered-To: " + plus, "Subject: Принтер не печатает", "Здравствуйте!"} {
		if !bytes.Contains(msgs[0], []byte(want)) {
			t.Errorf("message lacks %q:\n%s", want, msgs[0])
		}
	}
}

func TestIdleAnnouncesNewMail(t *testing.T) {
	t.Parallel()
	e := Get(t)
	mailbox := e.NewMailbox(t, "idle")
	exists := make(chan uint32, 16)
	c := e.DialIMAP(t, mailbox, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					exists <- *d.NumMessages
				}
			},
		},
	})
	if !c.Caps().Has(imap.CapIdle) {
		t.Fatalf("server lacks IDLE after login: %v", c.Caps())
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatalf("IDLE: %v", err)
	}
	e.SendMail(t, "someone@example.test", []string{mailbox}, message("someone@example.test", mailbox, "idle", "x"))

	// Dovecot announces new mail about 0.5 s after delivery; the bound is generous on purpose.
	select {
	case n := <-exists:
		if n != 1 {
			t.Errorf("EXISTS %d, want 1", n)
		}
	case <-time.After(deliveryTimeout):
		t.Fatalf("no EXISTS during IDLE within %v", deliveryTimeout)
	}
	if err := idle.Close(); err != nil {
		t.Fatalf("close IDLE: %v", err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatalf("IDLE: %v", err)
	}
}

func TestAppendStoresMessagesInOrder(t *testing.T) {
	t.Parallel()
	e := Get(t)
	mailbox := e.NewMailbox(t, "append")
	var raws [][]byte
	for i := range 5 {
		raws = append(raws, message("a@example.test", mailbox, fmt.Sprintf("bulk %d", i), "body"))
	}
	e.Append(t, mailbox, raws...)

	got := e.WaitForMessages(t, mailbox, len(raws), deliveryTimeout)
	if len(got) != len(raws) {
		t.Fatalf("got %d messages, want %d", len(got), len(raws))
	}
	for i := range raws {
		if !bytes.Equal(got[i], raws[i]) {
			t.Errorf("message %d differs:\ngot  %q\nwant %q", i, got[i], raws[i])
		}
	}
}

func TestNothingIsRelayed(t *testing.T) {
	t.Parallel()
	e := Get(t)
	// Other domains are refused at RCPT.
	for _, rcpt := range []string{"someone@elsewhere.example", "root@localhost", "x@sub.example.test"} {
		t.Run(rcpt, func(t *testing.T) {
			from := e.NewMailbox(t, "sender")
			err := e.TrySendMail(t.Context(), from, []string{rcpt}, message(from, rcpt, "leak?", "no"))
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.Code < 500 {
				t.Fatalf("sending to %s: error %v, want a permanent SMTP rejection", rcpt, err)
			}
		})
	}
	// Postfix counts its own address literal as local: accepted, then bounced by the error:
	// transport back to the sender.
	t.Run("address literal bounces", func(t *testing.T) {
		from := e.NewMailbox(t, "sender")
		rcpt := "x@[127.0.0.1]"
		e.SendMail(t, from, []string{rcpt}, message(from, rcpt, "leak?", "no"))
		bounces := e.WaitForMessages(t, from, 1, deliveryTimeout)
		if !bytes.Contains(bounces[0], []byte("Undelivered Mail Returned to Sender")) ||
			!bytes.Contains(bounces[0], []byte("disabled in the test environment")) {
			t.Errorf("want a bounce from the error: transport, got:\n%s", bounces[0])
		}
	})
}

func TestTLSEndpoints(t *testing.T) {
	t.Parallel()
	e := Get(t)
	if e.IMAPSAddr == "" || e.SubmissionAddr == "" {
		t.Skip("TLS endpoints not configured")
	}
	mailbox := e.NewMailbox(t, "tls")

	sc, err := smtp.DialStartTLS(e.SubmissionAddr, e.TLSConfig(t))
	if err != nil {
		t.Fatalf("submission STARTTLS: %v", err)
	}
	defer sc.Close()
	if err := sc.SendMail("a@example.test", []string{mailbox}, bytes.NewReader(message("a@example.test", mailbox, "tls", "x"))); err != nil {
		t.Fatalf("send over submission: %v", err)
	}
	if err := sc.Quit(); err != nil {
		t.Fatalf("QUIT: %v", err)
	}

	ic, err := imapclient.DialTLS(e.IMAPSAddr, &imapclient.Options{TLSConfig: e.TLSConfig(t)})
	if err != nil {
		t.Fatalf("IMAPS: %v", err)
	}
	defer closeIMAP(ic)
	if err := ic.Login(mailbox, e.Password).Wait(); err != nil {
		t.Fatalf("IMAPS login: %v", err)
	}
	if got := e.WaitForMessages(t, mailbox, 1, deliveryTimeout); len(got) != 1 {
		t.Errorf("got %d messages, want 1", len(got))
	}
}

func TestPlainSMTPRefusesWrongSubmissionWithoutTLS(t *testing.T) {
	t.Parallel()
	e := Get(t)
	if e.SubmissionAddr == "" {
		t.Skip("submission port not configured")
	}
	c, err := smtp.Dial(e.SubmissionAddr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if err := c.Mail("a@example.test", nil); err == nil {
		t.Fatal("submission port accepted MAIL FROM without STARTTLS")
	}
}

func TestPostgresDatabaseLifecycle(t *testing.T) {
	t.Parallel()
	e := Get(t)
	var name string
	t.Run("use", func(t *testing.T) {
		dsn := e.NewPostgresDB(t)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		// Left open on purpose: the drop must terminate it.
		if err := db.QueryRowContext(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatalf("connect to %s: %v", dsn, err)
		}
		if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (id bigserial PRIMARY KEY, s text)"); err != nil {
			t.Fatal(err)
		}
		var s string
		if err := db.QueryRowContext(t.Context(), "INSERT INTO t (s) VALUES ($1) RETURNING lower(s)", "ОТВЕТ").Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != "ответ" {
			t.Errorf("lower('ОТВЕТ') = %q: the cluster's ctype is not UTF-8 aware", s)
		}
	})
	if !strings.HasPrefix(name, "otvet_test_") {
		t.Fatalf("database name %q", name)
	}
	db, err := sql.Open("pgx", e.PGDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(t.Context(), deliveryTimeout)
	defer cancel()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test ended", name)
	}
}
