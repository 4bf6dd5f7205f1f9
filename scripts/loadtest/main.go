// Command loadtest measures intake against the real Dovecot and Postfix (and
// PostgreSQL) that scripts/testenv/up.sh starts (run it through
// scripts/loadtest.sh), on the realistic corpus of corpus.go: N Russian
// messages of 2–21 KB, a third with an attachment, in UTF-8, windows-1251
// and KOI8-R, from registered users, self-identifying and unknown senders
// and two staff members. In one run it reports:
//
//  1. the raw IMAP rate: UID FETCH 1:* BODY.PEEK[] of the N messages;
//  2. `otvet poll --once --no-send` over the same N messages (parse, rules,
//     store, acknowledgement queued, \Seen after commit) on SQLite, and on
//     PostgreSQL when OTVET_TEST_PG_DSN is set: messages per second, the
//     ratio to the raw rate, and the database bytes per message;
//  3. with `otvet serve` in IDLE mode, the latency from Postfix accepting a
//     message to its ticket being stored, over M messages (p50, p90, max).
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"github.com/otvet/otvet/internal/store"
)

func main() {
	n := flag.Int("n", 2000, "messages for the throughput test")
	m := flag.Int("idle", 40, "messages for the IDLE latency test")
	bin := flag.String("otvet", "bin/otvet", "the otvet binary")
	seed := flag.Uint64("seed", 1, "the corpus's random seed")
	keep := flag.Bool("keep", false, "keep the temporary directory (configurations, SQLite databases) and say where it is")
	flag.StringVar(&profileDir, "cpuprofile", "", "write a CPU and an allocation profile of each otvet poll to `DIR`/poll-ENGINE.prof and .allocs")
	flag.IntVar(&largeMB, "large", 25, "the attachment of the large-mail memory test, in `MB` (0: skip it)")
	flag.Parse()
	if err := run(*n, *m, *bin, *seed, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// largeMB is the attachment size of the large-mail test (largeMail).
var largeMB int

// profileDir, when set, receives a CPU and an allocation profile of each
// timed otvet poll (made, when missing, before the first).
var profileDir string

type servers struct{ imap, smtp, domain, password, pg string }

func run(n, m int, bin string, seed uint64, keep bool) error {
	s := servers{os.Getenv("OTVET_TEST_IMAP_ADDR"), os.Getenv("OTVET_TEST_SMTP_ADDR"), os.Getenv("OTVET_TEST_MAIL_DOMAIN"),
		os.Getenv("OTVET_TEST_IMAP_PASSWORD"), os.Getenv("OTVET_TEST_PG_DSN")}
	if s.imap == "" || s.smtp == "" {
		return errors.New("no test servers: run through scripts/loadtest.sh (or source the env of scripts/testenv/up.sh)")
	}
	if profileDir != "" {
		if err := os.MkdirAll(profileDir, 0o755); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "otvet-load-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	stamp := time.Now().UnixNano()

	// The corpus, the same bytes for every mailbox.
	box := fmt.Sprintf("load-%d@%s", stamp, s.domain)
	c := newCorpus(seed, box)
	msgs := make([][]byte, n)
	var total, attached int
	for i := range msgs {
		msgs[i] = c.message(i)
		total += len(msgs[i])
		if bytes.Contains(msgs[i], []byte("multipart/mixed")) {
			attached++
		}
	}
	dirFile := filepath.Join(dir, "directory.yaml")
	if err := os.WriteFile(dirFile, c.directoryYAML(), 0o600); err != nil {
		return err
	}
	fmt.Printf("corpus: %d messages, %.1f KB on average, %d with an attachment; UTF-8, windows-1251, KOI8-R\n",
		n, float64(total)/float64(n)/1024, attached)

	// 1. Raw fetch rate.
	if err := appendMessages(s, box, msgs); err != nil {
		return err
	}
	raw, err := rawFetchRate(s, box)
	if err != nil {
		return err
	}
	fmt.Printf("raw IMAP FETCH:              %7.0f msgs/s (%.1f MB/s)\n", raw, raw*float64(total)/float64(n)/(1<<20))

	// 2. otvet poll --once, SQLite then PostgreSQL.
	dbPath := filepath.Join(dir, "poll.db")
	cfg, err := writeConfig(dir, "poll", s, box, "", fmt.Sprintf("{driver: sqlite, path: %q}", dbPath))
	if err != nil {
		return err
	}
	sqliteSize := func() int64 {
		var size int64
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(dbPath + suffix); err == nil {
				size += fi.Size()
			}
		}
		return size
	}
	// SQLite writes from the otvet process: its block output.
	sqliteWritten := func(ps *os.ProcessState) int64 {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			return ru.Oublock * 512
		}
		return 0
	}
	if err := pollRun("SQLite", bin, cfg, dirFile, n, raw, sqliteSize, sqliteWritten); err != nil {
		return err
	}
	if s.pg != "" {
		// The second mailbox of the two-instance run gets other messages of the same kind.
		c2 := newCorpus(seed+1, box)
		msgs2 := make([][]byte, n)
		for i := range msgs2 {
			msgs2[i] = c2.message(i)
		}
		if err := pgRuns(s, bin, dir, dirFile, stamp, msgs, msgs2, raw); err != nil {
			return err
		}
	}

	if largeMB > 0 {
		if err := largeMail(s, bin, dir, stamp, largeMB); err != nil {
			return err
		}
	}

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

// pollRun migrates the database, imports the directory and times
// `otvet poll --once --no-send` over the n messages; size tells the
// database's size in bytes, written the bytes the database wrote (SQLite:
// the process's block output; PostgreSQL: the WAL generated) since start,
// called just before the poll.
func pollRun(engine, bin, cfg, dirFile string, n int, raw float64, size func() int64, written func(*os.ProcessState) int64, start ...func()) error {
	_, err := pollRunRate(engine, bin, cfg, dirFile, n, raw, size, written, start...)
	return err
}

// pollRunRate is pollRun returning the rate (messages per second).
func pollRunRate(engine, bin, cfg, dirFile string, n int, raw float64, size func() int64, written func(*os.ProcessState) int64, start ...func()) (float64, error) {
	if err := prepareDB(bin, cfg, dirFile); err != nil {
		return 0, err
	}
	before := size()
	for _, f := range start {
		f()
	}
	t0 := time.Now()
	cmd := exec.Command(bin, "poll", "--once", "--no-send", "--config", cfg)
	if profileDir != "" {
		cmd.Env = append(os.Environ(), "OTVET_CPUPROFILE="+filepath.Join(profileDir, "poll-"+engine+".prof"),
			"OTVET_MEMPROFILE="+filepath.Join(profileDir, "poll-"+engine+".allocs"))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("poll: %v\n%s", err, out)
	}
	rate := float64(n) / time.Since(t0).Seconds()
	ps := cmd.ProcessState
	fmt.Printf("otvet poll --once (%s): %7.0f msgs/s (%.1f %% of raw fetch; process start included); per message: %.2f ms of otvet CPU, %.1f KB of database, %.1f KB written\n",
		engine, rate, 100*rate/raw, float64((ps.UserTime()+ps.SystemTime()).Microseconds())/1000/float64(n),
		float64(size()-before)/float64(n)/1024, float64(written(ps))/float64(n)/1024)
	return rate, nil
}

// pgDatabase creates a database for one run on the server of dsn: its DSN,
// its size, the server's WAL bytes so far, and how to drop it.
func pgDatabase(dsn, name string) (string, func() int64, func() int64, func(), error) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("postgres: %w", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		admin.Close(ctx)
		return "", nil, nil, nil, fmt.Errorf("postgres: %w", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		admin.Close(ctx)
		return "", nil, nil, nil, err
	}
	u.Path = "/" + name
	size := func() int64 {
		var n int64
		if err := admin.QueryRow(ctx, "SELECT pg_database_size($1)", name).Scan(&n); err != nil {
			return 0
		}
		return n
	}
	wal := func() int64 {
		var n int64
		if err := admin.QueryRow(ctx, "SELECT wal_bytes::bigint FROM pg_stat_wal").Scan(&n); err != nil {
			return 0
		}
		return n
	}
	drop := func() {
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		admin.Close(ctx)
	}
	return u.String(), size, wal, drop, nil
}

// idleRun measures delivery → stored for m messages sent one by one through
// Postfix to a mailbox that otvet serve watches with IDLE.
func idleRun(s servers, bin, dir string, stamp int64, m int, check string) error {
	name := "idle-" + strings.TrimSuffix(check, "ms")
	box := fmt.Sprintf("%s-%d@%s", name, stamp, s.domain)
	cfg, err := writeConfig(dir, name, s, box, "idle_check: "+check, fmt.Sprintf("{driver: sqlite, path: %q}", filepath.Join(dir, name+".db")))
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

func appendMessages(s servers, box string, msgs [][]byte) error {
	c, err := login(s, box)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, raw := range msgs {
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

func writeConfig(dir, name string, s servers, box, imapExtra, database string) (string, error) {
	return writeConfigBoxes(dir, name, s, []string{box}, imapExtra, database)
}

// writeConfigBoxes writes a configuration with one desk per mailbox, in that order.
func writeConfigBoxes(dir, name string, s servers, boxes []string, imapExtra, database string) (string, error) {
	ih, ip, _ := net.SplitHostPort(s.imap)
	var staff strings.Builder
	for i, a := range staffAddrs {
		fmt.Fprintf(&staff, "  - {email: %s, name: Агент %d, role: agent}\n", a, i+1)
	}
	var desks strings.Builder
	for _, box := range boxes {
		fmt.Fprintf(&desks, `  - name: %s
    support_address: %s
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q, %s}
    smtp: {host: 127.0.0.1, port: 1, security: none}
`, strings.NewReplacer("@", "-", ".", "-").Replace(box), box, ih, ip, box, s.password, imapExtra)
	}
	body := fmt.Sprintf(`database: %s
secret_key: "loadtest-secret-key-0123456789abcdef"
log: {level: warn}
auto_reply: {max_per_hour: 100000}
desks:
%sstaff:
%s`, database, desks.String(), staff.String())
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

// pgRuns measures intake on PostgreSQL: one instance over the n messages;
// two instances on one database, each starting with its own mailbox of n
// messages (msgs and msgs2) (the advisory lock gives each mailbox to one of them); and the
// round trips per message, counted through a proxy on a separate, smaller
// run (the proxy costs time, so it stays out of the rates).
func pgRuns(s servers, bin, dir, dirFile string, stamp int64, msgs, msgs2 [][]byte, raw float64) error {
	n := len(msgs)
	newDB := func(tag string) (string, func() int64, func() int64, func(), error) {
		return pgDatabase(s.pg, fmt.Sprintf("otvet_load_%s_%d", tag, stamp))
	}
	newBox := func(tag string, msgs [][]byte) (string, error) {
		box := fmt.Sprintf("load-%s-%d@%s", tag, stamp, s.domain)
		return box, appendMessages(s, box, msgs)
	}
	pgConfig := func(name, dsn string, boxes ...string) (string, error) {
		return writeConfigBoxes(dir, name, s, boxes, "", fmt.Sprintf("{driver: postgres, dsn: %q}", dsn))
	}

	// One instance.
	box, err := newBox("pg1", msgs)
	if err != nil {
		return err
	}
	dsn, size, wal, drop, err := newDB("one")
	if err != nil {
		return err
	}
	defer drop()
	cfg, err := pgConfig("poll-pg", dsn, box)
	if err != nil {
		return err
	}
	walBefore := int64(0)
	written := func(*os.ProcessState) int64 { return wal() - walBefore }
	one, err := pollRunRate("PostgreSQL", bin, cfg, dirFile, n, raw, size, written, func() { walBefore = wal() })
	if err != nil {
		return err
	}

	// Two instances on one database.
	boxA, err := newBox("pg2a", msgs)
	if err != nil {
		return err
	}
	boxB, err := newBox("pg2b", msgs2)
	if err != nil {
		return err
	}
	dsn2, _, _, drop2, err := newDB("two")
	if err != nil {
		return err
	}
	defer drop2()
	cfgA, err := pgConfig("poll-pg2a", dsn2, boxA, boxB)
	if err != nil {
		return err
	}
	cfgB, err := pgConfig("poll-pg2b", dsn2, boxB, boxA)
	if err != nil {
		return err
	}
	if err := prepareDB(bin, cfgA, dirFile); err != nil {
		return err
	}
	t0 := time.Now()
	a := exec.Command(bin, "poll", "--once", "--no-send", "--config", cfgA)
	b := exec.Command(bin, "poll", "--once", "--no-send", "--config", cfgB)
	var outA, outB bytes.Buffer
	a.Stdout, a.Stderr, b.Stdout, b.Stderr = &outA, &outA, &outB, &outB
	if err := a.Start(); err != nil {
		return err
	}
	if err := b.Start(); err != nil {
		return err
	}
	errA, errB := a.Wait(), b.Wait()
	if errA != nil || errB != nil {
		return fmt.Errorf("two instances: %v %v\n%s\n%s", errA, errB, outA.String(), outB.String())
	}
	two := float64(2*n) / time.Since(t0).Seconds()
	cpu := a.ProcessState.UserTime() + a.ProcessState.SystemTime() + b.ProcessState.UserTime() + b.ProcessState.SystemTime()
	fmt.Printf("otvet poll --once (PostgreSQL, two instances, one database, a mailbox each): %7.0f msgs/s together (%.2f× one instance); %.2f ms of otvet CPU per message\n",
		two, two/one, float64(cpu.Microseconds())/1000/float64(2*n))

	// Round trips, through the counting proxy, on a part of the corpus.
	m := min(n, 300)
	boxC, err := newBox("pgc", msgs[:m])
	if err != nil {
		return err
	}
	dsn3, _, _, drop3, err := newDB("count")
	if err != nil {
		return err
	}
	defer drop3()
	px, err := newTripCounter(dsn3)
	if err != nil {
		return err
	}
	defer px.Close()
	cfgC, err := pgConfig("poll-pgc", px.dsn, boxC)
	if err != nil {
		return err
	}
	if err := prepareDB(bin, cfgC, dirFile); err != nil {
		return err
	}
	trips0 := px.trips.Load()
	if out, err := exec.Command(bin, "poll", "--once", "--no-send", "--config", cfgC).CombinedOutput(); err != nil {
		return fmt.Errorf("poll: %v\n%s", err, out)
	}
	fmt.Printf("PostgreSQL round trips per message (a pass over %d of the messages, batch start and end included): %.1f\n",
		m, float64(px.trips.Load()-trips0)/float64(m))
	return nil
}

// prepareDB migrates the database of cfg and imports the directory.
func prepareDB(bin, cfg, dirFile string) error {
	if out, err := exec.Command(bin, "migrate", "--config", cfg).CombinedOutput(); err != nil {
		return fmt.Errorf("migrate: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "directory", "import", dirFile, "--config", cfg).CombinedOutput(); err != nil {
		return fmt.Errorf("directory import: %v\n%s", err, out)
	}
	return nil
}

// largeMail measures the peak memory of `otvet poll --once` (SQLite, limits
// raised, GOMEMLIMIT unset) taking in one message with an attachment of mb
// MB, against the same process taking in one small message.
func largeMail(s servers, bin, dir string, stamp int64, mb int) error {
	peak := func(tag string, raw []byte) (int64, error) {
		box := fmt.Sprintf("large-%s-%d@%s", tag, stamp, s.domain)
		if err := appendMessages(s, box, [][]byte{raw}); err != nil {
			return 0, err
		}
		cfg, err := writeConfigBoxes(dir, "large-"+tag, s, []string{box}, "",
			fmt.Sprintf("{driver: sqlite, path: %q}", filepath.Join(dir, "large-"+tag+".db")))
		if err != nil {
			return 0, err
		}
		f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return 0, err
		}
		_, err = fmt.Fprintf(f, "limits: {max_message_bytes: %dMiB, max_attachment_bytes: %dMiB, max_total_attachment_bytes: %dMiB}\n", 2*mb+8, mb+4, mb+4)
		f.Close()
		if err != nil {
			return 0, err
		}
		if out, err := exec.Command(bin, "migrate", "--config", cfg).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("migrate: %v\n%s", err, out)
		}
		cmd := exec.Command(bin, "poll", "--once", "--no-send", "--config", cfg)
		cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, "GOMEMLIMIT=") || strings.HasPrefix(e, "GOGC=") })
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		// The child's own high-water mark (VmHWM of its address space): the
		// rusage of a child counts the RSS of this process at the fork too.
		done := make(chan struct{})
		hwm := make(chan int64, 1)
		go func() {
			var last int64
			status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
			for {
				if b, err := os.ReadFile(status); err == nil {
					for _, l := range strings.Split(string(b), "\n") {
						if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
							var kb int64
							if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb); err == nil && kb > 0 {
								last = kb * 1024
							}
						}
					}
				}
				select {
				case <-done:
					hwm <- last
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		err = cmd.Wait()
		close(done)
		peak := <-hwm
		if err != nil {
			return 0, fmt.Errorf("poll: %v\n%s", err, out.String())
		}
		if peak == 0 {
			return 0, errors.New("could not read the process's VmHWM")
		}
		return peak, nil
	}
	small := message(0, "large@client.example.test", "large@"+s.domain)
	base, err := peak("small", small)
	if err != nil {
		return err
	}
	big := largeMessage(mb<<20, "large@"+s.domain)
	top, err := peak("big", big)
	if err != nil {
		return err
	}
	fmt.Printf("large mail: a %.1f MB message (a %d MB attachment): peak RSS (VmHWM) %.0f MB, %.0f MB above a small message's %.0f MB = %.2f× the message\n",
		float64(len(big))/(1<<20), mb, float64(top)/(1<<20), float64(top-base)/(1<<20), float64(base)/(1<<20), float64(top-base)/float64(len(big)))
	return nil
}

// largeMessage is a short request with one attachment of n random bytes in base64.
func largeMessage(n int, to string) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7919 + i>>8)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Иванова Мария <large@client.example.test>\r\nTo: %s\r\nSubject: Скан договора\r\nMessage-ID: <large-%d@example.test>\r\n"+
		"Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nЗдравствуйте! Во вложении скан договора, не открывается в СЭД.\r\n"+
		"--b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		to, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z))
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n--b1--\r\n")
	return b.Bytes()
}
