// Package testenv gives tests of other packages the real servers that scripts/testenv/up.sh
// starts on loopback: Dovecot (IMAP, IMAPS, LMTP), Postfix (SMTP, submission) and PostgreSQL.
//
// Tests call Get, which skips the test when the servers are not running (plain `go test`) and
// fails it when OTVET_REQUIRE_REAL_SERVERS=1 (`make test`, CI). Every test takes fresh mailbox
// names (NewMailbox) and a fresh database (NewPostgresDB), so tests in parallel never collide.
// See docs/testing.md.
package testenv

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Env describes the running servers. Fields are read from the OTVET_TEST_* variables that
// up.sh writes to DIR/env.
type Env struct {
	IMAPAddr       string // OTVET_TEST_IMAP_ADDR: plain IMAP, host:port
	IMAPSAddr      string // OTVET_TEST_IMAPS_ADDR: IMAP over implicit TLS
	SMTPAddr       string // OTVET_TEST_SMTP_ADDR: Postfix, no auth from loopback, STARTTLS offered
	SubmissionAddr string // OTVET_TEST_SUBMISSION_ADDR: Postfix, STARTTLS required
	CAFile         string // OTVET_TEST_CA_FILE: the self-signed certificate the TLS ports present
	Domain         string // OTVET_TEST_MAIL_DOMAIN: every local part here is a mailbox
	Password       string // OTVET_TEST_IMAP_PASSWORD: the IMAP password of every mailbox
	PGDSN          string // OTVET_TEST_PG_DSN: superuser DSN to the postgres database
	Dir            string // OTVET_TEST_DIR: the servers' directory (logs in Dir/log)
	DovecotDir     string // OTVET_TEST_DOVECOT_DIR: Dovecot's config and runtime directory
	MailRoot       string // OTVET_TEST_MAIL_ROOT: Maildir homes, MailRoot/<local part>/Maildir
	LMTPSocket     string // OTVET_TEST_LMTP_SOCKET: Dovecot's LMTP unix socket
}

// errNotRunning means no OTVET_TEST_* variable is set at all.
var errNotRunning = errors.New("real servers not running; use make test")

// requireEnv is the variable that turns a skip into a failure.
const requireEnv = "OTVET_REQUIRE_REAL_SERVERS"

// Get returns the running servers, or skips the test when there are none, or fails it when
// OTVET_REQUIRE_REAL_SERVERS=1 or the variables are only partly set.
func Get(t testing.TB) *Env {
	t.Helper()
	e, err := fromEnv(os.Getenv)
	switch {
	case errors.Is(err, errNotRunning) && os.Getenv(requireEnv) != "1":
		t.Skip(err.Error())
	case err != nil:
		t.Fatalf("testenv: %v", err)
	}
	return e
}

// fromEnv builds an Env from the given lookup (os.Getenv in Get).
func fromEnv(getenv func(string) string) (*Env, error) {
	e := &Env{
		IMAPAddr:       getenv("OTVET_TEST_IMAP_ADDR"),
		IMAPSAddr:      getenv("OTVET_TEST_IMAPS_ADDR"),
		SMTPAddr:       getenv("OTVET_TEST_SMTP_ADDR"),
		SubmissionAddr: getenv("OTVET_TEST_SUBMISSION_ADDR"),
		CAFile:         getenv("OTVET_TEST_CA_FILE"),
		Domain:         getenv("OTVET_TEST_MAIL_DOMAIN"),
		Password:       getenv("OTVET_TEST_IMAP_PASSWORD"),
		PGDSN:          getenv("OTVET_TEST_PG_DSN"),
		Dir:            getenv("OTVET_TEST_DIR"),
		DovecotDir:     getenv("OTVET_TEST_DOVECOT_DIR"),
		MailRoot:       getenv("OTVET_TEST_MAIL_ROOT"),
		LMTPSocket:     getenv("OTVET_TEST_LMTP_SOCKET"),
	}
	required := []struct{ name, value string }{
		{"OTVET_TEST_IMAP_ADDR", e.IMAPAddr},
		{"OTVET_TEST_SMTP_ADDR", e.SMTPAddr},
		{"OTVET_TEST_MAIL_DOMAIN", e.Domain},
		{"OTVET_TEST_IMAP_PASSWORD", e.Password},
		{"OTVET_TEST_PG_DSN", e.PGDSN},
	}
	var missing []string
	for _, r := range required {
		if r.value == "" {
			missing = append(missing, r.name)
		}
	}
	switch len(missing) {
	case 0:
		return e, nil
	case len(required):
		return nil, errNotRunning
	default:
		return nil, fmt.Errorf("incomplete test environment, missing %s (source DIR/env written by scripts/testenv/up.sh)",
			strings.Join(missing, ", "))
	}
}

// NewMailbox returns a fresh address prefix-<random>@Domain. Every such address is a valid,
// empty mailbox with Password; mail to prefix-<random>+anything@Domain lands in it too.
func (e *Env) NewMailbox(t testing.TB, prefix string) string {
	t.Helper()
	if prefix == "" || strings.ContainsAny(prefix, "+@ \t\r\n") {
		t.Fatalf("testenv: bad mailbox prefix %q", prefix)
	}
	return strings.ToLower(prefix) + "-" + randomHex(5) + "@" + e.Domain
}

// TLSConfig returns a client TLS configuration that trusts the servers' certificate.
func (e *Env) TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	if e.CAFile == "" {
		t.Fatal("testenv: OTVET_TEST_CA_FILE is not set")
	}
	pem, err := os.ReadFile(e.CAFile)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("testenv: no certificate in %s", e.CAFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// logHint points at the server logs in failure messages.
func (e *Env) logHint() string {
	if e.Dir == "" {
		return ""
	}
	return fmt.Sprintf(" (server logs in %s/log; KEEP=1 keeps them after the run)", e.Dir)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
