package store_test

import (
	"context"
	"reflect"
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

// A read sent in one batch with queued writes (scanned from pgx rows) gives
// what the same read gives through database/sql, and an INSERT … RETURNING
// after queued writes returns its id.
func TestReadsAfterQueuedWritesScanAsUsual(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		err := db.Tx(ctx, func(tx *store.Tx) error {
			first := &store.Ticket{Desk: "sd", Status: "open", Channel: "mail", Subject: "first", RequesterEmail: "a@example.test",
				CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateTicket(ctx, first); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, first.ID, now, "queued", "system", ""); err != nil {
				return err
			}
			second := &store.Ticket{Desk: "sd", Status: "open", Channel: "mail", Subject: "second", RequesterEmail: "b@example.test",
				CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateTicket(ctx, second); err != nil { // after a queued write
				return err
			}
			if second.ID == 0 || second.ID == first.ID {
				t.Errorf("ids %d, %d", first.ID, second.ID)
			}
			plain, err := tx.TicketsInStatus(ctx, "open")
			if err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, second.ID, now, "queued", "system", ""); err != nil {
				return err
			}
			batched, err := tx.TicketsInStatus(ctx, "open") // after a queued write
			if err != nil {
				return err
			}
			if len(plain) != 2 || !reflect.DeepEqual(plain, batched) {
				t.Errorf("after queued writes:\n%+v\nwithout:\n%+v", batched, plain)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
