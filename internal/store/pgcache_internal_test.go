package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAnalyse(t *testing.T) {
	users, orgs, domains := tableBit("users"), tableBit("organisations"), tableBit("org_domains")
	all := tableSet(1<<len(cachedTables) - 1)
	for _, c := range []struct {
		name string
		q    string
		want stmtInfo
	}{
		{"a user by address", `SELECT ` + userCols + ` FROM users WHERE email = $1`, stmtInfo{reads: true, tables: users}},
		{"domains of an organisation", `SELECT domain FROM org_domains WHERE org_id = $1 ORDER BY domain`, stmtInfo{reads: true, tables: domains}},
		{"settings", `SELECT key, value FROM settings WHERE key IN ($1, $2)`, stmtInfo{reads: true, tables: tableBit("settings")}},
		{"a subquery and an alias", `SELECT system, keywords FROM maintenance_windows w WHERE system <> '' AND id = (SELECT MAX(id) FROM maintenance_windows v WHERE v.system = w.system) ORDER BY system LIMIT 200`,
			stmtInfo{reads: true, tables: tableBit("maintenance_windows")}},
		{"a join of reference tables", `SELECT u.email FROM users u LEFT JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`, stmtInfo{reads: true, tables: users | orgs}},
		{"a literal naming another table", `SELECT id FROM staff WHERE role = 'tickets'`, stmtInfo{reads: true, tables: tableBit("staff")}},
		{"an aggregate", `SELECT COALESCE(MAX(id), 0) FROM users`, stmtInfo{reads: true, tables: users}},
		{"a table that intake writes", `SELECT subject FROM tickets WHERE id = $1`, stmtInfo{}},
		{"a subquery on a table intake writes", `SELECT name FROM organisations WHERE id = (SELECT org_id FROM tickets WHERE id = $1)`, stmtInfo{}},
		{"a locking read", `SELECT id FROM users WHERE email = $1 FOR UPDATE`, stmtInfo{}},
		{"no table", `SELECT pg_try_advisory_lock($1)`, stmtInfo{}},
		{"a volatile function", `SELECT random() FROM users`, stmtInfo{}},
		{"a sequence", `SELECT nextval('users_id_seq') FROM generate_series(1, 10)`, stmtInfo{}},
		{"a list of tables", `SELECT u.id FROM users u, organisations o WHERE o.id = u.org_id`, stmtInfo{}},
		{"a schema", `SELECT id FROM public.users`, stmtInfo{}},
		{"a comment", `SELECT id FROM users -- tickets`, stmtInfo{}},
		{"a quoted identifier", `SELECT id FROM "users"`, stmtInfo{}},
		{"DISTINCT FROM a column", `SELECT id FROM users WHERE org_id IS DISTINCT FROM $1`, stmtInfo{}},
		{"a write to a user", `INSERT INTO users (email, full_name) VALUES ($1, $2)`, stmtInfo{writes: true, tables: users}},
		{"a write to an organisation reaches its domains", `DELETE FROM organisations WHERE id = $1`, stmtInfo{writes: true, tables: orgs | domains}},
		{"a write elsewhere", `INSERT INTO tickets (desk, requester_email, org_id) VALUES ($1, $2, $3) RETURNING id`, stmtInfo{writes: true}},
		{"a write reading a reference table", `UPDATE tickets SET org_id = (SELECT org_id FROM users WHERE email = $1) WHERE id = $2`, stmtInfo{writes: true, tables: users}},
		{"a write that cannot be analysed", `UPDATE "users" SET blocked = true`, stmtInfo{writes: true, tables: all}},
		{"a data-modifying WITH", `WITH d AS (DELETE FROM staff RETURNING id) SELECT count(*) FROM d`, stmtInfo{writes: true, tables: tableBit("staff")}},
		{"lower case and new lines", "select id\nfrom\tusers\nwhere email = $1", stmtInfo{reads: true, tables: users}},
		{"a literal with a quote", `SELECT id FROM users WHERE full_name = 'O''Brien'`, stmtInfo{reads: true, tables: users}},
		{"an unterminated literal", `SELECT id FROM users WHERE full_name = 'x`, stmtInfo{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := analyse(c.q); got != c.want {
				t.Errorf("analyse(%q) = %+v, want %+v", c.q, got, c.want)
			}
		})
	}
}

func TestCacheKey(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b []any
		same bool
	}{
		{"equal", []any{"a", int64(1)}, []any{"a", int64(1)}, true},
		{"a string is not a number", []any{"1"}, []any{int64(1)}, false},
		{"the argument boundary", []any{"a", "bc"}, []any{"ab", "c"}, false},
		{"another value", []any{"ivan@example.test"}, []any{"petr@example.test"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ka, oka := cacheKey("SELECT 1", c.a)
			kb, okb := cacheKey("SELECT 1", c.b)
			if !oka || !okb {
				t.Fatal("not cacheable")
			}
			if (ka == kb) != c.same {
				t.Errorf("keys %q and %q: same = %v", ka, kb, ka == kb)
			}
		})
	}
	if _, ok := cacheKey("SELECT 1", []any{[]string{"a"}}); ok {
		t.Error("a slice argument made a key")
	}
}

func FuzzAnalyse(f *testing.F) {
	for _, q := range []string{
		`SELECT ` + userCols + ` FROM users WHERE email = $1`,
		`SELECT name FROM organisations WHERE id = (SELECT org_id FROM tickets WHERE id = $1)`,
		`INSERT INTO users (email) VALUES ('a''b')`,
		`SELECT id FROM users u, organisations o`,
		`select "x" from y -- z`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		info := analyse(q)
		if info.reads && (info.writes || info.tables == 0) {
			t.Fatalf("analyse(%q) = %+v", q, info)
		}
		if info.reads && !strings.HasPrefix(strings.ToLower(strings.TrimLeft(q, " \t\r\n")), "select") {
			t.Fatalf("analyse(%q): a read that is not a SELECT", q)
		}
	})
}

func TestParseInsert(t *testing.T) {
	for _, c := range []struct {
		name, q, want string
	}{
		{"a message", "INSERT INTO messages (ticket_id, direction,\n\t\tsubject) VALUES (?, ?, ?)", "INSERT INTO messages (id, ticket_id, direction,\n\t\tsubject) VALUES (?, ?, ?, ?)"},
		{"literals and a call", `INSERT INTO outbox (desk, attempts, last_error, raw) VALUES (?, 0, '', lower(?))`, `INSERT INTO outbox (id, desk, attempts, last_error, raw) VALUES (?, ?, 0, '', lower(?))`},
		{"a literal with a parenthesis", `INSERT INTO outbox_bodies (data) VALUES (')(')`, `INSERT INTO outbox_bodies (id, data) VALUES (?, ')(')`},
		{"another table", `INSERT INTO tickets (desk) VALUES (?)`, ""},
		{"the id named", `INSERT INTO messages (id, desk) VALUES (?, ?)`, ""},
		{"RETURNING", `INSERT INTO messages (desk) VALUES (?) RETURNING id`, ""},
		{"ON CONFLICT", `INSERT INTO messages (desk) VALUES (?) ON CONFLICT DO NOTHING`, ""},
		{"two rows", `INSERT INTO messages (desk) VALUES (?), (?)`, ""},
		{"a SELECT", `INSERT INTO messages (desk) SELECT desk FROM tickets`, ""},
		{"a subquery", `INSERT INTO messages (desk) VALUES ((SELECT desk FROM tickets LIMIT 1))`, ""},
		{"no columns", `INSERT INTO messages VALUES (?)`, ""},
		{"unbalanced", `INSERT INTO messages (desk) VALUES (?`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := parseInsert(c.q)
			if s.ok != (c.want != "") || s.withID != c.want {
				t.Errorf("parseInsert(%q) = %+v, want %q", c.q, s, c.want)
			}
		})
	}
}

func FuzzParseInsert(f *testing.F) {
	f.Add("INSERT INTO messages (ticket_id, direction) VALUES (?, ?)")
	f.Add(`INSERT INTO outbox (desk, raw) VALUES (?, ')(')`)
	f.Fuzz(func(t *testing.T, q string) {
		s := parseInsert(q)
		if !s.ok {
			return
		}
		if !prefetchTables[s.table] || strings.Count(s.withID, "?") != strings.Count(q, "?")+1 {
			t.Fatalf("parseInsert(%q) = %+v", q, s)
		}
	})
}

func TestReadCache(t *testing.T) {
	users, orgs, domains := tableBit("users"), tableBit("organisations"), tableBit("org_domains")
	rows := func(size int) *recordingRows {
		return &recordingRows{rows: [][][]byte{{make([]byte, size)}}, size: size, complete: true}
	}
	for _, c := range []struct {
		name   string
		tables tableSet // of the cached read
		rows   *recordingRows
		write  tableSet // written after it
		hit    bool
	}{
		{"nothing written", users, rows(10), 0, true},
		{"another table written", users, rows(10), orgs, true},
		{"its table written", users, rows(10), users, false},
		{"one of its tables written", users | domains, rows(10), domains, false},
		{"rows not read to the end", users, &recordingRows{complete: false}, 0, false},
		{"too many bytes", users, rows(maxCachedBytes + 1), 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rc readCache
			rc.store("k", c.tables, c.rows)
			rc.wrote(c.write)
			if got := rc.lookup("k") != nil; got != c.hit {
				t.Errorf("hit = %v, want %v", got, c.hit)
			}
		})
	}
	var rc readCache
	for i := range maxCacheBytes/maxCachedBytes + 1 {
		rc.store(fmt.Sprint(i), users, rows(maxCachedBytes))
	}
	if rc.bytes > maxCacheBytes || len(rc.entries) != 1 {
		t.Errorf("%d bytes in %d entries after passing the budget", rc.bytes, len(rc.entries))
	}
}

func TestBadConnIsTransient(t *testing.T) {
	err := fmt.Errorf("read: %w", badConn{errors.New("conn closed")})
	if !Transient(err) || !errors.Is(err, driver.ErrBadConn) || err.Error() != "read: conn closed" {
		t.Errorf("%v: transient %v", err, Transient(err))
	}
}
