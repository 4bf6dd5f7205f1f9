package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/mailin/mailintest"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// smtpSink is an in-process SMTP server on 127.0.0.1 that keeps the
// messages it is given.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs [][]byte
}

func startSink(t *testing.T) *smtpSink {
	t.Helper()
	s := &smtpSink{}
	srv := smtp.NewServer(s)
	srv.Domain, srv.AllowInsecureAuth = "sink.localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Log(err)
		}
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return s
}

// to lists the parsed messages sent to addr, oldest first.
func (s *smtpSink) to(t *testing.T, addr string) []*mailmsg.Message {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*mailmsg.Message
	for _, raw := range s.msgs {
		m, err := mailmsg.Parse(raw, mailmsg.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.To) > 0 && strings.EqualFold(m.To[0].Email, addr) {
			out = append(out, m)
		}
	}
	return out
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct{ s *smtpSink }

func (ss *sinkSession) Reset()                               {}
func (ss *sinkSession) Logout() error                        { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, b)
	ss.s.mu.Unlock()
	return nil
}

// TestMorningMailThroughInProcessServers: at the desk's opening otvet
// serve's morning mail reaches the agent through SMTP with their command
// address as Reply-To; the agent's «#утро выкл» to it, taken in from IMAP,
// switches it off (confirmed at the same address), and the next working
// day brings no mail. In-process IMAP (imapmemserver) and SMTP (go-smtp).
func TestMorningMailThroughInProcessServers(t *testing.T) {
	imapSrv := mailintest.StartMemServer(t)
	sink := startSink(t)
	ihost, iport, _ := net.SplitHostPort(imapSrv.Addr)
	shost, sport, _ := net.SplitHostPort(sink.addr)
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	body := fmt.Sprintf(`database: {driver: sqlite, path: %q}
secret_key: "0123456789abcdef0123456789abcdef"
http: {listen: "127.0.0.1:0", base_url: "https://helpdesk.kgo66.ru"}
desks:
  - name: sd
    support_address: sd@kgo66.ru
    timezone: Asia/Yekaterinburg
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q, folder: INBOX}
    smtp: {host: %s, port: %s, security: none}
`, filepath.Join(dir, "o.db"), ihost, iport, imapSrv.Username, imapSrv.Password, shost, sport)
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
	ekb, _ := time.LoadLocation("Asia/Yekaterinburg")
	now := time.Date(2025, 3, 10, 9, 5, 0, 0, ekb) // Monday, five minutes after the opening
	ctx := context.Background()
	a, err := app.New(ctx, c, testLogger(t), app.Options{Migrate: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const anna = "anna@kgo66.ru"
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertStaff(ctx, &store.Staff{Email: anna, Name: "Анна", Role: store.StaffAgent, Active: true}, "test", now); err != nil {
			return err
		}
		return tx.CreateTicket(ctx, &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "Принтер",
			RequesterEmail: "petrov@uszn.kgo66.ru", CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := a.MorningMail()
	if err != nil || ms == nil {
		t.Fatalf("morning mail %v %v", ms, err)
	}
	if n, err := ms.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("queued %d, %v", n, err)
	}
	if n, err := ms.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("queued again %d, %v", n, err)
	}
	if _, err := a.Outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	got := sink.to(t, anna)
	if len(got) != 1 {
		t.Fatalf("%d mails to the agent", len(got))
	}
	m := got[0]
	if !strings.Contains(m.Subject, "Ваш день 10.03.2025") || !strings.Contains(m.Text, "#1 «Принтер»") ||
		!strings.Contains(m.Text, "https://helpdesk.kgo66.ru/tickets/1") || len(m.ReplyTo) != 1 || !strings.HasPrefix(m.ReplyTo[0].Email, "sd+") {
		t.Fatalf("morning mail (Reply-To %v): %s\n%s", m.ReplyTo, m.Subject, m.Text)
	}
	own := m.ReplyTo[0].Email
	raw := fmt.Sprintf("From: Анна <%s>\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <morning-off@kgo66.ru>\r\nIn-Reply-To: <%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n#утро выкл\r\n\r\n> Доброе утро\r\n",
		anna, own, mime(m.Subject), m.MessageID)
	mailintest.Append(t, imapSrv.Client(t), "INBOX", []byte(raw))
	if _, _, err := a.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		s, err := tx.StaffByEmail(ctx, anna)
		if err == nil && s.MorningMail {
			t.Error("the morning mail is still on")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got = sink.to(t, anna)
	if len(got) != 2 || !strings.Contains(got[1].Text, "утреннее письмо выключено") || len(got[1].ReplyTo) != 1 || got[1].ReplyTo[0].Email != own {
		t.Fatalf("confirmation: %d mails; %+v", len(got), got[len(got)-1])
	}
	now = now.AddDate(0, 0, 1) // Tuesday
	if n, err := ms.RunOnce(ctx); err != nil || n != 0 {
		t.Errorf("after #утро выкл: %d mails, %v", n, err)
	}
}
