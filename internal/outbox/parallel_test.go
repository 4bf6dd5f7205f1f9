package outbox_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// countRelay is an in-process SMTP server that counts connections (open
// and in all), RSETs, and the messages it accepted by Message-ID.
type countRelay struct {
	delay time.Duration // before answering the end of DATA

	mu     sync.Mutex
	conns  int
	open   int
	resets int
	got    map[string]int
}

func (r *countRelay) NewSession(*smtp.Conn) (smtp.Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns++
	r.open++
	return &countSession{r: r}, nil
}

type countSession struct{ r *countRelay }

func (s *countSession) Reset() {
	s.r.mu.Lock()
	s.r.resets++
	s.r.mu.Unlock()
}

func (s *countSession) Logout() error {
	s.r.mu.Lock()
	s.r.open--
	s.r.mu.Unlock()
	return nil
}
func (*countSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*countSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *countSession) Data(rd io.Reader) error {
	m, err := mail.ReadMessage(rd)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, m.Body)
	time.Sleep(s.r.delay)
	s.r.mu.Lock()
	s.r.got[m.Header.Get("Message-ID")]++ // from here on the message is out
	s.r.mu.Unlock()
	return nil
}

func (r *countRelay) counts() (conns, open, resets, msgs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.got {
		msgs += n
	}
	return r.conns, r.open, r.resets, msgs
}

func (r *countRelay) delivered() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.got))
	for k, v := range r.got {
		out[k] = v
	}
	return out
}

func startCountRelay(t testing.TB, delay time.Duration) (*countRelay, string) {
	t.Helper()
	r := &countRelay{delay: delay, got: map[string]int{}}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r, ln.Addr().String()
}

// TestConnectionReuse: the senders keep their connections between messages
// (RSET between them), renew one after MaxPerConnection messages, and Drain
// closes them all.
func TestConnectionReuse(t *testing.T) {
	cases := []struct {
		name               string
		parallel, maxPer   int
		rows               int
		minConns, maxConns int
	}{
		{"one sender, one connection", 1, 0, 90, 1, 1},
		{"renewed after the default 100", 1, 0, 250, 3, 3},
		{"four senders, a connection each", 4, 0, 150, 2, 4},
		{"renewed after 40 messages", 1, 40, 150, 4, 4},
		{"four senders renewing", 4, 40, 150, 4, 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := openSQLite(t, filepath.Join(t.TempDir(), "o.db"))
			relay, addr := startCountRelay(t, time.Millisecond)
			ids := queueMail(t, db, c.rows, func(i int) string { return fmt.Sprintf("user%d@example.org", i) })
			w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": smtpSender(t, addr)},
				IsPermanent: mailout.IsPermanent, Parallel: c.parallel, MaxPerConnection: c.maxPer})
			st, err := w.Drain(t.Context())
			if err != nil || st.Sent != c.rows {
				t.Fatalf("drain: %+v, %v", st, err)
			}
			checkAllSentOnce(t, db, ids, relay.delivered)
			conns, _, resets, _ := relay.counts()
			if conns < c.minConns || conns > c.maxConns {
				t.Errorf("%d connections for %d messages, want %d to %d", conns, c.rows, c.minConns, c.maxConns)
			}
			if want := c.rows - conns; resets < want {
				t.Errorf("%d RSETs, want at least %d (one before each message on a used connection)", resets, want)
			}
			waitOpen(t, relay, 0, "after Drain")
		})
	}
}

func waitOpen(t *testing.T, r *countRelay, want int, when string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, open, _, _ := r.counts()
		if open == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open %s, want %d", open, when, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunClosesIdleConnections: under Run, a connection outlives the drain
// that opened it, serves the next mail, and is closed after IdleClose
// without mail, and when Run returns.
func TestRunClosesIdleConnections(t *testing.T) {
	db := openSQLite(t, filepath.Join(t.TempDir(), "o.db"))
	relay, addr := startCountRelay(t, 0)
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": smtpSender(t, addr)},
		Parallel: 1, IdleClose: time.Second, PollInterval: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Run(ctx)
	}()
	waitSent := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for _, _, _, msgs := relay.counts(); msgs < n; _, _, _, msgs = relay.counts() {
			if time.Now().After(deadline) {
				t.Fatalf("%d messages sent, want %d", msgs, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	queueMail(t, db, 3, func(i int) string { return fmt.Sprintf("a%d@example.org", i) })
	w.Wake()
	waitSent(3)
	time.Sleep(100 * time.Millisecond)
	queueMail(t, db, 2, func(i int) string { return fmt.Sprintf("b%d@example.org", i) })
	w.Wake()
	waitSent(5)
	if conns, open, _, _ := relay.counts(); conns != 1 || open != 1 {
		t.Errorf("after two drains: %d connections, %d open; want 1, 1", conns, open)
	}
	waitOpen(t, relay, 0, "after IdleClose")
	queueMail(t, db, 1, func(i int) string { return fmt.Sprintf("c%d@example.org", i) })
	w.Wake()
	waitSent(6)
	cancel()
	<-done
	waitOpen(t, relay, 0, "after Run returned")
	if conns, _, _, _ := relay.counts(); conns != 2 {
		t.Errorf("%d connections, want 2 (one reopened after the idle close)", conns)
	}
}

// TestParallelSendersNeverSendTwice: two workers on one database (serve and
// a cron poll --once, or two instances), four senders each, claims of up to
// sixteen rows: every row reaches the relay exactly once, in one attempt.
func TestParallelSendersNeverSendTwice(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			var a, b *store.DB
			if engine == "sqlite" {
				path := filepath.Join(t.TempDir(), "otvet.db")
				a, b = openSQLite(t, path), openSQLite(t, path)
			} else {
				dsn := testenv.Get(t).NewPostgresDB(t)
				a, b = openPostgres(t, dsn), openPostgres(t, dsn)
			}
			relay, addr := startCountRelay(t, 2*time.Millisecond)
			ids := queueMail(t, a, 300, func(i int) string { return fmt.Sprintf("user%d@example.org", i) })
			drainTogether(t, smtpSender(t, addr), a, b)
			checkAllSentOnce(t, a, ids, relay.delivered)
			if conns, _, _, _ := relay.counts(); conns < 3 {
				t.Errorf("%d connections: the senders did not run in parallel", conns)
			}
		})
	}
}

// TestKillBeforeMarksResends: a process killed after the relay accepted
// messages but before their sent marks were written loses nothing: those
// rows are still pending and claimed, and are sent again (same Message-ID)
// when the claim expires; every other row once.
func TestKillBeforeMarksResends(t *testing.T) {
	if os.Getenv("OTVET_OUTBOX_KILL_DB") != "" {
		killedSender(t)
		return
	}
	path := filepath.Join(t.TempDir(), "otvet.db")
	db := openSQLite(t, path)
	// Slow enough that the kill lands well before the last message.
	relay, addr := startCountRelay(t, 20*time.Millisecond)
	const n = 200
	ids := queueMail(t, db, n, func(i int) string { return fmt.Sprintf("user%d@example.org", i) })

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillBeforeMarksResends$", "-test.v")
	cmd.Env = append(os.Environ(), "OTVET_OUTBOX_KILL_DB="+path, "OTVET_OUTBOX_KILL_RELAY="+addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, _, _, msgs := relay.counts(); msgs < n/3; _, _, _, msgs = relay.counts() {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the sender process sent only %d messages in 30 s", msgs)
		}
		time.Sleep(time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	time.Sleep(100 * time.Millisecond) // the relay finishes what it received
	before := relay.delivered()
	if len(before) == 0 || len(before) >= n {
		t.Fatalf("killed after %d of %d messages; want a kill mid-drain", len(before), n)
	}
	t.Logf("killed after the relay took %d of %d messages", len(before), n)
	// Nothing the relay took was marked (the marks waited for a batch), and
	// nothing is lost: every row is pending or sent.
	rows, err := db.ListOutgoing(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	claimed := 0
	for _, r := range rows {
		if r.State != store.OutPending {
			t.Errorf("row %d is %s after the kill, want pending (no mark written)", r.ID, r.State)
		}
		if r.ClaimedUntil.Valid {
			claimed++
		}
	}
	if claimed < len(before) {
		t.Errorf("%d rows claimed after the kill, want at least the %d the relay took", claimed, len(before))
	}
	// Before the claims expire nobody sends them again ...
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": smtpSender(t, addr)}})
	if _, err := w.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	for id, c := range relay.delivered() {
		if c != 1 {
			t.Errorf("%s delivered %d times before its claim expired", id, c)
		}
	}
	// ... after, they are: at least once, the same message.
	later := time.Now().Add(outbox.ClaimMargin + 11*time.Minute)
	w = outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": smtpSender(t, addr)},
		Now: func() time.Time { return later }})
	if _, err := w.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := relay.delivered()
	for _, id := range ids {
		switch want := 1 + before[id]; {
		case got[id] != want:
			t.Errorf("%s delivered %d times, want %d", id, got[id], want)
		}
	}
	rows, _ = db.ListOutgoing(t.Context(), 1000)
	for _, r := range rows {
		if r.State != store.OutSent {
			t.Errorf("row %d: %s (%s), want sent", r.ID, r.State, r.LastError)
		}
	}
}

// killedSender is the process TestKillBeforeMarksResends kills: it drains
// with marks that wait for a batch it never fills.
func killedSender(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: os.Getenv("OTVET_OUTBOX_KILL_DB")})
	if err != nil {
		t.Fatal(err)
	}
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": smtpSender(t, os.Getenv("OTVET_OUTBOX_KILL_RELAY"))},
		MarkBatch: 1 << 20, MarkDelay: time.Hour})
	_, _ = w.Drain(ctx)
	time.Sleep(time.Minute) // killed long before
}
