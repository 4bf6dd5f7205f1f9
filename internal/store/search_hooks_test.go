package store

import "context"

// IntsForTest runs a query of one integer column outside the store's API
// (tests and benchmarks only).
func (db *DB) IntsForTest(ctx context.Context, q string, args ...any) ([]int, error) {
	var out []int
	err := db.x.SelectContext(ctx, &out, db.x.Rebind(q), args...)
	return out, err
}
