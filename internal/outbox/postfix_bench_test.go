package outbox_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writtenBytes is what this process has had written to storage
// (write_bytes of /proc/self/io; 0 where there is none).
func writtenBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// plainSender hides the SMTP sender's sessions: one connection per message,
// as the outbox sent before it kept connections.
type plainSender struct{ s outbox.Sender }

func (p plainSender) Send(ctx context.Context, from string, to []string, raw []byte) error {
	return p.s.Send(ctx, from, to, raw)
}

var benchWords = strings.Fields(`заявка обращение пользователь организация ошибка отчёт сервер доступ
	пароль договор обновление версия модуль справочник пациент приём карта медицинская запись врач
	направление результат анализ расписание талон регистратура выгрузка загрузка документ подпись`)

// realisticMail is an acknowledgement-like message of 10 to 20 KB:
// multipart/alternative, Russian text and HTML in base64, as mailout composes.
func realisticMail(rng *rand.Rand, i int, to, id string) []byte {
	size := 3500 + rng.IntN(4<<10) // text; with the HTML part and base64, 10–20 KB
	var text strings.Builder
	for text.Len() < size {
		text.WriteString(benchWords[rng.IntN(len(benchWords))])
		if rng.IntN(12) == 0 {
			text.WriteString(".\r\n")
		} else {
			text.WriteString(" ")
		}
	}
	html := "<html><body><p>" + strings.ReplaceAll(text.String(), "\r\n", "</p>\r\n<p>") + "</p></body></html>"
	b64 := func(s string) string {
		e := base64.StdEncoding.EncodeToString([]byte(s))
		var out strings.Builder
		for len(e) > 76 {
			out.WriteString(e[:76] + "\r\n")
			e = e[76:]
		}
		return out.String() + e + "\r\n"
	}
	const boundary = "otvet-bench-boundary"
	return []byte(fmt.Sprintf("From: =?utf-8?b?0KHQu9GD0LbQsdCw?= <sd@otvet.test>\r\nTo: %s\r\n"+
		"Subject: =?utf-8?b?0JfQsNGP0LLQutCw?= [#%d]\r\nMessage-ID: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n"+
		"Auto-Submitted: auto-replied\r\nContent-Type: multipart/alternative; boundary=%q\r\n\r\n"+
		"--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s"+
		"--%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s--%s--\r\n",
		to, i, id, time.Now().Format(time.RFC1123Z), boundary, boundary, b64(text.String()), boundary, b64(html), boundary))
}

// BenchmarkSendToPostfix sends b.N realistic messages (10–20 KB) from the
// outbox to the real Postfix of scripts/testenv (which delivers them to
// Dovecot), and reports mails/s, the mean size, and this process's CPU and
// bytes written to storage (the database) per mail. Run with a fixed count:
//
//	go test ./internal/outbox -run '^$' -bench SendToPostfix -benchtime 2000x
//
// "before" is the outbox as it was: one sender, a connection per message, a
// mark per message. Each case starts once Postfix has delivered what the
// previous one queued (relayIdle).
func BenchmarkSendToPostfix(b *testing.B) {
	env := testenv.Get(b)
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			relayIdle(b, env.Dir)
			var db *store.DB
			if c.engine == "sqlite" {
				db = openSQLite(b, filepath.Join(b.TempDir(), "otvet.db"))
			} else {
				db = openPostgres(b, env.NewPostgresDB(b))
			}
			box := env.NewMailbox(b, "bench")
			local, domain, _ := strings.Cut(box, "@")
			benchSend(b, c, db, env.SMTPAddr, func(i int) string { return fmt.Sprintf("%s+%d@%s", local, i, domain) })
		})
	}
}

// relayIdle waits (at most three minutes) until the test Postfix's queue
// holds no message: Postfix delivers a run's mail into Dovecot for about a
// minute after the run, on the same cores, and a run started meanwhile
// measures that backlog rather than the sending.
func relayIdle(b *testing.B, dir string) {
	b.Helper()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		queued := 0
		for _, q := range []string{"maildrop", "incoming", "active", "deferred", "hold"} {
			_ = filepath.WalkDir(filepath.Join(dir, "pfq", q), func(_ string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					queued++
				}
				return nil
			})
		}
		if queued == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Logf("Postfix still holds %d messages; measuring anyway", queued)
			return
		}
	}
}

// BenchmarkSendInProcess is BenchmarkSendToPostfix against an in-process
// relay that accepts at once: the outbox's own ceiling (SQLite only unless
// the real servers run).
func BenchmarkSendInProcess(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			var db *store.DB
			if c.engine == "sqlite" {
				db = openSQLite(b, filepath.Join(b.TempDir(), "otvet.db"))
			} else {
				db = openPostgres(b, testenv.Get(b).NewPostgresDB(b))
			}
			_, addr := startCountRelay(b, 0)
			benchSend(b, c, db, addr, func(i int) string { return fmt.Sprintf("user%d@example.org", i) })
		})
	}
}

type benchCase struct {
	name     string
	engine   string
	parallel int
	before   bool
}

var benchCases = []benchCase{
	{"sqlite/before", "sqlite", 1, true},
	{"sqlite/senders=1", "sqlite", 1, false},
	{"sqlite/senders=2", "sqlite", 2, false},
	{"sqlite/senders=4", "sqlite", 4, false},
	{"sqlite/senders=8", "sqlite", 8, false},
	{"sqlite/senders=16", "sqlite", 16, false},
	{"postgres/senders=4", "postgres", 4, false},
}

func benchSend(b *testing.B, c benchCase, db *store.DB, addr string, rcpt func(int) string) {
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	now := time.Now().UTC()
	var bytes int
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := range b.N {
			to := rcpt(i)
			id := fmt.Sprintf("<bench-%d-%d@otvet.test>", now.UnixNano(), i)
			raw := realisticMail(rng, i, to, id)
			bytes += len(raw)
			if err := tx.InsertOutgoing(ctx, &store.Outgoing{Desk: "sd", Kind: "ack", MessageID: id,
				EnvelopeFrom: "sd@otvet.test", Recipients: to, RcptKey: to, Auto: true, Subject: "ack",
				Raw: raw, NextAttemptAt: now, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var sender outbox.Sender = smtpSender(b, addr)
	o := outbox.Options{IsPermanent: mailout.IsPermanent, Parallel: c.parallel}
	if c.before {
		sender = plainSender{sender}
		o.ClaimBatch, o.MarkBatch = 1, 1
	}
	o.Senders = map[string]outbox.Sender{"sd": sender}
	w := outbox.New(db, o)
	runtime.GC()
	b.ResetTimer()
	cpu0, wr0 := cpuTime(), writtenBytes()
	start := time.Now()
	st, err := w.Drain(ctx)
	elapsed := time.Since(start)
	cpu, wr := cpuTime()-cpu0, writtenBytes()-wr0
	b.StopTimer()
	if err != nil || st.Sent != b.N {
		b.Fatalf("drain: %+v, %v", st, err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "mails/s")
	b.ReportMetric(float64(bytes)/float64(b.N)/1024, "KB/mail")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "µs-CPU/mail")
	b.ReportMetric(float64(wr)/float64(b.N)/1024, "KB-written/mail")
}
