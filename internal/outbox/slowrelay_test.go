package outbox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// slowRelay is an in-process SMTP server that answers the end of DATA late
// and counts the messages it accepted by Message-ID.
type slowRelay struct {
	delay time.Duration
	mu    sync.Mutex
	got   map[string]int
}

func (r *slowRelay) NewSession(*smtp.Conn) (smtp.Session, error) { return &slowSession{r: r}, nil }

type slowSession struct{ r *slowRelay }

func (*slowSession) Reset()                               {}
func (*slowSession) Logout() error                        { return nil }
func (*slowSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*slowSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *slowSession) Data(rd io.Reader) error {
	m, err := mail.ReadMessage(rd)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, m.Body)
	s.r.mu.Lock()
	s.r.got[m.Header.Get("Message-ID")]++ // queued: from here on the message is out
	s.r.mu.Unlock()
	time.Sleep(s.r.delay)
	return nil
}

func startSlowRelay(t *testing.T, delay time.Duration) (*slowRelay, string) {
	t.Helper()
	r := &slowRelay{delay: delay, got: map[string]int{}}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r, ln.Addr().String()
}

func smtpSender(t testing.TB, addr string) *mailout.SMTPSender {
	t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	p, _ := strconv.Atoi(port)
	s, err := mailout.NewSMTPSender(mailout.SMTPOptions{Host: host, Port: p, TLS: "none", HeloName: "otvet.test", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// queueMail queues n real messages to rcpt(i), due now, and returns their Message-IDs.
func queueMail(t *testing.T, db *store.DB, n int, rcpt func(i int) string) []string {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var ids []string
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := range n {
			id := fmt.Sprintf("<ack-%d-%d@otvet.test>", now.UnixNano(), i)
			raw := fmt.Sprintf("From: sd@otvet.test\r\nTo: %s\r\nSubject: ack %d\r\nMessage-ID: %s\r\nDate: %s\r\n"+
				"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nЗаявка %d принята.\r\n",
				rcpt(i), i, id, now.Format(time.RFC1123Z), i)
			if err := tx.InsertOutgoing(ctx, &store.Outgoing{Desk: "sd", Kind: "ack", MessageID: id,
				EnvelopeFrom: "sd@otvet.test", Recipients: rcpt(i), RcptKey: rcpt(i), Auto: true, Subject: "ack",
				Raw: []byte(raw), NextAttemptAt: now, CreatedAt: now}); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// drainTogether runs one worker per database at once, as `serve` beside a
// cron `poll --once`, or two instances on PostgreSQL. RetryMin is far shorter
// than a send: a claim that lasted only until the first retry time would be
// taken again while the relay is still answering.
func drainTogether(t *testing.T, sender outbox.Sender, dbs ...*store.DB) {
	t.Helper()
	var wg sync.WaitGroup
	for _, db := range dbs {
		w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": sender},
			IsPermanent: mailout.IsPermanent, RetryMin: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond})
		wg.Go(func() {
			// Pass after pass, like serve's loop and repeated cron runs,
			// until nothing is pending.
			deadline := time.Now().Add(time.Minute)
			for time.Now().Before(deadline) {
				if _, err := w.Drain(t.Context()); err != nil {
					t.Error(err)
					return
				}
				if _, pending, err := db.NextDue(t.Context()); err != nil || !pending {
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			t.Error("mail still pending after a minute")
		})
	}
	wg.Wait()
}

func checkAllSentOnce(t *testing.T, db *store.DB, ids []string, delivered func() map[string]int) {
	t.Helper()
	got := delivered()
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("%s delivered %d times, want once", id, got[id])
		}
	}
	if len(got) != len(ids) {
		t.Errorf("%d distinct messages delivered, want %d", len(got), len(ids))
	}
	rows, err := db.ListOutgoing(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.State != store.OutSent || r.Attempts != 1 {
			t.Errorf("row %d: %s after %d attempts (%s)", r.ID, r.State, r.Attempts, r.LastError)
		}
	}
}

func (r *slowRelay) delivered() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.got))
	for k, v := range r.got {
		out[k] = v
	}
	return out
}

// TestSlowRelayNeverSendsTwice: a relay that answers every message 80 ms
// late, 16 acknowledgements, two senders at once — every message reaches the
// relay exactly once.
func TestSlowRelayNeverSendsTwice(t *testing.T) {
	t.Parallel()
	engines := []struct {
		name string
		open func(t *testing.T) (*store.DB, *store.DB)
	}{
		{"sqlite serve and poll --once", func(t *testing.T) (*store.DB, *store.DB) {
			path := filepath.Join(t.TempDir(), "otvet.db")
			return openSQLite(t, path), openSQLite(t, path)
		}},
		{"two postgres instances", func(t *testing.T) (*store.DB, *store.DB) {
			dsn := testenv.Get(t).NewPostgresDB(t)
			return openPostgres(t, dsn), openPostgres(t, dsn)
		}},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			a, b := e.open(t)
			relay, addr := startSlowRelay(t, 80*time.Millisecond)
			ids := queueMail(t, a, 16, func(i int) string { return fmt.Sprintf("user%d@example.org", i) })
			drainTogether(t, smtpSender(t, addr), a, b)
			checkAllSentOnce(t, a, ids, relay.delivered)
		})
	}
}

func openPostgres(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.Postgres, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// delayProxy forwards TCP connections to target and holds every chunk the
// server sends for delay: a relay that answers slowly.
func delayProxy(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer s.Close()
				go func() { _, _ = io.Copy(s, c); _ = s.(*net.TCPConn).CloseWrite() }()
				buf := make([]byte, 32<<10)
				for {
					n, err := s.Read(buf)
					if n > 0 {
						time.Sleep(delay)
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestSlowPostfixNeverSendsTwice is the same proof against the real Postfix
// behind a proxy that delays each of its answers, counting what Dovecot
// received.
func TestSlowPostfixNeverSendsTwice(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			var a, b *store.DB
			if engine == "sqlite" {
				path := filepath.Join(t.TempDir(), "otvet.db")
				a, b = openSQLite(t, path), openSQLite(t, path)
			} else {
				dsn := env.NewPostgresDB(t)
				a, b = openPostgres(t, dsn), openPostgres(t, dsn)
			}
			box := env.NewMailbox(t, "outbox")
			local, domain, _ := strings.Cut(box, "@")
			const n = 8
			ids := queueMail(t, a, n, func(i int) string { return fmt.Sprintf("%s+%d@%s", local, i, domain) })
			drainTogether(t, smtpSender(t, delayProxy(t, env.SMTPAddr, 60*time.Millisecond)), a, b)
			msgs := env.WaitForMessages(t, box, n, 30*time.Second)
			time.Sleep(500 * time.Millisecond) // a second copy would be on its way by now
			msgs = env.WaitForMessages(t, box, n, time.Second)
			checkAllSentOnce(t, a, ids, func() map[string]int {
				got := map[string]int{}
				for _, m := range msgs {
					pm, err := mail.ReadMessage(bytes.NewReader(m))
					if err != nil {
						t.Fatal(err)
					}
					got[pm.Header.Get("Message-ID")]++
				}
				return got
			})
		})
	}
}
