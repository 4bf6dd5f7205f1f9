package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// QueryRowForTest runs any query in the transaction (tests only).
func (t *Tx) QueryRowForTest(ctx context.Context, q string, args ...any) *sqlx.Row {
	return t.x.QueryRowxContext(ctx, t.x.Rebind(q), args...)
}

// CachedReadsForTest reports how many reads the transaction answered from its cache.
func (t *Tx) CachedReadsForTest() int { return t.cache.hits }
