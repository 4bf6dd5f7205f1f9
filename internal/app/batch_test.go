package app

import (
	"testing"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/store"
)

// Intake's transactions are shorter on PostgreSQL, which several instances
// may share, and as long as the poller allows on SQLite.
func TestIntakeBatch(t *testing.T) {
	for _, c := range []struct {
		d    store.Dialect
		want int
	}{{store.SQLite, mailin.DefaultBatchMessages}, {store.Postgres, 64}} {
		if got := intakeBatch(c.d); got != c.want {
			t.Errorf("intakeBatch(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}
