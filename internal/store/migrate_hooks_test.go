package store

import (
	"context"
	"fmt"
)

// MigrateToForTest applies the migrations up to a version (tests only).
func (db *DB) MigrateToForTest(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to %d: %w", version, err)
	}
	return nil
}

// ExecForTest runs a statement outside the store's API (tests only).
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.x.ExecContext(ctx, db.x.Rebind(q), args...)
	return err
}
