package digest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// genTickets makes n tickets over 2024 with realistic clocks: most answered
// and resolved, some paused while waiting, some late, some still open.
func genTickets(n int, cal *workcal.Calendar) []store.Ticket {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 9, 0, 0, 0, 0, msk)
	span := time.Date(2024, 12, 28, 0, 0, 0, 0, msk).Sub(start)
	levels := sla.DefaultLevels()
	enc := func(c *sla.Clock) string {
		b, _ := json.Marshal(c)
		return string(b)
	}
	ts := make([]store.Ticket, n)
	for i := range ts {
		created := start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Minute)
		lvl := levels[rng.IntN(len(levels))]
		fr := sla.Start(sla.FirstResponse, lvl.FirstResponse, created, cal)
		res := sla.Start(sla.Resolution, lvl.Resolution, created, cal)
		t := store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: fmt.Sprintf("Запрос %d", i),
			RequesterEmail: "user@client.example", SupportLevel: lvl.Name, CreatedAt: created,
			OrgID:    sql.NullInt64{Int64: int64(1 + rng.IntN(50)), Valid: rng.IntN(10) > 0},
			Assignee: fmt.Sprintf("agent%d@sd.example", rng.IntN(12))}
		if rng.IntN(8) == 0 {
			t.Channel = "phone"
		}
		answered := cal.Add(created, time.Duration(rng.Int64N(int64(lvl.FirstResponse*5/4))))
		if rng.IntN(20) > 0 {
			_ = fr.Stop(answered)
			t.FirstResponseAt = sql.NullTime{Time: answered, Valid: true}
			at := answered
			if rng.IntN(5) == 0 {
				_ = res.Record(sla.Event{Kind: sla.EventPause, At: at, Reason: "waiting"})
				at = at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
				_ = res.Resume(at)
			}
			if rng.IntN(10) > 0 {
				done := cal.Add(at, time.Duration(rng.Int64N(int64(lvl.Resolution))))
				_ = res.Stop(done)
				t.Status = store.StatusResolved
				t.ResolvedAt = sql.NullTime{Time: done, Valid: true}
				t.ClosedAt = t.ResolvedAt
			}
		}
		t.SLAFirstResponse, t.SLAResolution = enc(fr), enc(res)
		ts[i] = t
	}
	return ts
}

func benchReport(b *testing.B, db *store.DB) {
	ctx := context.Background()
	setup := testSetup(b)
	tickets := genTickets(100_000, setup.Default)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := 1; i <= 50; i++ {
			if err := tx.CreateOrg(ctx, &store.Org{Name: fmt.Sprintf("Организация %d", i)}, "bench", tickets[0].CreatedAt); err != nil {
				return err
			}
		}
		return tx.InsertTickets(ctx, tickets)
	})
	if err != nil {
		b.Fatal(err)
	}
	r, err := NewReporter(db, setup)
	if err != nil {
		b.Fatal(err)
	}
	p := Params{From: time.Date(2024, 1, 1, 0, 0, 0, 0, msk), To: time.Date(2025, 1, 1, 0, 0, 0, 0, msk)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := r.Report(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Received != len(tickets) {
			b.Fatalf("received %d of %d", rep.Received, len(tickets))
		}
	}
}

// BenchmarkReport100k is a year's report over 100,000 tickets (target: under 1 s).
func BenchmarkReport100k(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchReport(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchReport(b, openPostgres(b)) })
}

func BenchmarkDecodeClock(b *testing.B) {
	cal := testSetup(b).Default
	c := sla.Start(sla.Resolution, 24*time.Hour, time.Date(2024, 12, 27, 15, 0, 0, 0, msk), cal)
	_ = c.Record(sla.Event{Kind: sla.EventPause, At: time.Date(2024, 12, 27, 16, 0, 0, 0, msk), Reason: "waiting"})
	_ = c.Resume(time.Date(2025, 1, 9, 11, 0, 0, 0, msk))
	js, _ := json.Marshal(c)
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeClock(string(js), cal); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sla.Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sla.Decode(js, cal); err != nil {
				b.Fatal(err)
			}
		}
	})
}
