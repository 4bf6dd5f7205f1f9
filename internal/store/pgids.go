package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL an insert whose id the caller needs (insertID) costs a round
// trip: the id comes back with RETURNING. For the tables intake fills
// several times per message, a transaction takes the next ids of the
// table's sequence ahead, in the batch of such an insert, and the inserts
// that follow name their id themselves and are queued with the other writes.
//
// The ids come from the same sequence at most one transaction earlier than
// they would have: a transaction's rows of a table still get increasing
// ids in the order they are inserted, and ids stay unique. The ids a
// transaction took and did not use are skipped, as a rolled-back insert's
// are; how many to take is what the same table needed in the previous
// transaction, doubled each time they run out.
var prefetchTables = map[string]bool{"messages": true, "outbox": true, "outbox_bodies": true, "attachments": true}

// maxPrefetch bounds the ids taken ahead at once.
const maxPrefetch = 256

// prefetchSQL takes the next $2 ids of table $1's id sequence.
const prefetchSQL = `SELECT nextval(s) FROM (SELECT pg_get_serial_sequence($1, 'id')::regclass AS s) q, generate_series(1, $2)`

// insertShape is an insert of a prefetchTables table with its id named.
type insertShape struct {
	table  string
	withID string // the insert with "id" first among its columns and "?" first among its values
	ok     bool
}

// parseInsert recognises "INSERT INTO table (columns) VALUES (values)", a
// single row without RETURNING, ON CONFLICT or a SELECT, into a table of
// prefetchTables, and names the id in it.
func parseInsert(q string) insertShape {
	s := strings.TrimSpace(q)
	const head = "INSERT INTO "
	if len(s) < len(head) || !strings.EqualFold(s[:len(head)], head) {
		return insertShape{}
	}
	rest := s[len(head):]
	open := strings.IndexByte(rest, '(')
	if open < 0 {
		return insertShape{}
	}
	table := strings.TrimSpace(rest[:open])
	if !prefetchTables[table] {
		return insertShape{}
	}
	rest = rest[open+1:]
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return insertShape{}
	}
	cols := rest[:end]
	if strings.ContainsAny(cols, "(\"'") {
		return insertShape{}
	}
	for _, c := range strings.Split(cols, ",") {
		if strings.EqualFold(strings.TrimSpace(c), "id") {
			return insertShape{}
		}
	}
	values := strings.TrimSpace(rest[end+1:])
	if len(values) < len("VALUES") || !strings.EqualFold(values[:len("VALUES")], "VALUES") {
		return insertShape{}
	}
	values = strings.TrimSpace(values[len("VALUES"):])
	if !oneRow(values) {
		return insertShape{}
	}
	up := strings.ToUpper(values)
	for _, w := range []string{"RETURNING", "CONFLICT", "SELECT", ";"} {
		if strings.Contains(up, w) {
			return insertShape{}
		}
	}
	return insertShape{table: table, withID: head + table + " (id, " + cols + ") VALUES (?, " + values[1:], ok: true}
}

// oneRow reports whether v is one parenthesised list: its first "(" closes
// at its end (parentheses inside string literals aside).
func oneRow(v string) bool {
	if len(v) < 2 || v[0] != '(' || v[len(v)-1] != ')' {
		return false
	}
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 && i != len(v)-1 {
				return false
			}
		}
	}
	return depth == 0 && !quoted
}

// shape returns parseInsert of q, once per text.
func (db *DB) shape(q string) insertShape { return memo(&db.shapes, q, parseInsert) }

// idPool is a transaction's ids of one table.
type idPool struct {
	ids   []int64 // taken ahead, not used yet
	used  int     // inserts into the table in this transaction
	fetch int     // how many were taken the last time
}

// lastUsed is how many ids the previous transaction used in a table.
func (db *DB) lastUsed(table string) *atomic.Int64 {
	v, _ := db.idsUsed.LoadOrStore(table, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// recordIDs keeps how many ids each table needed, for the next transaction.
func (t *Tx) recordIDs() {
	for table, p := range t.ids {
		t.db.lastUsed(table).Store(int64(p.used))
	}
}

// canPrefetch reports whether the database lets this process take ids of
// the table's sequence itself (nextval needs USAGE or UPDATE on it, which
// an insert relying on the column's default does not), asked once per
// process and table.
func (t *Tx) canPrefetch(ctx context.Context, table string) (bool, error) {
	if v, ok := t.db.seqOK.Load(table); ok {
		return v.(bool), nil
	}
	var ok bool
	if err := t.get(ctx, &ok, `SELECT COALESCE(has_sequence_privilege(pg_get_serial_sequence(?, 'id'), 'USAGE, UPDATE'), false)`, table); err != nil {
		return false, err
	}
	t.db.seqOK.Store(table, ok)
	return ok, nil
}

// insertPrefetched is insertID on PostgreSQL for an insert of shape s.
func (t *Tx) insertPrefetched(ctx context.Context, s insertShape, q string, args []any) (int64, error) {
	if t.ids == nil {
		t.ids = make(map[string]*idPool)
	}
	p := t.ids[s.table]
	if p == nil {
		p = &idPool{}
		t.ids[s.table] = p
	}
	p.used++
	if len(p.ids) > 0 {
		id := p.ids[0]
		p.ids = p.ids[1:]
		_, err := t.exec(ctx, s.withID, append([]any{id}, args...)...)
		return id, err
	}
	n := 2 * p.fetch
	if p.fetch == 0 {
		n = int(t.db.lastUsed(s.table).Load()) - p.used
		if p.used > 1 {
			n = max(n, 2)
		}
	}
	n = min(n, maxPrefetch)
	var id int64
	if n > 0 {
		ok, err := t.canPrefetch(ctx, s.table)
		if err != nil {
			return 0, err
		}
		if !ok {
			n = 0
		}
	}
	if n <= 0 {
		if done, err := t.read(ctx, &id, true, false, q+" RETURNING id", args); done {
			return id, err
		}
		return id, nil // not reached: an insert is never read again
	}
	rq := t.rebind(q + " RETURNING id")
	t.wrote(rq)
	pending := t.pending
	t.pending = nil
	var ids []int64
	err := t.send(ctx, pending,
		batchRead{q: rq, args: bind(args), scan: func(rows pgx.Rows) error {
			if !rows.Next() {
				if err := rows.Err(); err != nil {
					return err
				}
				return sql.ErrNoRows
			}
			if err := rows.Scan(&id); err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		}},
		batchRead{q: prefetchSQL, args: []any{s.table, n}, scan: func(rows pgx.Rows) error {
			ids = make([]int64, 0, n)
			for rows.Next() {
				var v int64
				if err := rows.Scan(&v); err != nil {
					return err
				}
				ids = append(ids, v)
			}
			return rows.Err()
		}})
	if err != nil {
		return 0, err
	}
	slices.Sort(ids)
	p.ids, p.fetch = ids, n
	return id, nil
}
