package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// The queue and search at scale: 100,000 tickets with 500,000 messages
// (BENCH_TICKETS overrides the count, five messages each). Seeding takes
// minutes (about 7 on SQLite, more on PostgreSQL), so the seeded data is
// kept between runs: SQLite in a file of the user's cache directory
// (OTVET_BENCH_DB names another; it is written under a temporary name and
// renamed when complete), PostgreSQL in the database OTVET_BENCH_PG_DSN names
// (seeded once, marked complete in the table bench_seeded; without it a
// fresh database of the test servers, seeded every run). Each sub-benchmark
// reports p50 and p95 (ms) over its runs.
//
//	go test -run '^$' -bench BenchmarkQueueAtScale -benchtime 200x ./internal/store

var benchWords = strings.Fields(`добрый день просьба помочь не работает принтер печатает бумага картридж замятие
	сканер монитор компьютер включается пароль вход учетная запись почта письмо отправить получить ошибка
	программа обновление лицензия договор счет оплата отчет кабинет школа гимназия детский сад больница
	поликлиника регистратура запись пациент карта медицинская электронная подпись сертификат ключ токен
	сеть интернет роутер кабель wi-fi медленно зависает перезагрузка сервер база данных резервная копия
	телефон звонок номер заявка срочно вчера сегодня утром после обеда директор бухгалтер завуч учитель
	журнал дневник расписание урок класс ученик родитель справка документ согласование подписание приказ`)

var benchSystems = []string{"", "", "МИС", "СЭД", "1С"}

func benchDB(b *testing.B, dialect store.Dialect) *store.DB {
	b.Helper()
	ctx := context.Background()
	n := 100_000
	if s := os.Getenv("BENCH_TICKETS"); s != "" {
		fmt.Sscan(s, &n)
	}
	var o store.Options
	var finish func(db *store.DB) // marks the seeded data complete
	switch dialect {
	case store.SQLite:
		path := os.Getenv("OTVET_BENCH_DB")
		if path == "" {
			dir, err := os.UserCacheDir()
			if err != nil {
				dir = os.TempDir()
			}
			dir = filepath.Join(dir, "otvet-bench")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			path = filepath.Join(dir, fmt.Sprintf("queue-%d.db", n))
		}
		if _, err := os.Stat(path); err == nil {
			o = store.Options{Dialect: store.SQLite, Path: path}
			break
		}
		tmp := path + ".seeding"
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(tmp + suffix)
		}
		o = store.Options{Dialect: store.SQLite, Path: tmp}
		finish = func(db *store.DB) {
			if err := db.Close(); err != nil { // checkpoints the WAL into the file
				b.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				b.Fatal(err)
			}
			b.Logf("seeded data kept in %s", path)
		}
	case store.Postgres:
		dsn := os.Getenv("OTVET_BENCH_PG_DSN")
		if dsn == "" {
			dsn = testenv.Get(b).NewPostgresDB(b)
		}
		o = store.Options{Dialect: store.Postgres, DSN: dsn}
	}
	db, err := store.Open(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if dialect == store.Postgres {
		seeded, err := pgSeeded(ctx, db, n)
		if err != nil {
			b.Fatal(err)
		}
		if seeded {
			b.Cleanup(func() { db.Close() })
			benchFinish(b, db, dialect)
			return db
		}
		finish = func(db *store.DB) {
			if err := db.ExecForTest(ctx, `CREATE TABLE IF NOT EXISTS bench_seeded (tickets integer NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			if err := db.ExecForTest(ctx, `INSERT INTO bench_seeded (tickets) VALUES (?)`, n); err != nil {
				b.Fatal(err)
			}
			if err := db.ExecForTest(ctx, `VACUUM ANALYZE`); err != nil {
				b.Fatal(err)
			}
		}
	} else if finish == nil {
		b.Cleanup(func() { db.Close() })
		benchFinish(b, db, dialect)
		return db
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	// Words by Zipf's law: the list above first, then 20,000 made-up ones.
	vocab := slices.Clone(benchWords)
	syl := []string{"ка", "ро", "ми", "ст", "ва", "ле", "но", "ду", "пр", "ти", "зе", "бо"}
	for i := range 20_000 {
		w := ""
		for j := i; ; j /= len(syl) {
			w += syl[j%len(syl)]
			if j < len(syl) {
				break
			}
		}
		vocab = append(vocab, w+"ин")
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.07, 2, uint64(len(vocab)-1))
	text := func(words int) string {
		var sb strings.Builder
		for i := range words {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(vocab[zipf.Uint64()])
		}
		return sb.String()
	}
	var orgs []int64
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := range 200 {
			o := &store.Org{Name: fmt.Sprintf("Школа № %d", i+1), SupportLevel: "basic"}
			if err := tx.CreateOrg(ctx, o, "bench", t0); err != nil {
				return err
			}
			orgs = append(orgs, o.ID)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	const perTx = 1000
	for done := 0; done < n; done += perTx {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := done; i < min(done+perTx, n); i++ {
				status := store.StatusClosed
				if rng.IntN(10) == 0 {
					status = []string{store.StatusOpen, store.StatusWaiting, store.StatusPlanned, store.StatusDeferred}[rng.IntN(4)]
				}
				created := t0.Add(-time.Duration(n-i) * 5 * time.Minute)
				tk := &store.Ticket{Desk: "sd", Status: status, Channel: "email", Subject: text(4),
					RequesterEmail: fmt.Sprintf("user%d@school%d.ru", rng.IntN(3000), rng.IntN(200)), CreatedAt: created, UpdatedAt: created,
					OrgID: sql.NullInt64{Int64: orgs[rng.IntN(len(orgs))], Valid: true}, SupportLevel: "basic",
					System:           benchSystems[rng.IntN(len(benchSystems))],
					FirstResponseDue: sql.NullTime{Time: created.Add(4 * time.Hour), Valid: true},
					ResolutionDue:    sql.NullTime{Time: created.Add(72 * time.Hour), Valid: true}}
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				if rng.IntN(3) > 0 {
					if err := tx.SetTicketField(ctx, tk.ID, store.FieldAssignee, fmt.Sprintf("agent%d@desk.ru", rng.IntN(10)), created); err != nil {
						return err
					}
				}
				for range 5 {
					m := &store.Message{TicketID: tk.ID, Direction: store.DirIn, FromAddr: tk.RequesterEmail, Subject: tk.Subject,
						BodyText: store.Text(text(40)), CreatedAt: created}
					if err := tx.InsertMessage(ctx, m); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	benchFinish(b, db, dialect)
	b.Logf("seeded %d tickets, %d messages on %s in %s", n, 5*n, dialect, time.Since(start).Round(time.Second))
	finish(db)
	if dialect == store.SQLite {
		if db, err = store.Open(ctx, store.Options{Dialect: store.SQLite, Path: strings.TrimSuffix(o.Path, ".seeding")}); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// pgSeeded reports whether a PostgreSQL database holds n seeded tickets;
// one holding some other data is refused.
func pgSeeded(ctx context.Context, db *store.DB, n int) (bool, error) {
	if marks, err := db.IntsForTest(ctx, `SELECT tickets FROM bench_seeded`); err == nil && slices.Contains(marks, n) {
		return true, nil
	}
	tickets, err := db.IntsForTest(ctx, `SELECT COUNT(*) FROM tickets`)
	if err != nil {
		return false, err
	}
	if len(tickets) == 1 && tickets[0] > 0 {
		return false, fmt.Errorf("OTVET_BENCH_PG_DSN: the database holds %d tickets but was not seeded with %d: drop it", tickets[0], n)
	}
	return false, nil
}

func BenchmarkQueueAtScale(b *testing.B) {
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			db := benchDB(b, dialect)
			ctx := context.Background()
			cases := []struct {
				name string
				f    store.TicketFilter
			}{
				{"search-one-word", store.TicketFilter{Search: "картриджа"}},
				{"search-three-words", store.TicketFilter{Search: "принтер не печатает замятие бумаги"}},
				{"search-rare", store.TicketFilter{Search: "user17@school3.ru"}},
				{"search-org", store.TicketFilter{Search: "школа 3 принтер", Statuses: []string{store.StatusActive}}},
				{"queue-active", store.TicketFilter{Statuses: []string{store.StatusActive}}},
				{"queue-agent", store.TicketFilter{Statuses: []string{store.StatusActive}, Assignee: "agent3@desk.ru"}},
				{"queue-unassigned-system", store.TicketFilter{Unassigned: true, System: "мис", Statuses: []string{store.StatusActive}}},
				{"queue-breached", store.TicketFilter{Breached: true, Now: t0}},
				{"queue-due-within", store.TicketFilter{DueWithin: 4 * time.Hour, Now: t0.Add(-48 * time.Hour)}},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					defer lockThread()()
					var took, cpu []time.Duration
					found := 0
					for b.Loop() {
						start := time.Now()
						c0, ok := threadCPU()
						items, err := db.FindTickets(ctx, c.f)
						if err != nil {
							b.Fatal(err)
						}
						took = append(took, time.Since(start))
						if c1, ok1 := threadCPU(); ok && ok1 && dialect == store.SQLite {
							cpu = append(cpu, c1-c0)
						}
						found = len(items)
					}
					reportPercentiles(b, took, "")
					reportPercentiles(b, cpu, "cpu-")
					b.ReportMetric(float64(found), "found")
				})
			}
		})
	}
}

// reportPercentiles reports the p50 and p95 of ds in milliseconds.
func reportPercentiles(b *testing.B, ds []time.Duration, prefix string) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, prefix+"p95-ms")
}

// benchFinish gives the seeded tickets what the dashboard reads (version 2
// of the data, applied once, also to data seeded before): a closed ticket
// was answered an hour after it came, resolved a day after and closed two
// days after; every ticket has its two SLA clocks (4 and 24 business
// hours), stopped when answered and resolved.
func benchFinish(b *testing.B, db *store.DB, dialect store.Dialect) {
	b.Helper()
	ctx := context.Background()
	if vs, err := db.IntsForTest(ctx, `SELECT version FROM bench_finished`); err == nil && slices.Contains(vs, 2) {
		return
	}
	start := time.Now()
	// at(col, shift) is an instant as SQL text, shifted by hours; iso(col,
	// shift) the same in RFC 3339 for the clocks' JSON.
	at := func(col string, h int) string {
		return fmt.Sprintf(`strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, '+%d hours') || '+00:00'`, col, h)
	}
	iso := func(col string, h int) string {
		return fmt.Sprintf(`strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', %s, '+%d hours')`, col, h)
	}
	if dialect == store.Postgres {
		at = func(col string, h int) string { return fmt.Sprintf(`%s + interval '%d hours'`, col, h) }
		iso = func(col string, h int) string {
			return fmt.Sprintf(`to_char((%s + interval '%d hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`, col, h)
		}
	}
	clock := func(metric, target, stop string) string {
		events := `'[{"kind":"start","at":"' || ` + iso("created_at", 0) + ` || '"}'`
		if stop != "" {
			events += ` || CASE WHEN status = 'closed' THEN ',{"kind":"stop","at":"' || ` + stop + ` || '"}' ELSE '' END`
		}
		return `'{"metric":"` + metric + `","target":"` + target + `","warn_percent":80,"events":' || ` + events + ` || ']}'`
	}
	stmts := []string{
		`UPDATE tickets SET first_response_at = ` + at("created_at", 1) + `, resolved_at = ` + at("created_at", 24) +
			`, closed_at = ` + at("created_at", 48) + ` WHERE status = 'closed'`,
		`UPDATE tickets SET sla_first_response = ` + clock("first_response", "4h0m0s", iso("created_at", 1)) +
			`, sla_resolution = ` + clock("resolution", "24h0m0s", iso("created_at", 24)),
		`CREATE TABLE IF NOT EXISTS bench_finished (version integer NOT NULL)`,
		`INSERT INTO bench_finished (version) VALUES (2)`,
	}
	if dialect == store.Postgres {
		// Autovacuum would, in a while; SQLite is left without statistics,
		// as Otvet leaves its database.
		stmts = append(stmts, `VACUUM ANALYZE tickets`)
	}
	for _, q := range stmts {
		if err := db.ExecForTest(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	b.Logf("seeded data brought to version 2 in %s", time.Since(start).Round(time.Second))
}
