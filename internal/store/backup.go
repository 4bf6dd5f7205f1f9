package store

import (
	"context"
	"errors"
	"fmt"
	"os"

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
