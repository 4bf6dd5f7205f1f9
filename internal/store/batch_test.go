package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// Writes whose results nobody reads are sent to PostgreSQL in batches: a
// later read in the same transaction sees them, in order, and a failing
// write fails the transaction at the latest when it commits.
func TestQueuedWritesAreVisibleAndFailTheTransaction(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		var id int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk := &store.Ticket{Desk: "sd", Status: "open", Channel: "mail", Subject: "batch", RequesterEmail: "a@example.test",
				CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			id = tk.ID
			for _, kind := range []string{"one", "two", "three"} {
				if err := tx.AddEvent(ctx, id, now, kind, "system", ""); err != nil {
					return err
				}
			}
			for _, kind := range []string{"one", "two", "three"} {
				if ok, err := tx.HasEvent(ctx, id, kind); err != nil || !ok {
					t.Errorf("event %s not seen in its own transaction: %v %v", kind, ok, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := db.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3 || evs[0].Kind != "one" || evs[2].Kind != "three" {
			t.Fatalf("events after commit: %+v", evs)
		}
		// An event about a ticket that does not exist breaks a foreign key:
		// the transaction must fail and leave nothing behind.
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.AddEvent(ctx, id, now, "kept?", "system", ""); err != nil {
				return err
			}
			return tx.AddEvent(ctx, id+1000, now, "broken", "system", "")
		})
		if err == nil {
			t.Fatal("a write breaking a foreign key committed")
		}
		if ok, _ := hasEvent(ctx, db, id, "kept?"); ok {
			t.Fatal("a write of a failed transaction is visible")
		}
	})
}

func hasEvent(ctx context.Context, db *store.DB, id int64, kind string) (bool, error) {
	var ok bool
	err := db.Tx(ctx, func(tx *store.Tx) (err error) {
		ok, err = tx.HasEvent(ctx, id, kind)
		return err
	})
	return ok, err
}
