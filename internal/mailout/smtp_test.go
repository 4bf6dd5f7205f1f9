package mailout

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func composedSample(t *testing.T) []byte {
	t.Helper()
	raw, err := Compose(sampleMail(t))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func newSender(t *testing.T, srv *testServer, o SMTPOptions) *SMTPSender {
	t.Helper()
	o.Host, o.Port = srv.Host, srv.Port
	if o.TLS == "" {
		o.TLS = TLSNone
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	o.HeloName = "otvet.test"
	s, err := NewSMTPSender(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSendFaults(t *testing.T) {
	tests := []struct {
		name      string
		srv       *testServer
		to        []string
		permanent bool
		phase     string
		code      int
		delivered int // messages the server accepted
	}{
		{name: "accept", to: []string{"ivanov@kgo66.ru"}, delivered: 1},
		{name: "451 rcpt", srv: &testServer{rcptErr: map[string]error{
			"ivanov@kgo66.ru": smtpErr(451, smtp.EnhancedCode{4, 3, 0}, "try again later"),
		}}, to: []string{"ivanov@kgo66.ru"}, phase: PhaseRcpt, code: 451},
		{name: "550 rcpt", srv: &testServer{rcptErr: map[string]error{
			"ivanov@kgo66.ru": smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "user unknown"),
		}}, to: []string{"ivanov@kgo66.ru"}, permanent: true, phase: PhaseRcpt, code: 550},
		{name: "553 mail", srv: &testServer{mailErr: smtpErr(553, smtp.EnhancedCode{5, 7, 1}, "sender not allowed")},
			to: []string{"ivanov@kgo66.ru"}, permanent: true, phase: PhaseMail, code: 553},
		{name: "421 mail", srv: &testServer{mailErr: smtpErr(421, smtp.EnhancedCode{4, 3, 2}, "shutting down")},
			to: []string{"ivanov@kgo66.ru"}, phase: PhaseMail, code: 421},
		{name: "552 data", srv: &testServer{dataErr: smtpErr(552, smtp.EnhancedCode{5, 3, 4}, "message too big")},
			to: []string{"ivanov@kgo66.ru"}, permanent: true, phase: PhaseData, code: 552},
		{name: "554 data", srv: &testServer{dataErr: smtpErr(554, smtp.EnhancedCode{5, 7, 1}, "rejected as spam")},
			to: []string{"ivanov@kgo66.ru"}, permanent: true, phase: PhaseData, code: 554},
		{name: "452 data", srv: &testServer{dataErr: smtpErr(452, smtp.EnhancedCode{4, 3, 1}, "insufficient storage")},
			to: []string{"ivanov@kgo66.ru"}, phase: PhaseData, code: 452},
		{name: "partial: one refused permanently", srv: &testServer{rcptErr: map[string]error{
			"gone@kgo66.ru": smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "user unknown"),
		}}, to: []string{"ivanov@kgo66.ru", "gone@kgo66.ru"}, permanent: true, phase: PhaseRcpt, code: 550, delivered: 1},
		{name: "one refused temporarily: nobody gets it", srv: &testServer{rcptErr: map[string]error{
			"busy@kgo66.ru": smtpErr(450, smtp.EnhancedCode{4, 2, 1}, "mailbox busy"),
		}}, to: []string{"ivanov@kgo66.ru", "busy@kgo66.ru"}, phase: PhaseRcpt, code: 450},
		{name: "all refused", srv: &testServer{rcptErr: map[string]error{
			"a@kgo66.ru": smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "user unknown"),
			"b@kgo66.ru": smtpErr(553, smtp.EnhancedCode{5, 1, 3}, "bad address"),
		}}, to: []string{"a@kgo66.ru", "b@kgo66.ru"}, permanent: true, phase: PhaseRcpt, code: 550},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.srv == nil {
				tt.srv = &testServer{}
			}
			srv := startServer(t, tt.srv, nil)
			raw := composedSample(t)
			err := newSender(t, srv, SMTPOptions{}).Send(t.Context(), "sd@kgo66.ru", tt.to, raw)
			got := srv.messages()
			if len(got) != tt.delivered {
				t.Fatalf("server accepted %d messages, want %d", len(got), tt.delivered)
			}
			if tt.phase == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got[0].data, raw) || got[0].from != "sd@kgo66.ru" {
					t.Fatalf("server got from %q:\n%s", got[0].from, got[0].data)
				}
				return
			}
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *SendError", err, err)
			}
			if IsPermanent(err) != tt.permanent || se.Phase != tt.phase || se.Code != tt.code {
				t.Fatalf("err = %v: permanent %v phase %q code %d; want %v %q %d", err, IsPermanent(err), se.Phase, se.Code, tt.permanent, tt.phase, tt.code)
			}
			if tt.delivered > 0 && len(se.Delivered) != 1 {
				t.Fatalf("Delivered = %v", se.Delivered)
			}
			if tt.code == 550 && se.EnhancedCode != "5.1.1" {
				t.Fatalf("EnhancedCode = %q", se.EnhancedCode)
			}
		})
	}
}

// TestSMTPRetryIdenticalBytes: a temporary failure, then success, sends the
// same bytes (and so the same Message-ID).
func TestSMTPRetryIdenticalBytes(t *testing.T) {
	srv := startServer(t, &testServer{dataErr: smtpErr(451, smtp.EnhancedCode{4, 3, 0}, "later")}, nil)
	s := newSender(t, srv, SMTPOptions{})
	raw := composedSample(t)
	if err := s.Send(t.Context(), "", []string{"ivanov@kgo66.ru"}, raw); err == nil || IsPermanent(err) {
		t.Fatalf("first attempt: %v", err)
	}
	srv.mu.Lock()
	srv.dataErr = nil
	srv.mu.Unlock()
	if err := s.Send(t.Context(), "", []string{"ivanov@kgo66.ru"}, raw); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 1 || !bytes.Equal(got[0].data, raw) || got[0].from != "" {
		t.Fatalf("retry delivered %d messages, from %q", len(got), got[0].from)
	}
}

func TestSMTPConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	_ = l.Close()
	s, err := NewSMTPSender(SMTPOptions{Host: "127.0.0.1", Port: addr.Port, TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(t.Context(), "sd@kgo66.ru", []string{"a@kgo66.ru"}, []byte("x\r\n"))
	if err == nil || IsPermanent(err) {
		t.Fatalf("err = %v, want temporary", err)
	}
	var se *SendError
	if !errors.As(err, &se) || se.Phase != PhaseConnect {
		t.Fatalf("err = %#v", err)
	}
}

func TestSMTPTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	t.Run("starttls trusted", func(t *testing.T) {
		srv := startServer(t, &testServer{}, cert)
		s := newSender(t, srv, SMTPOptions{TLS: TLSStartTLS, TLSConfig: &tls.Config{RootCAs: pool}})
		if err := s.Send(t.Context(), "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t)); err != nil {
			t.Fatal(err)
		}
		if len(srv.messages()) != 1 {
			t.Fatal("not delivered")
		}
	})
	t.Run("starttls untrusted", func(t *testing.T) {
		srv := startServer(t, &testServer{}, cert)
		s := newSender(t, srv, SMTPOptions{TLS: TLSStartTLS})
		err := s.Send(t.Context(), "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t))
		var se *SendError
		if !errors.As(err, &se) || se.Phase != PhaseTLS || IsPermanent(err) {
			t.Fatalf("err = %v, want temporary TLS error", err)
		}
		if len(srv.messages()) != 0 {
			t.Fatal("delivered over an untrusted connection")
		}
	})
	t.Run("starttls not offered", func(t *testing.T) {
		srv := startServer(t, &testServer{}, nil)
		s := newSender(t, srv, SMTPOptions{TLS: TLSStartTLS, TLSConfig: &tls.Config{RootCAs: pool}})
		err := s.Send(t.Context(), "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t))
		if err == nil || IsPermanent(err) || len(srv.messages()) != 0 {
			t.Fatalf("err = %v, want temporary error and no delivery", err)
		}
	})
	t.Run("implicit tls", func(t *testing.T) {
		srv := startServer(t, &testServer{greetingTLS: true}, cert)
		s := newSender(t, srv, SMTPOptions{TLS: TLSImplicit, TLSConfig: &tls.Config{RootCAs: pool}})
		if err := s.Send(t.Context(), "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSMTPAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	const password = "s3cr3t-P@ss:word"
	tests := []struct {
		name     string
		mode     string
		implicit bool
		pass     string
		ok       bool
	}{
		{"plain over starttls", TLSStartTLS, false, password, true},
		{"plain over implicit tls", TLSImplicit, true, password, true},
		{"wrong password", TLSStartTLS, false, password + "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			srv := startServer(t, &testServer{user: "sd@kgo66.ru", pass: password, greetingTLS: tt.implicit}, cert)
			s := newSender(t, srv, SMTPOptions{
				TLS: tt.mode, TLSConfig: &tls.Config{RootCAs: pool},
				Username: "sd@kgo66.ru", Password: tt.pass, Logger: logger,
			})
			err := s.Send(t.Context(), "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t))
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if len(srv.messages()) != 1 {
					t.Fatal("not delivered")
				}
			} else {
				var se *SendError
				if !errors.As(err, &se) || se.Phase != PhaseAuth || IsPermanent(err) {
					t.Fatalf("err = %v, want temporary auth error", err)
				}
			}
			for _, secret := range []string{tt.pass, password} {
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("error contains the password: %v", err)
				}
				if strings.Contains(logs.String(), secret) {
					t.Errorf("log contains the password: %s", logs.String())
				}
				if strings.Contains(fmtAny(s), secret) {
					t.Errorf("sender formats with the password")
				}
			}
		})
	}
}

func TestSMTPContext(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		srv := startServer(t, &testServer{}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := newSender(t, srv, SMTPOptions{}).Send(ctx, "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t))
		if !errors.Is(err, context.Canceled) || IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cancelled during DATA", func(t *testing.T) {
		hold := make(chan struct{})
		defer close(hold)
		srv := startServer(t, &testServer{dataHold: hold, dataStarted: make(chan struct{})}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-srv.dataStarted; cancel() }()
		err := newSender(t, srv, SMTPOptions{}).Send(ctx, "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t))
		if !errors.Is(err, context.Canceled) || IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		hold := make(chan struct{})
		defer close(hold)
		srv := startServer(t, &testServer{dataHold: hold, dataStarted: make(chan struct{})}, nil)
		err := newSender(t, srv, SMTPOptions{Timeout: 300 * time.Millisecond}).Send(t.Context(), "sd@kgo66.ru", []string{"a@kgo66.ru"}, composedSample(t))
		if err == nil || IsPermanent(err) {
			t.Fatalf("err = %v, want temporary", err)
		}
	})
}

func TestSMTPPrepareErrors(t *testing.T) {
	srv := startServer(t, &testServer{}, nil)
	s := newSender(t, srv, SMTPOptions{})
	tests := []struct {
		name string
		from string
		to   []string
		raw  []byte
	}{
		{"no recipients", "sd@kgo66.ru", nil, []byte("x")},
		{"recipient injection", "sd@kgo66.ru", []string{"a@kgo66.ru>\r\nRCPT TO:<evil@x.example"}, []byte("x")},
		{"sender injection", "sd@kgo66.ru>\r\nRSET", []string{"a@kgo66.ru"}, []byte("x")},
		{"empty message", "sd@kgo66.ru", []string{"a@kgo66.ru"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Send(t.Context(), tt.from, tt.to, tt.raw)
			if !IsPermanent(err) || !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v, want permanent invalid message", err)
			}
		})
	}
	if len(srv.messages()) != 0 {
		t.Fatal("something was sent")
	}
}

func TestNewSMTPSenderOptions(t *testing.T) {
	tests := []struct {
		name string
		o    SMTPOptions
		port int
		ok   bool
	}{
		{"defaults", SMTPOptions{Host: "smtp.example"}, 587, true},
		{"tls", SMTPOptions{Host: "smtp.example", TLS: TLSImplicit}, 465, true},
		{"none", SMTPOptions{Host: "smtp.example", TLS: TLSNone}, 25, true},
		{"no host", SMTPOptions{}, 0, false},
		{"bad mode", SMTPOptions{Host: "h", TLS: "ssl"}, 0, false},
		{"bad port", SMTPOptions{Host: "h", Port: 70000}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSMTPSender(tt.o)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if err == nil && s.o.Port != tt.port {
				t.Fatalf("port = %d, want %d", s.o.Port, tt.port)
			}
		})
	}
}

func TestIsPermanent(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"ctx", context.DeadlineExceeded, false},
		{"compose", func() error { _, err := Compose(Mail{}); return err }(), true},
		{"net", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{"wrapped 550", &SendError{Phase: PhaseRcpt, Code: 550, Permanent: true}, true},
		{"wrapped 451", &SendError{Phase: PhaseRcpt, Code: 451}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsPermanent(tt.err); got != tt.want {
				t.Fatalf("IsPermanent(%v) = %v", tt.err, got)
			}
		})
	}
}

func fmtAny(v any) string { return fmt.Sprintf("%v %+v %#v %s", v, v, v, v) }

func TestSMTPOptionsRedacted(t *testing.T) {
	o := SMTPOptions{Host: "smtp.example", Username: "sd", Password: "hunter2-secret"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "smtp", o)
	for _, s := range []string{fmtAny(o), fmtAny(&o), logs.String()} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("password visible in %s", s)
		}
	}
}
