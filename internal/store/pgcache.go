package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// A PostgreSQL transaction answers a read of the reference tables again
// from what it read before, without a round trip, as long as nothing it
// issued since wrote to those tables. Intake reads the same sender, its
// organisation and domains, the contractors, settings and maintenance
// windows several times per message and once per message of a batch; on
// SQLite those reads cost no round trip and are not cached.
//
// The cache lives as long as one transaction attempt. A statement that is
// not a SELECT drops every cached read of a reference table that it names
// (and org_domains with organisations: deleting an organisation cascades to
// its domains). Another connection's commit, which PostgreSQL's READ
// COMMITTED would show to the transaction's next read, shows from its next
// transaction instead, as if it had committed a little later.
//
// cachedTables are the reference tables: nothing but explicit statements
// naming them writes them (no trigger, and only the cascade above).
var cachedTables = [...]string{"users", "organisations", "org_domains", "staff", "contractors", "settings", "maintenance_windows"}

// cascades: writing the table of the key also changes the tables of the value.
var cascades = map[string][]string{"organisations": {"org_domains"}}

// cacheFuncs are the words a cacheable read may put before "(": keywords and
// functions whose result depends only on their arguments and the rows.
var cacheFuncs = map[string]bool{
	"select": true, "from": true, "join": true, "where": true, "and": true, "or": true, "not": true, "in": true,
	"exists": true, "any": true, "all": true, "on": true, "as": true, "when": true, "then": true, "else": true,
	"case": true, "coalesce": true, "max": true, "min": true, "count": true, "lower": true, "upper": true,
	"nullif": true, "length": true, "sum": true,
}

// maxCachedBytes bounds one cached read's rows, maxCacheBytes all of a
// transaction's (the cache starts afresh when they would pass it).
const (
	maxCachedBytes = 16 << 10
	maxCacheBytes  = 1 << 20
)

// tableSet is a set of cachedTables, bit i for cachedTables[i].
type tableSet uint32

// stmtInfo is what the cache needs to know about a statement (its text with
// $n placeholders).
type stmtInfo struct {
	// reads: a SELECT reading only the reference tables in tables, nothing
	// that may change within a transaction without a write.
	reads bool
	// writes: not a SELECT; it may write the reference tables in tables.
	writes bool
	tables tableSet
}

// analyse classifies a statement. It errs on the safe side: a read it does
// not fully understand is not cached, and a statement that is not a SELECT
// drops every reference table whose name it contains.
func analyse(q string) stmtInfo {
	toks, ok := sqlTokens(q)
	if len(toks) == 0 || toks[0] != "select" {
		info := stmtInfo{writes: true}
		for i, name := range cachedTables {
			if !ok || containsWord(toks, name) {
				info.tables |= 1 << i
				for _, c := range cascades[name] {
					info.tables |= tableBit(c)
				}
			}
		}
		return info
	}
	if !ok {
		return stmtInfo{}
	}
	var tables tableSet
	for i, tok := range toks {
		switch {
		case tok == "for": // FOR UPDATE, FOR SHARE: a lock, not a read to repeat
			return stmtInfo{}
		case tok == "(" && i > 0 && isWord(toks[i-1]) && !cacheFuncs[toks[i-1]]:
			return stmtInfo{}
		case tok == "from" || tok == "join":
			if i+1 >= len(toks) {
				return stmtInfo{}
			}
			next := toks[i+1]
			if next == "(" {
				continue // a subquery: its own FROM is checked
			}
			b := tableBit(next)
			if b == 0 {
				return stmtInfo{}
			}
			// Neither schema.table nor a list of tables: table [alias] then a keyword.
			j := i + 2
			if j < len(toks) && isWord(toks[j]) && !sqlKeywords[toks[j]] {
				j++
			}
			if j < len(toks) && (toks[j] == "," || toks[j] == ".") {
				return stmtInfo{}
			}
			tables |= b
		}
	}
	if tables == 0 {
		return stmtInfo{}
	}
	return stmtInfo{reads: true, tables: tables}
}

// sqlKeywords may follow a table name in FROM or JOIN (anything else there is an alias).
var sqlKeywords = map[string]bool{
	"where": true, "order": true, "group": true, "limit": true, "offset": true, "join": true, "left": true,
	"right": true, "inner": true, "full": true, "cross": true, "on": true, "using": true, "union": true,
	"except": true, "intersect": true, "having": true, "window": true, "natural": true, "for": true,
}

func tableBit(name string) tableSet {
	for i, n := range cachedTables {
		if n == name {
			return 1 << i
		}
	}
	return 0
}

func containsWord(toks []string, w string) bool {
	for _, t := range toks {
		if t == w {
			return true
		}
	}
	return false
}

func isWord(tok string) bool {
	c := tok[0]
	return c == '_' || c >= 'a' && c <= 'z'
}

// sqlTokens splits a statement into lower-case words (identifiers and
// keywords), numbers, $n parameters and single punctuation characters;
// string literals are skipped. ok is false when the text holds what the
// cache does not analyse: quoted identifiers, comments, dollar quoting, or
// an unterminated literal.
func sqlTokens(q string) (toks []string, ok bool) {
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(q) && (q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			toks = append(toks, strings.ToLower(q[i:j]))
			i = j
		case c >= '0' && c <= '9' || c == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i + 1
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			toks = append(toks, q[i:j])
			i = j
		case c == '\'':
			j := i + 1
			for {
				k := strings.IndexByte(q[j:], '\'')
				if k < 0 {
					return toks, false
				}
				j += k + 1
				if j < len(q) && q[j] == '\'' { // '' inside a literal
					j++
					continue
				}
				break
			}
			toks = append(toks, "'")
			i = j
		case c == '"' || c == '$' || c == '-' && i+1 < len(q) && q[i+1] == '-' || c == '/' && i+1 < len(q) && q[i+1] == '*' || c >= 0x80:
			return toks, false
		default:
			toks = append(toks, q[i:i+1])
			i++
		}
	}
	return toks, true
}

// info returns the analysis of a statement, once per text.
func (db *DB) info(q string) stmtInfo { return memo(&db.infos, q, analyse) }

// memo returns f(q), worked out once per text and kept in m.
func memo[T any](m *sync.Map, q string, f func(string) T) T {
	if v, ok := m.Load(q); ok {
		return v.(T)
	}
	v := f(q)
	m.Store(q, v)
	return v
}

// readCache holds one transaction's cached reads.
type readCache struct {
	entries map[string]*cachedRead
	lite    liteMemo                  // SQLite's kept reads (litecache.go)
	gen     [len(cachedTables)]uint64 // bumped by each write to the table
	bytes   int                       // of the rows in entries
	hits    int
}

// cachedRead is the rows of one read, as PostgreSQL sent them.
type cachedRead struct {
	fields []pgconn.FieldDescription
	rows   [][][]byte
	gen    [len(cachedTables)]uint64
	tables tableSet
}

// wrote records a statement that may write the tables.
func (c *readCache) wrote(tables tableSet) {
	for i := range cachedTables {
		if tables&(1<<i) != 0 {
			c.gen[i]++
		}
	}
}

// lookup returns the cached rows of a read, if still valid.
func (c *readCache) lookup(key string) *cachedRead {
	e := c.entries[key]
	if e == nil {
		return nil
	}
	for i := range cachedTables {
		if e.tables&(1<<i) != 0 && e.gen[i] != c.gen[i] {
			delete(c.entries, key)
			return nil
		}
	}
	c.hits++
	return e
}

func (c *readCache) store(key string, tables tableSet, r *recordingRows) {
	if !r.complete || r.size > maxCachedBytes {
		return
	}
	if c.entries == nil || c.bytes+r.size > maxCacheBytes {
		c.entries = make(map[string]*cachedRead)
		c.bytes = 0
	}
	c.bytes += r.size
	c.entries[key] = &cachedRead{fields: r.fields, rows: r.rows, gen: c.gen, tables: tables}
}

// cacheKey is a read's text and arguments as one string; ok is false for an
// argument whose value it cannot render exactly.
func cacheKey(q string, args []any) (key string, ok bool) {
	var b strings.Builder
	b.WriteString(q)
	for _, a := range args {
		b.WriteByte(0)
		switch v := a.(type) {
		case nil:
			b.WriteString("n")
		case string:
			b.WriteString("s")
			b.WriteString(v)
		case int64:
			b.WriteString("i")
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteString("i")
			b.WriteString(strconv.Itoa(v))
		case int32:
			b.WriteString("i")
			b.WriteString(strconv.FormatInt(int64(v), 10))
		case bool:
			b.WriteString("b")
			b.WriteString(strconv.FormatBool(v))
		case time.Time:
			b.WriteString("t")
			b.WriteString(v.UTC().Format(time.RFC3339Nano))
		case sql.NullInt64:
			if !v.Valid {
				b.WriteString("n")
				continue
			}
			b.WriteString("i")
			b.WriteString(strconv.FormatInt(v.Int64, 10))
		case sql.NullString:
			if !v.Valid {
				b.WriteString("n")
				continue
			}
			b.WriteString("s")
			b.WriteString(v.String)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// recordingRows passes a read's rows on and keeps a copy of them.
type recordingRows struct {
	pgx.Rows
	fields   []pgconn.FieldDescription
	rows     [][][]byte
	size     int
	complete bool // Next returned false without an error
}

func (r *recordingRows) Next() bool {
	if !r.Rows.Next() {
		r.complete = r.Rows.Err() == nil
		return false
	}
	if r.fields == nil {
		r.fields = append([]pgconn.FieldDescription{}, r.Rows.FieldDescriptions()...)
	}
	raw := r.Rows.RawValues()
	row := make([][]byte, len(raw))
	for i, v := range raw {
		if v != nil {
			row[i] = append(make([]byte, 0, len(v)), v...)
			r.size += len(v)
		}
	}
	r.rows = append(r.rows, row)
	return true
}

// cachedRows replays a cachedRead as pgx rows, scanning as pgx does.
type cachedRows struct {
	m      *pgtype.Map
	read   *cachedRead
	i      int // the current row + 1
	err    error
	closed bool
}

func (r *cachedRows) Close()     { r.closed = true }
func (r *cachedRows) Err() error { return r.err }
func (r *cachedRows) CommandTag() pgconn.CommandTag {
	return pgconn.NewCommandTag(fmt.Sprintf("SELECT %d", len(r.read.rows)))
}
func (r *cachedRows) FieldDescriptions() []pgconn.FieldDescription { return r.read.fields }
func (r *cachedRows) Conn() *pgx.Conn                              { return nil }
func (r *cachedRows) TypeMap() *pgtype.Map                         { return r.m }

func (r *cachedRows) Next() bool {
	if r.closed || r.err != nil || r.i >= len(r.read.rows) {
		r.closed = true
		return false
	}
	r.i++
	return true
}

func (r *cachedRows) RawValues() [][]byte {
	if r.i == 0 || r.i > len(r.read.rows) {
		return nil
	}
	return r.read.rows[r.i-1]
}

func (r *cachedRows) Scan(dest ...any) error {
	values := r.RawValues()
	fields := r.read.fields
	if values == nil {
		return errors.New("store: no row to scan")
	}
	if len(dest) == 1 {
		if rs, ok := dest[0].(pgx.RowScanner); ok {
			err := rs.ScanRow(r)
			if err != nil {
				r.err = err
			}
			return err
		}
	}
	if len(fields) != len(dest) {
		r.err = fmt.Errorf("number of field descriptions must equal number of destinations, got %d and %d", len(fields), len(dest))
		return r.err
	}
	for i, d := range dest {
		if d == nil {
			continue
		}
		if err := r.m.Scan(fields[i].DataTypeOID, fields[i].Format, values[i], d); err != nil {
			r.err = pgx.ScanArgError{ColumnIndex: i, FieldName: fields[i].Name, Err: err}
			return r.err
		}
	}
	return nil
}

func (r *cachedRows) Values() ([]any, error) {
	values := r.RawValues()
	out := make([]any, 0, len(values))
	for i, v := range values {
		if v == nil {
			out = append(out, nil)
			continue
		}
		f := r.read.fields[i]
		if t, ok := r.m.TypeForOID(f.DataTypeOID); ok {
			x, err := t.Codec.DecodeValue(r.m, f.DataTypeOID, f.Format, v)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
			continue
		}
		if f.Format == pgx.TextFormatCode {
			out = append(out, string(v))
		} else {
			out = append(out, append([]byte{}, v...))
		}
	}
	return out, nil
}
