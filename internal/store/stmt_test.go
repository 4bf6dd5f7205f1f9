package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// A transaction holding SQLite's write lock uses a statement for the first
// time while every other connection of the pool is held by a transaction
// waiting for that lock. Preparing the statement must not wait for a free
// connection of the pool (that would stall until the busy timeout and fail
// the waiting transactions).
func TestFirstUseOfAStatementNeedsNoOtherConnection(t *testing.T) {
	db := OpenSQLite(t)
	ctx := context.Background()
	holding := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	var errA error
	var took time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		errA = db.Tx(ctx, func(tx *store.Tx) error {
			close(holding)
			<-release
			start := time.Now()
			_, err := tx.Ticket(ctx, 424242)
			took = time.Since(start)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		})
	}()
	<-holding
	waiting := make(chan error, 3)
	for range 3 { // the pool's other connections, each waiting for the write lock
		go func() { waiting <- db.Tx(ctx, func(*store.Tx) error { return nil }) }()
	}
	time.Sleep(300 * time.Millisecond) // let them take their connections and wait in BEGIN
	close(release)
	wg.Wait()
	if errA != nil {
		t.Fatal(errA)
	}
	if took > 5*time.Second {
		t.Fatalf("the first use of a statement waited %v for a connection of the pool", took)
	}
	for range 3 {
		if err := <-waiting; err != nil {
			t.Fatalf("a transaction waiting for the write lock failed: %v", err)
		}
	}
}
