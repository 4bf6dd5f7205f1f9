package doctor_test

import (
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/doctor"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/testenv"
)

// The probe through the real Postfix and Dovecot: the plain smtpd keeps a
// forged Authentication-Results (not stripped), the opt-in one drops every
// such header (stripped). Each probe is deleted from the mailbox afterwards.
func TestIntegrationMXProbe(t *testing.T) {
	e := testenv.Get(t)
	strip := os.Getenv("OTVET_TEST_SMTP_STRIP_AUTHRES_ADDR")
	tests := []struct {
		name     string
		smtp     string
		required bool
		verdict  doctor.Verdict
		status   doctor.Status
	}{
		{"plain postfix keeps the forgery", e.SMTPAddr, true, doctor.NotStripped, doctor.Error},
		{"not required: only a warning", e.SMTPAddr, false, doctor.NotStripped, doctor.Warning},
		// Postfix adds no header of its own: stripped, but staff mail would always be refused.
		{"postfix with header_checks strips it", strip, true, doctor.Stripped, doctor.Warning},
		{"stripped, not required", strip, false, doctor.Stripped, doctor.OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.smtp == "" {
				if os.Getenv("OTVET_REQUIRE_REAL_SERVERS") == "1" {
					t.Fatal("OTVET_TEST_SMTP_STRIP_AUTHRES_ADDR is not set: restart the servers with scripts/testenv/up.sh")
				}
				t.Skip("OTVET_TEST_SMTP_STRIP_AUTHRES_ADDR is not set (servers from an older up.sh)")
			}
			support := e.NewMailbox(t, "support")
			p := probe(t, e, tt.smtp, support)
			p.Required = tt.required
			r := doctor.MXStripsAuthResults(t.Context(), p)
			if r.Verdict != tt.verdict || r.Status != tt.status {
				t.Fatalf("got %s/%s (%s), want %s/%s", r.Verdict, r.Status, r.Message, tt.verdict, tt.status)
			}
			c := e.DialIMAP(t, support, nil)
			d, err := c.Select("INBOX", nil).Wait()
			if err != nil {
				t.Fatal(err)
			}
			if d.NumMessages != 0 {
				t.Errorf("the probe was left in the mailbox: %d message(s)", d.NumMessages)
			}
		})
	}
}

// A probe that never arrives is inconclusive within the timeout.
func TestIntegrationMXProbeNotDelivered(t *testing.T) {
	e := testenv.Get(t)
	t.Parallel()
	support := e.NewMailbox(t, "support")
	p := probe(t, e, e.SMTPAddr, support)
	p.IMAP.Username = e.NewMailbox(t, "elsewhere") // reads another mailbox
	p.Required, p.Timeout = true, 1500*time.Millisecond
	start := time.Now()
	r := doctor.MXStripsAuthResults(t.Context(), p)
	if r.Verdict != doctor.Inconclusive || r.Status != doctor.Error {
		t.Fatalf("got %s/%s (%s), want inconclusive/error", r.Verdict, r.Status, r.Message)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestIntegrationLoginChecks(t *testing.T) {
	e := testenv.Get(t)
	t.Parallel()
	support := e.NewMailbox(t, "support")
	p := probe(t, e, e.SMTPAddr, support)
	if r := doctor.IMAPLogin(t.Context(), p.IMAP); r.Status != doctor.OK {
		t.Errorf("imap: %+v", r)
	}
	p.IMAP.Password = "wrong"
	if r := doctor.IMAPLogin(t.Context(), p.IMAP); r.Status != doctor.Error || r.Fix == "" {
		t.Errorf("imap, wrong password: %+v", r)
	}
	p.IMAP.Password, p.IMAP.Folders = e.Password, []string{"Nowhere"}
	if r := doctor.IMAPLogin(t.Context(), p.IMAP); r.Status != doctor.Error {
		t.Errorf("imap, missing folder: %+v", r)
	}
	if r := doctor.SMTPConnect(t.Context(), p.Sender.(*mailout.SMTPSender), e.SMTPAddr); r.Status != doctor.OK {
		t.Errorf("smtp: %+v", r)
	}
	// The submission port requires STARTTLS, which the sender refuses without a trusted CA.
	host, port, _ := net.SplitHostPort(e.SubmissionAddr)
	n, _ := strconv.Atoi(port)
	s, err := mailout.NewSMTPSender(mailout.SMTPOptions{Host: host, Port: n, TLS: mailout.TLSStartTLS, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r := doctor.SMTPConnect(t.Context(), s, e.SubmissionAddr); r.Status != doctor.Error {
		t.Errorf("smtp, untrusted certificate: %+v", r)
	}
}

func probe(t *testing.T, e *testenv.Env, smtpAddr, support string) doctor.Probe {
	t.Helper()
	host, port, _ := net.SplitHostPort(smtpAddr)
	n, _ := strconv.Atoi(port)
	s, err := mailout.NewSMTPSender(mailout.SMTPOptions{Host: host, Port: n, TLS: mailout.TLSNone, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return doctor.Probe{
		Desk: "main", SupportAddress: support, TrustedAuthServID: "mail.example.test",
		Sender: s, Timeout: 15 * time.Second, PollInterval: 200 * time.Millisecond,
		IMAP: doctor.IMAP{Addr: e.IMAPAddr, Security: "plain", Username: support, Password: e.Password,
			Folders: []string{"INBOX", "Processed"}},
	}
}
