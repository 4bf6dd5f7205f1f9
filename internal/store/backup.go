package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pressly/goose/v3"
)

// Path is the SQLite file ("" on PostgreSQL).
func (db *DB) Path() string {
	if db.dialect == Postgres {
		return ""
	}
	return db.path
}

// BackupTo writes a consistent copy of a SQLite database to dest (which
// must not exist) with VACUUM INTO: one read transaction, so writers go on
// and the copy is a single file with no WAL beside it. PostgreSQL is backed
// up with pg_dump instead.
func (db *DB) BackupTo(ctx context.Context, dest string) error {
	if db.dialect == Postgres {
		return errors.New("backup: PostgreSQL is backed up with pg_dump")
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists", dest)
	}
	if _, err := db.x.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("backup: vacuum into %s: %w", dest, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check (nil on PostgreSQL).
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.dialect == Postgres {
		return nil
	}
	var res string
	if err := db.x.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// PendingMigrations lists the migrations Migrate would apply, in order.
func (db *DB) PendingMigrations(ctx context.Context) ([]string, error) {
	p, err := db.provider()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var out []string
	for _, s := range st {
		if s.State == goose.StatePending {
			out = append(out, s.Source.Path)
		}
	}
	return out, nil
}

// FirstActivity is when the installation first took in a request: the
// earliest of the first stored raw message and the first ticket (a phone
// call has no raw message). ok is false while there is neither.
func (db *DB) FirstActivity(ctx context.Context) (first time.Time, ok bool, err error) {
	for _, q := range []string{
		`SELECT received_at FROM raw_messages ORDER BY id LIMIT 1`,
		`SELECT created_at FROM tickets ORDER BY created_at LIMIT 1`,
	} {
		var t time.Time
		err := db.get(ctx, &t, q)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, false, fmt.Errorf("first activity: %w", err)
		}
		if !ok || t.Before(first) {
			first, ok = t.UTC(), true
		}
	}
	return first, ok, nil
}
