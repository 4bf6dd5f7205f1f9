package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestLookupsUseTheirIndexes: the lookups intake makes for every message
// follow an index on SQLite rather than reading a whole table (a partial
// index serves a query only when the query names its condition).
func TestLookupsUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Options{Dialect: SQLite, Path: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	refs, refArgs, err := inQuery(ticketByMessageIDsSQL, "sd", []string{"<a@b>", "<c@d>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		query string
		args  []any
	}{
		{"raw by Message-ID", rawsByMessageIDSQL, []any{"sd", "<a@b>"}},
		{"ticket by references", refs, refArgs},
		{"organisation by INN", `SELECT id FROM organisations WHERE inn = ? AND inn <> ''`, []any{"7701234567"}},
		{"sent mail by Message-ID", `SELECT id FROM outbox WHERE message_id = ?`, []any{"<a@b>"}},
		{"automatic replies to a recipient", countAutoSQL, []any{"a@b", "2026-01-01"}},
		{"the day's planned visits", `SELECT id FROM tickets WHERE planned_for = ? AND status = ? ORDER BY id`, []any{"2026-01-01", "planned"}},
		{"requests a maintenance window holds", `UPDATE tickets SET resume_at = ? WHERE status = ? AND hold_window_id = ?`, []any{"2026-01-01", "deferred", 1}},
		{"mail given up in a period", `SELECT id FROM outbox WHERE state = ? AND given_up_at >= ? AND given_up_at < ? ORDER BY given_up_at, id`, []any{"failed", "2026-01-01", "2026-02-01"}},
	} {
		var plan []struct {
			ID      int    `db:"id"`
			Parent  int    `db:"parent"`
			NotUsed int    `db:"notused"`
			Detail  string `db:"detail"`
		}
		if err := db.x.SelectContext(ctx, &plan, "EXPLAIN QUERY PLAN "+c.query, c.args...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, p := range plan {
			if strings.HasPrefix(p.Detail, "SCAN ") {
				t.Errorf("%s reads a whole table: %s", c.name, p.Detail)
			}
		}
	}
}
