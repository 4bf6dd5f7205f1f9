// Command loadtest measures intake against the real Dovecot and Postfix that
// scripts/testenv/up.sh starts (run it through scripts/loadtest.sh):
//
//  1. the raw IMAP rate: UID FETCH 1:* BODY.PEEK[] of N messages;
//  2. `otvet poll --once --no-send` over the same N messages (parse, store,
//     acknowledgement queued, \Seen after commit), in messages per second;
//  3. with `otvet serve` in IDLE mode, the latency from Postfix accepting a
//     message to its ticket being stored, over M messages (p50, p90, max).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/otvet/otvet/internal/store"
)

func main() {
	n := flag.Int("n", 2000, "messages for the throughput test")
	m := flag.Int("idle", 40, "messages for the IDLE latency test")
	bin := flag.String("otvet", "bin/otvet", "the otvet binary")
	flag.Parse()
	if err := run(*n, *m, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type servers struct{ imap, smtp, domain, password string }

func run(n, m int, bin string) error {
	s := servers{os.Getenv("OTVET_TEST_IMAP_ADDR"), os.Getenv("OTVET_TEST_SMTP_ADDR"), os.Getenv("OTVET_TEST_MAIL_DOMAIN"), os.Getenv("OTVET_TEST_IMAP_PASSWORD")}
	if s.imap == "" || s.smtp == "" {
		return errors.New("no test servers: run through scripts/loadtest.sh (or source the env of scripts/testenv/up.sh)")
	}
	dir, err := os.MkdirTemp("", "otvet-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	stamp := time.Now().UnixNano()

	// 1. Raw fetch rate.
	box := fmt.Sprintf("load-%d@%s", stamp, s.domain)
	if err := appendMessages(s, box, n); err != nil {
		return err
	}
	raw, err := rawFetchRate(s, box)
	if err != nil {
		return err
	}
	fmt.Printf("raw IMAP FETCH:              %7.0f msgs/s (%d messages)\n", raw, n)

	// 2. otvet poll --once.
	cfg, err := writeConfig(dir, "poll", s, box, "")
	if err != nil {
		return err
	}
	if out, err := exec.Command(bin, "migrate", "--config", cfg).CombinedOutput(); err != nil {
		return fmt.Errorf("migrate: %v\n%s", err, out)
	}
	start := time.Now()
	out, err := exec.Command(bin, "poll", "--once", "--no-send", "--config", cfg).CombinedOutput()
	if err != nil {
		return fmt.Errorf("poll: %v\n%s", err, out)
	}
	rate := float64(n) / time.Since(start).Seconds()
	fmt.Printf("otvet poll --once (SQLite):  %7.0f msgs/s (%.0f %% of raw fetch; process start included)\n", rate, 100*rate/raw)

	// 3. IDLE latency: Dovecot's own announcement, then with idle_check.
	if m == 0 {
		return nil
	}
	for _, check := range []string{"0", "200ms"} {
		if err := idleRun(s, bin, dir, stamp, m, check); err != nil {
			return err
		}
	}
	return nil
}

// idleRun measures delivery → stored for m messages sent one by one through
// Postfix to a mailbox that otvet serve watches with IDLE.
func idleRun(s servers, bin, dir string, stamp int64, m int, check string) error {
	name := "idle-" + strings.TrimSuffix(check, "ms")
	box := fmt.Sprintf("%s-%d@%s", name, stamp, s.domain)
	cfg, err := writeConfig(dir, name, s, box, "idle_check: "+check)
	if err != nil {
		return err
	}
	if out, err := exec.Command(bin, "migrate", "--config", cfg).CombinedOutput(); err != nil {
		return fmt.Errorf("migrate: %v\n%s", err, out)
	}
	lat, err := idleLatency(s, bin, cfg, filepath.Join(dir, name+".db"), box, m)
	if err != nil {
		return err
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(time.Millisecond) }
	fmt.Printf("IDLE, idle_check %-5s -> stored: p50 %v, p90 %v, max %v (%d messages)\n", check, q(0.5), q(0.9), lat[len(lat)-1].Round(time.Millisecond), len(lat))
	return nil
}

func message(i int, from, to string) []byte {
	return []byte(fmt.Sprintf("From: Пользователь %d <%s>\r\nTo: %s\r\nSubject: Обращение %d\r\nMessage-ID: <load-%d-%d@example.test>\r\n"+
		"Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Здравствуйте! Не открывается журнал после обновления, ошибка 500. Пробовали другой браузер.\r\n"+
		"Иванова М. П., МАОУ СОШ 3, тел. 2-11-05\r\n", i, from, to, i, time.Now().UnixNano(), i, time.Now().Format(time.RFC1123Z)))
}

func login(s servers, box string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(s.imap, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(box, s.password).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func appendMessages(s servers, box string, n int) error {
	c, err := login(s, box)
	if err != nil {
		return err
	}
	defer c.Close()
	for i := 0; i < n; i++ {
		raw := message(i, fmt.Sprintf("user%d@client%d.example.test", i, i%40), box)
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		if _, err := cmd.Wait(); err != nil {
			return err
		}
	}
	return nil
}

func rawFetchRate(s servers, box string) (float64, error) {
	c, err := login(s, box)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return 0, err
	}
	start := time.Now()
	var all imap.UIDSet
	all.AddRange(1, 0)
	cmd := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	count := 0
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if b, ok := item.(imapclient.FetchItemDataBodySection); ok && b.Literal != nil {
				if _, err := io.Copy(io.Discard, b.Literal); err != nil {
					return 0, err
				}
				count++
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return 0, err
	}
	return float64(count) / time.Since(start).Seconds(), nil
}

func writeConfig(dir, name string, s servers, box, imapExtra string) (string, error) {
	ih, ip, _ := net.SplitHostPort(s.imap)
	body := fmt.Sprintf(`database: {driver: sqlite, path: %q}
secret_key: "loadtest-secret-key-0123456789abcdef"
log: {level: warn}
auto_reply: {max_per_hour: 100000}
desks:
  - name: sd
    support_address: %s
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q, %s}
    smtp: {host: 127.0.0.1, port: 1, security: none}
`, filepath.Join(dir, name+".db"), box, ih, ip, box, s.password, imapExtra)
	p := filepath.Join(dir, name+".yaml")
	return p, os.WriteFile(p, []byte(body), 0o600)
}

func idleLatency(s servers, bin, cfg, dbPath, box string, m int) ([]time.Duration, error) {
	srv := exec.Command(bin, "serve", "--config", cfg)
	var logs bytes.Buffer
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = srv.Process.Signal(os.Interrupt)
		_ = srv.Wait()
	}()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: dbPath})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	time.Sleep(1500 * time.Millisecond) // let it log in and start IDLE
	var lat []time.Duration
	for i := 0; i < m; i++ {
		from := fmt.Sprintf("idle%d@client.example.test", i)
		sent := time.Now()
		if err := send(s.smtp, from, box, message(i, from, box)); err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		deadline := sent.Add(10 * time.Second)
		for {
			c, err := db.Counts(ctx)
			if err == nil && c.Raw > i {
				lat = append(lat, time.Since(sent))
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("message %d not stored within 10s; otvet serve says:\n%s", i, strings.TrimSpace(logs.String()))
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return lat, nil
}

// send submits one message in clear text on loopback, as a local MTA client would.
func send(addr, from, to string, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}
