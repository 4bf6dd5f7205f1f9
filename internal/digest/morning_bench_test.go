package digest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// BenchmarkMorningData builds one agent's morning mail data (their queue,
// the unassigned queue, the day's visits) over 100,000 tickets on SQLite.
//
//	go test -run '^$' -bench BenchmarkMorningData -benchtime 20x ./internal/digest
func BenchmarkMorningData(b *testing.B) {
	db := openSQLite(b)
	ctx := context.Background()
	setup := testSetup(b)
	ts := genTickets(100_000, setup.Default)
	for i := range ts {
		t := &ts[i]
		if t.Status != store.StatusOpen {
			continue
		}
		if !t.FirstResponseAt.Valid {
			t.FirstResponseDue = sql.NullTime{Time: setup.Default.Add(t.CreatedAt, 4*3600e9), Valid: true}
		}
		t.ResolutionDue = sql.NullTime{Time: setup.Default.Add(t.CreatedAt, 16*3600e9), Valid: true}
		if i%7 == 0 {
			t.Assignee = ""
		}
		if i%50 == 0 {
			t.Status, t.PlannedFor = store.StatusPlanned, "2025-03-10"
		}
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < len(ts); i += 5000 {
			if err := tx.InsertTickets(ctx, ts[i:min(i+5000, len(ts))]); err != nil {
				return err
			}
		}
		return tx.UpsertStaff(ctx, &store.Staff{Email: "agent3@sd.example", Role: store.StaffAgent, Active: true}, "bench", at(b, "2025-03-01 10:00"))
	})
	if err != nil {
		b.Fatal(err)
	}
	now := at(b, "2025-03-10 09:00")
	m, err := NewMorning(MorningOptions{DB: db, Calendar: setup.Default, Templates: templates(b), Desk: "sd", From: senderAddress,
		SupportAddress: "sd@kgo66.ru", BaseURL: "https://helpdesk.kgo66.ru"})
	if err != nil {
		b.Fatal(err)
	}
	day, err := setup.Default.Day(workcal.DateOf(now.In(msk)))
	if err != nil {
		b.Fatal(err)
	}
	agents, err := db.MorningAgents(ctx)
	if err != nil || len(agents) != 1 {
		b.Fatalf("agents %v %v", agents, err)
	}
	job := MorningJob{Agent: agents[0], Day: day}
	b.ResetTimer()
	for b.Loop() {
		d, err := m.Data(ctx, job, now)
		if err != nil || len(d.Mine) == 0 || len(d.Unassigned) == 0 || len(d.Visits) == 0 {
			b.Fatalf("%d %d %d %v", len(d.Mine), len(d.Unassigned), len(d.Visits), err)
		}
	}
}
