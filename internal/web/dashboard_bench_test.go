package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/web"
	"github.com/otvet/otvet/internal/workcal"
)

// BenchmarkDashboardAtScale serves /dashboard (and the queue) over the data
// internal/store's BenchmarkQueueAtScale seeded and kept (100,000 tickets,
// 500,000 messages): OTVET_BENCH_DB names its SQLite file,
// OTVET_BENCH_PG_DSN its PostgreSQL database; skipped without them.
//
//	OTVET_BENCH_DB=~/.cache/otvet-bench/queue-100000.db go test -run '^$' -bench DashboardAtScale -benchtime 20x ./internal/web
func BenchmarkDashboardAtScale(b *testing.B) {
	engines := map[string]store.Options{}
	if p := os.Getenv("OTVET_BENCH_DB"); p != "" {
		engines["sqlite"] = store.Options{Dialect: store.SQLite, Path: p}
	}
	if dsn := os.Getenv("OTVET_BENCH_PG_DSN"); dsn != "" {
		engines["postgres"] = store.Options{Dialect: store.Postgres, DSN: dsn}
	}
	if len(engines) == 0 {
		b.Skip("OTVET_BENCH_DB or OTVET_BENCH_PG_DSN names the seeded data (internal/store BenchmarkQueueAtScale)")
	}
	for _, name := range []string{"sqlite", "postgres"} {
		o, ok := engines[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			srv, cookie := benchConsole(b, o)
			for _, path := range []string{"/dashboard?period=day", "/dashboard?period=week", "/dashboard?period=month", "/queue", "/queue?q=школа+3+принтер"} {
				b.Run(path, func(b *testing.B) {
					var took []time.Duration
					for b.Loop() {
						req, _ := http.NewRequest("GET", srv.URL+path, nil)
						req.AddCookie(cookie)
						start := time.Now()
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							b.Fatal(err)
						}
						resp.Body.Close()
						took = append(took, time.Since(start))
						if resp.StatusCode != http.StatusOK {
							b.Fatalf("%s: %s", path, resp.Status)
						}
					}
					slices.Sort(took)
					b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
				})
			}
		})
	}
}

// benchConsole serves the console over the seeded data at the seed's end
// (27.12.2024), with a signed-in lead's session cookie.
func benchConsole(b *testing.B, o store.Options) (*httptest.Server, *http.Cookie) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)
	loc, _ := time.LoadLocation("Europe/Moscow")
	cal, err := workcal.New(workcal.Options{Location: loc})
	if err != nil {
		b.Fatal(err)
	}
	levels := map[string]sla.Level{}
	for _, l := range sla.DefaultLevels() {
		levels[l.Name] = l
	}
	tmpl, err := mailout.LoadTemplates("")
	if err != nil {
		b.Fatal(err)
	}
	signer, err := mailout.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	svc, err := helpdesk.New(helpdesk.Options{DB: db, Signer: signer, Templates: tmpl, Now: func() time.Time { return now },
		Desks: []helpdesk.Desk{{Name: "sd", SupportAddress: support, DisplayName: "Служба поддержки", Language: "ru", Location: loc}}})
	if err != nil {
		b.Fatal(err)
	}
	const member = "bench-lead@kgo66.ru"
	token := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	err = db.Tx(ctx, func(tx *store.Tx) error {
		return tx.UpsertStaff(ctx, &store.Staff{Email: member, Name: "Старший", Role: store.StaffLead, Active: true}, "bench", now)
	})
	if err != nil {
		b.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		return tx.InsertWebSession(ctx, &store.WebSession{TokenHash: web.HashTokenForTest(token), Email: member, Role: store.StaffLead,
			CSRF: "x", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(24 * time.Hour)})
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := web.New(web.Options{DB: db, Service: svc, Templates: tmpl, BaseURL: "http://console.test", Now: func() time.Time { return now },
		Desks:  []web.Desk{{Name: "sd", DisplayName: "Служба поддержки", SupportAddress: support, Language: "ru", Location: loc, Calendar: cal}},
		Digest: &digest.Setup{Calendars: map[string]*workcal.Calendar{"sd": cal}, Default: cal, Levels: levels, Clauses: digest.DefaultClauses()}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	return srv, &http.Cookie{Name: "otvet_session", Value: token}
}
