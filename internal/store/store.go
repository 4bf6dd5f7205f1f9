// Package store owns all SQL: the schema (embedded migrations per dialect),
// SQLite (pure Go, the embedded default) and PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/otvet/otvet/internal/search"
	"github.com/otvet/otvet/migrations"
)

// Dialect names a supported database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the database handle shared by the whole process.
type DB struct {
	x       *sqlx.DB
	dialect Dialect
	path    string // SQLite file
	log     *slog.Logger
	stmts   sync.Map // rebound query -> *sqlx.Stmt, prepared once per process
	// preparing: queries whose statement is being prepared (prepareLater);
	// prep waits for those preparations, closing stops new ones.
	preparing   sync.Map
	prep        sync.WaitGroup
	closing     atomic.Bool
	rebound     sync.Map // query -> its text with the dialect's placeholders
	infos       sync.Map // PostgreSQL: rebound query -> stmtInfo (pgcache.go)
	shapes      sync.Map // PostgreSQL: insert -> insertShape (pgids.go)
	idsUsed     sync.Map // PostgreSQL: table -> *atomic.Int64, ids the last transaction used
	seqOK       sync.Map // PostgreSQL: table -> whether its ids may be taken ahead
	stemmer     *search.Stemmer
	packers     sync.Pool // *flate.Writer, reused by pack (pack.go)
	mailPackers sync.Pool // *flate.Writer with the mail dictionary, reused by packMail
	headPackers sync.Pool // *flate.Writer with the head dictionary, reused by packMail
	textPackers sync.Pool // *flate.Writer given a dictionary each time, reused by PackAgainstText
	rawPackers  sync.Pool // *flate.Writer at rawLevel, reused by PackRaw
}

// Options selects and tunes the database.
type Options struct {
	Dialect Dialect
	// Path is the SQLite file (created when missing).
	Path string
	// DSN is the PostgreSQL connection string.
	DSN    string
	Logger *slog.Logger
}

// Open connects to the database. It does not migrate: call Migrate or CheckSchema.
func Open(ctx context.Context, o Options) (*DB, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var (
		x   *sqlx.DB
		err error
	)
	switch o.Dialect {
	case SQLite, "":
		if o.Path == "" {
			return nil, errors.New("open sqlite: empty path")
		}
		if dir := filepath.Dir(o.Path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("open sqlite: %w", err)
			}
		}
		q := url.Values{}
		// A page cache of 16 MiB per connection (SQLite's default is 2 MiB):
		// intake and the queue keep their indexes in memory; 64 MiB saved a
		// little more CPU but held 120 MB more after one large scan.
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "cache_size(-16384)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		q.Set("_time_format", "sqlite")
		x, err = sqlx.Open("sqlite", sqliteURI(o.Path)+"?"+q.Encode())
		if err == nil {
			// One writer at a time is SQLite's nature; a small pool keeps readers going.
			x.SetMaxOpenConns(4)
		}
		o.Dialect = SQLite
	case Postgres:
		x, err = sqlx.Open("pgx", o.DSN)
		if err == nil {
			x.SetMaxOpenConns(16)
			x.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		return nil, fmt.Errorf("unknown database dialect %q", o.Dialect)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", o.Dialect, redactDSN(err, o.DSN))
	}
	x = sqlx.NewDb(x.DB, map[Dialect]string{SQLite: "sqlite", Postgres: "pgx"}[o.Dialect])
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("connect to %s: %w", o.Dialect, redactDSN(err, o.DSN))
	}
	return &DB{x: x, dialect: o.Dialect, path: o.Path, log: log, stemmer: search.NewStemmer()}, nil
}

// sqliteURI is the file: URI of a database path, any path: SQLite decodes
// %XX in a URI's path, and the driver cuts its parameters at the first
// '?', so '%', '?', '#' and anything else not plain in a URI's path are
// escaped. An absolute path follows an empty authority ("file:///…"), so
// that one beginning with "//" is not read as a host. (Unescaped,
// "a#b.db" and "a?b.db" both opened "a".)
func sqliteURI(path string) string {
	p := (&url.URL{Path: path}).EscapedPath()
	if strings.HasPrefix(path, "/") {
		return "file://" + p
	}
	return "file:" + p
}

// dsnPassword finds the password of a keyword/value DSN, quoted or not,
// with or without spaces around "=", closing quote or not.
var dsnPassword = regexp.MustCompile(`(?i)\bpassword\s*=\s*('(?:[^'\\]|\\.)*'?|\S+)`)

// redactDSN keeps a password from leaking through a driver's error text, for
// URL DSNs (postgres://user:pw@host) and keyword/value ones (password = pw).
func redactDSN(err error, dsn string) error {
	if dsn == "" || err == nil {
		return err
	}
	var secrets []string
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			secrets = append(secrets, pw)
		}
	}
	for _, m := range dsnPassword.FindAllStringSubmatch(dsn, -1) {
		pw := strings.Trim(m[1], "'")
		secrets = append(secrets, m[1], pw)
		secrets = append(secrets, strings.Fields(pw)...) // each word of a broken quoted one
	}
	msg := dsnPassword.ReplaceAllString(err.Error(), "password=<redacted>")
	for _, s := range secrets {
		if len(s) >= 3 {
			msg = strings.ReplaceAll(msg, s, "<redacted>")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// Close closes the prepared statements and the pool.
func (db *DB) Close() error {
	db.closing.Store(true)
	db.prep.Wait()
	db.stmts.Range(func(_, s any) bool {
		s.(*sqlx.Stmt).Close()
		return true
	})
	return db.x.Close()
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, string(db.dialect))
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		d = goose.DialectPostgres
		// Several instances may start at once: serialise migrations.
		locker, err := newPGLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(d, db.x.DB, sub, opts...)
}

// Migrate brings the schema up to date. Each migration runs in its own transaction.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	p, err := db.provider()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// CheckSchema refuses to run on a stale schema.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if pending {
		return errors.New("the database schema is not up to date: run 'otvet migrate'")
	}
	return nil
}

// Tx runs fn in one transaction and commits when it returns nil. SQLite
// transactions take the write lock at BEGIN (no deadlocking upgrades); on
// PostgreSQL a serialization failure or deadlock is retried.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.tx(ctx, fn)
		if err == nil || attempt >= 4 || !retryable(err) {
			return err
		}
		db.log.Debug("retrying transaction", "err", err, "attempt", attempt+1)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
		}
	}
}

func (db *DB) tx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	var (
		t    *sqlx.Tx
		conn *sqlx.Conn
	)
	if db.dialect == Postgres {
		// The transaction keeps its connection in hand so that writes
		// whose results nobody reads go out as one pgx batch (flush).
		if conn, err = db.x.Connx(ctx); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer conn.Close()
		t, err = conn.BeginTxx(ctx, nil)
	} else {
		t, err = db.x.BeginTxx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = t.Rollback()
			err = fmt.Errorf("transaction panicked: %v", p)
			return
		}
		if err != nil {
			_ = t.Rollback()
		}
	}()
	tx := &Tx{x: t, db: db, dialect: db.dialect, conn: conn}
	defer tx.recordIDs()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.flushSearch(ctx); err != nil {
		return err
	}
	if err := tx.flush(ctx); err != nil {
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Transient reports whether err means the database is unavailable, busy or
// out of space rather than that the data was wrong: retrying later may
// succeed. A full disk and I/O errors are transient: the message that met
// them is not to blame, and must wait, never be quarantined.
func Transient(err error) bool {
	if retryable(err) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || DiskFull(err) {
		return true
	}
	if errors.Is(err, syscall.EIO) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL,
			sqlite3.SQLITE_READONLY, sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 53: insufficient resources (53100
		// disk full); 57: operator intervention; 58: system error (58030 I/O).
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") || strings.HasPrefix(pe.Code, "57") ||
			strings.HasPrefix(pe.Code, "58")
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// DiskFull reports whether err means the database's disk (or its quota) is
// full: SQLITE_FULL, PostgreSQL's 53100 disk_full, or ENOSPC/EDQUOT.
func DiskFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_FULL
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "53100"
	}
	return false
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// Tx is one open transaction.
type Tx struct {
	x       *sqlx.Tx
	db      *DB
	dialect Dialect
	// PostgreSQL: the transaction's connection, and the writes queued on it
	// (see exec and flush).
	conn    *sqlx.Conn
	pending []pendingExec
	cache   readCache          // reads of the reference tables (pgcache.go)
	ids     map[string]*idPool // ids taken ahead, by table (pgids.go)
	// SQLite: the full-text index's changes, written at the end (search_pending.go).
	search searchWrites
}

// stmt returns the transaction's handle on a statement prepared once per
// process and connection: intake runs the same few dozen statements for every
// message, and parsing them anew each time costs as much as running them.
// A statement not prepared yet is prepared on the transaction's own
// connection this time, and for the process in the background: preparing it
// on the pool here would wait for a free connection, and on SQLite every
// other connection may be held by a transaction waiting for this one's
// write lock (a stall until the busy timeout).
func (t *Tx) stmt(ctx context.Context, q string) (*sqlx.Stmt, error) {
	t.wrote(q) // a write to the reference tables drops their kept reads (litecache.go)
	if s, ok := t.db.stmts.Load(q); ok {
		return t.x.StmtxContext(ctx, s.(*sqlx.Stmt)), nil
	}
	rebound := t.x.Rebind(q)
	t.db.prepareLater(q, rebound)
	s, err := t.x.PreparexContext(ctx, rebound)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return s, nil
}

// prepareLater prepares q for the process on a connection of the pool, in
// the background, once.
func (db *DB) prepareLater(q, rebound string) {
	if _, busy := db.preparing.LoadOrStore(q, true); busy {
		return
	}
	db.prep.Add(1)
	go func() {
		defer db.prep.Done()
		if db.closing.Load() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		p, err := db.x.PreparexContext(ctx, rebound)
		if err != nil {
			db.preparing.Delete(q) // tried again on the next use
			return
		}
		if _, loaded := db.stmts.LoadOrStore(q, p); loaded {
			p.Close()
		}
	}()
}

// exec runs a statement that returns no rows. On PostgreSQL it is queued
// and sent with the following ones as one batch (one round trip) when the
// transaction next reads, commits, or a caller asks for the result's row
// count: a failed statement fails the whole transaction either way (an
// error aborts a PostgreSQL transaction), only the call that reports it
// differs. Statements run in the order they were issued.
func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.conn != nil {
		r := &batchResult{t: t, ctx: ctx}
		rq := t.rebind(q)
		t.wrote(rq)
		t.pending = append(t.pending, pendingExec{q: rq, args: bind(args), res: r})
		if len(t.pending) >= maxBatch {
			if err := t.flush(ctx); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	s, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, bind(args)...)
}

func (t *Tx) get(ctx context.Context, dst any, q string, args ...any) error {
	if t.conn != nil {
		if done, err := t.read(ctx, dst, true, readOnly(q), q, args); done {
			return err
		}
	}
	args = bind(args)
	key, info, done, err := t.liteLookup(dst, true, q, args)
	if done {
		return err
	}
	s, err := t.stmt(ctx, q)
	if err != nil {
		return err
	}
	err = s.GetContext(ctx, dst, args...)
	t.liteKeep(key, info, dst, err)
	return err
}

func (t *Tx) sel(ctx context.Context, dst any, q string, args ...any) error {
	if t.conn != nil {
		if done, err := t.read(ctx, dst, false, readOnly(q), q, args); done {
			return err
		}
	}
	args = bind(args)
	key, info, done, err := t.liteLookup(dst, false, q, args)
	if done {
		return err
	}
	s, err := t.stmt(ctx, q)
	if err != nil {
		return err
	}
	err = s.SelectContext(ctx, dst, args...)
	t.liteKeep(key, info, dst, err)
	return err
}

// rowScanner is the one row of queryRow.
type rowScanner interface{ Scan(dest ...any) error }

// queryRow runs a prepared statement that returns one row. On PostgreSQL
// the statement is sent, with the queued writes, when the row is scanned.
func (t *Tx) queryRow(ctx context.Context, q string, args ...any) (rowScanner, error) {
	if t.conn != nil {
		rq := t.rebind(q)
		t.wrote(rq)
		return &pgRow{t: t, ctx: ctx, q: rq, args: bind(args)}, nil
	}
	s, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryRowxContext(ctx, bind(args)...), nil
}

// maxBatch bounds the statements queued in one PostgreSQL batch.
const maxBatch = 256

// pendingExec is a write queued on a PostgreSQL transaction.
type pendingExec struct {
	q    string // rebound ($1, $2 …)
	args []any
	res  *batchResult
}

// batchResult is the sql.Result of a queued write: asking for it sends the
// queue.
type batchResult struct {
	t    *Tx
	ctx  context.Context
	done bool
	n    int64
	err  error
}

func (r *batchResult) LastInsertId() (int64, error) {
	return 0, errors.New("store: LastInsertId is not supported; use RETURNING")
}

func (r *batchResult) RowsAffected() (int64, error) {
	if !r.done {
		if err := r.t.flush(r.ctx); err != nil && !r.done {
			return 0, err
		}
	}
	return r.n, r.err
}

// rebind turns ? into the dialect's placeholders, once per query text.
func (t *Tx) rebind(q string) string {
	if r, ok := t.db.rebound.Load(q); ok {
		return r.(string)
	}
	r := t.x.Rebind(q)
	t.db.rebound.Store(q, r)
	return r
}

// read runs a read on PostgreSQL (get: one row into dst; otherwise every
// row into the slice dst points to) through pgx, with the queued writes in
// the same batch: they cost no round trip of their own. A read of the
// reference tables that the transaction made before, with no write to them
// since, is answered from the cache (pgcache.go) without a round trip.
// done is false when the rows could not be scanned the way database/sql
// would and rerun allows the caller to run the read again as usual (the
// writes are sent either way; an INSERT … RETURNING is never run twice).
func (t *Tx) read(ctx context.Context, dst any, one, rerun bool, q string, args []any) (done bool, err error) {
	rq := t.rebind(q)
	args = bind(args)
	info := t.db.info(rq)
	var (
		key       string
		cacheable bool
	)
	if info.reads {
		key, cacheable = cacheKey(rq, args)
	} else if info.writes {
		t.cache.wrote(info.tables)
	}
	if cacheable {
		if e := t.cache.lookup(key); e != nil {
			if ok, err := t.replay(e, dst, one); ok {
				return true, err
			}
		}
	}
	p := t.pending
	t.pending = nil
	var scanErr error
	err = t.send(ctx, p, batchRead{q: rq, args: args, scan: func(rows pgx.Rows) error {
		var rec *recordingRows
		if cacheable {
			rec = &recordingRows{Rows: rows}
			rows = rec
		}
		scanErr = scanRows(rows, dst, one)
		rows.Close()
		if scanErr != nil {
			return nil // the rows' error is the scan's
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if rec != nil {
			t.cache.store(key, info.tables, rec)
		}
		return nil
	}})
	if err != nil {
		return true, err
	}
	if scanErr != nil && !errors.Is(scanErr, sql.ErrNoRows) {
		var pe *pgconn.PgError
		if errors.As(scanErr, &pe) {
			return true, scanErr
		}
		if !rerun {
			return true, scanErr
		}
		zero(dst)
		return false, nil // read it again through database/sql
	}
	return true, scanErr
}

// replay scans a cached read into dst; ok is false when it could not (dst
// is then left empty, for the read to be made anew).
func (t *Tx) replay(e *cachedRead, dst any, one bool) (ok bool, err error) {
	rerr := t.conn.Raw(func(dc any) error {
		c, isPgx := dc.(*stdlib.Conn)
		if !isPgx {
			return fmt.Errorf("store: unexpected PostgreSQL driver connection %T", dc)
		}
		err = scanRows(&cachedRows{m: c.Conn().TypeMap(), read: e}, dst, one)
		return nil
	})
	if rerr != nil || err != nil && !errors.Is(err, sql.ErrNoRows) {
		zero(dst)
		return false, nil
	}
	return true, err
}

// zero empties what a failed scan may have put into dst (a pointer).
func zero(dst any) {
	if v := reflect.ValueOf(dst); v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().SetZero()
	}
}

// wrote tells the read cache about a statement the transaction issues.
func (t *Tx) wrote(rq string) {
	if info := t.db.info(rq); info.writes {
		t.cache.wrote(info.tables)
	}
}

// pgRow is queryRow's row on PostgreSQL: Scan sends the queued writes and
// the statement as one batch and scans its first row.
type pgRow struct {
	t    *Tx
	ctx  context.Context
	q    string
	args []any
}

func (r *pgRow) Scan(dest ...any) error {
	p := r.t.pending
	r.t.pending = nil
	var scanErr error
	err := r.t.send(r.ctx, p, batchRead{q: r.q, args: r.args, scan: func(rows pgx.Rows) error {
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			scanErr = sql.ErrNoRows
			return nil
		}
		if scanErr = rows.Scan(dest...); scanErr != nil {
			return nil
		}
		rows.Close()
		return rows.Err()
	}})
	if err != nil {
		return err
	}
	return scanErr
}

// readOnly reports whether q only reads (a SELECT), so that it may run twice.
func readOnly(q string) bool {
	q = strings.TrimSpace(q)
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// scanRows scans pgx rows as sqlx would: one (the first) row into dst, or
// all of them into the slice dst points to.
func scanRows(rows pgx.Rows, dst any, one bool) error {
	r := &pgxRows{rows}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		rows.Close()
		return errors.New("store: a read needs a pointer")
	}
	if !one {
		if scalar(v.Elem().Type().Elem()) {
			defer rows.Close()
			s := v.Elem()
			for rows.Next() {
				e := reflect.New(s.Type().Elem())
				if err := rows.Scan(e.Interface()); err != nil {
					return err
				}
				s = reflect.Append(s, e.Elem())
			}
			v.Elem().Set(s)
			return rows.Err()
		}
		return sqlx.StructScan(r, dst)
	}
	if scalar(v.Elem().Type()) {
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		return rows.Scan(dst)
	}
	all := reflect.New(reflect.SliceOf(v.Elem().Type()))
	if err := sqlx.StructScan(r, all.Interface()); err != nil {
		return err
	}
	if all.Elem().Len() == 0 {
		return sql.ErrNoRows
	}
	v.Elem().Set(all.Elem().Index(0))
	return nil
}

// scalar reports whether rows scan into a t as one value (sqlx's
// "scannable"): anything but a struct, a sql.Scanner, or time.Time.
func scalar(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(scannerType) || t == reflect.TypeFor[time.Time]()
}

var scannerType = reflect.TypeFor[sql.Scanner]()

// pgxRows lets sqlx scan pgx rows.
type pgxRows struct{ r pgx.Rows }

func (p *pgxRows) Close() error           { p.r.Close(); return p.r.Err() }
func (p *pgxRows) Err() error             { return p.r.Err() }
func (p *pgxRows) Next() bool             { return p.r.Next() }
func (p *pgxRows) Scan(dest ...any) error { return p.r.Scan(dest...) }
func (p *pgxRows) Columns() ([]string, error) {
	fds := p.r.FieldDescriptions()
	names := make([]string, len(fds))
	for i, f := range fds {
		names[i] = f.Name
	}
	return names, nil
}

// flush sends the queued writes of a PostgreSQL transaction as one batch and
// returns the first error.
func (t *Tx) flush(ctx context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	p := t.pending
	t.pending = nil
	return t.send(ctx, p)
}

// batchRead is a statement whose rows are read, sent after a batch's writes.
type batchRead struct {
	q    string // rebound
	args []any
	scan func(pgx.Rows) error
}

// send runs the writes p, then the reads (their rows handed to their scan),
// as one pgx batch, and records each write's result.
func (t *Tx) send(ctx context.Context, p []pendingExec, reads ...batchRead) error {
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: unexpected PostgreSQL driver connection %T", dc)
		}
		b := &pgx.Batch{}
		for _, e := range p {
			b.Queue(e.q, e.args...)
		}
		for _, r := range reads {
			b.Queue(r.q, r.args...)
		}
		br := c.Conn().SendBatch(ctx, b)
		var first error
		for _, e := range p {
			if first != nil {
				e.res.done, e.res.err = true, first
				continue
			}
			tag, err := br.Exec()
			e.res.done, e.res.n, e.res.err = true, tag.RowsAffected(), err
			if err != nil {
				first = err
			}
		}
		for _, r := range reads {
			if first != nil {
				break
			}
			rows, err := br.Query()
			if err != nil {
				first = err
			} else {
				first = r.scan(rows)
				rows.Close()
			}
		}
		if err := br.Close(); first == nil {
			first = err
		}
		return first
	})
	if err != nil {
		if pgconn.SafeToRetry(err) {
			err = badConn{err}
		}
		for _, e := range p {
			if !e.res.done {
				e.res.done, e.res.err = true, err
			}
		}
		if len(p) == 0 {
			return err
		}
		return fmt.Errorf("batch of %d statements: %w", len(p), err)
	}
	return nil
}

// badConn is an error of a batch that nothing of reached the server (the
// connection was closed or broken): it is driver.ErrBadConn too, as
// database/sql's pgx driver reports such an error, so that Transient
// knows it.
type badConn struct{ error }

func (e badConn) Unwrap() error        { return e.error }
func (e badConn) Is(target error) bool { return target == driver.ErrBadConn }

// insertID runs an INSERT ... RETURNING id.
func (t *Tx) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	if t.conn != nil {
		if s := t.db.shape(q); s.ok {
			return t.insertPrefetched(ctx, s, q, args)
		}
		if done, err := t.read(ctx, &id, true, false, q+" RETURNING id", args); done {
			return id, err
		}
	}
	r, err := t.queryRow(ctx, q+" RETURNING id", args...)
	if err != nil {
		return 0, err
	}
	err = r.Scan(&id)
	return id, err
}

func (db *DB) get(ctx context.Context, dst any, q string, args ...any) error {
	return db.x.GetContext(ctx, dst, db.x.Rebind(q), bind(args)...)
}

func (db *DB) sel(ctx context.Context, dst any, q string, args ...any) error {
	return db.x.SelectContext(ctx, dst, db.x.Rebind(q), bind(args)...)
}

// bind prepares query arguments. Every instant becomes UTC: all instants are
// stored in UTC (docs/architecture.md, invariants), and SQLite compares them as text, so
// an instant written with another offset would sort wrongly. A NUL in a
// string (hostile mail can carry one in any header) becomes U+FFFD:
// PostgreSQL text cannot hold NUL, and both engines must store the same.
func bind(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.UTC()
		case sql.NullTime:
			if v.Valid {
				args[i] = sql.NullTime{Time: v.Time.UTC(), Valid: true}
			}
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				args[i] = strings.ReplaceAll(v, "\x00", "\uFFFD")
			}
		}
	}
	return args
}

// lockKey maps a name to a PostgreSQL advisory lock key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("otvet:" + name))
	return int64(h.Sum64())
}
