package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// TestSearchMigration00018: the per-document index of migration 00014 is
// carried over to one row per ticket, the due time is computed for the
// rows already there, and search and the queue answer as before.
func TestSearchMigration00018(t *testing.T) {
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			db, exec := migratedTo(t, dialect, 17)
			for id, due := range map[int64]any{1: t0.Add(2 * 3600e9), 2: t0.Add(3600e9), 3: nil} {
				exec(`INSERT INTO tickets (id, desk, status, channel, subject, requester_email, created_at, updated_at, first_response_due)
					VALUES (?, 'sd', 'open', 'email', 'x', 'a@b.ru', ?, ?, ?)`, id, t0, t0, due)
			}
			// The index as 00014 wrote it: a ticket's own document, then one per message.
			docs := []struct {
				ticket, n   int64
				kind, terms string
			}{
				{1, 0, "ticket", "принтер школ"}, {1, 1, "message", "картридж замен"}, {1, 2, "attachment", "скан"},
				{2, 0, "ticket", "мис"}, {2, 1, "message", "картридж"}, {3, 1, "message", "почт"},
			}
			for _, d := range docs {
				if dialect == store.Postgres {
					exec(`INSERT INTO ticket_search (ticket_id, kind, ref, doc) VALUES (?, ?, ?, to_tsvector('russian', ?))`, d.ticket, d.kind, d.n, d.terms)
				} else {
					exec(`INSERT INTO ticket_search (rowid, terms) VALUES (?, ?)`, d.ticket<<20|d.n, d.terms)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				q    string
				want []int64
			}{
				{"картридж", []int64{2, 1}}, {"школа картридж скан", []int64{1}}, {"мис картридж", []int64{2}},
				{"почта", []int64{3}}, {"принтер мис", nil},
			} {
				items, err := db.FindTickets(ctx, store.TicketFilter{Search: c.q})
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, it := range items {
					got = append(got, it.ID)
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("%q: got %v, want %v", c.q, got, c.want)
				}
			}
			items, err := db.FindTickets(ctx, store.TicketFilter{})
			if err != nil || len(items) != 3 || items[0].ID != 2 || items[1].ID != 1 || items[2].ID != 3 {
				t.Fatalf("queue after migration: %+v, %v", items, err)
			}
		})
	}
}

// migratedTo opens a new database of dialect with the migrations applied up
// to version (to test the next one), and a function running a statement on
// it that fails the test.
func migratedTo(t *testing.T, dialect store.Dialect, version int64) (*store.DB, func(q string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	o := store.Options{Dialect: dialect, Path: filepath.Join(t.TempDir(), "otvet.db")}
	if dialect == store.Postgres {
		o = store.Options{Dialect: dialect, DSN: testenv.Get(t).NewPostgresDB(t)}
	}
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateToForTest(ctx, version); err != nil {
		t.Fatal(err)
	}
	return db, func(q string, args ...any) {
		t.Helper()
		if err := db.ExecForTest(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
