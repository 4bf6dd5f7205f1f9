package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// TestTransactionReadsItsOwnWrites: a read of the reference tables answered
// again from the transaction's cache (PostgreSQL's rows, SQLite's scanned
// values) still sees every write the transaction made to them, and what a
// caller changes in what it got changes nothing kept.
func TestTransactionReadsItsOwnWrites(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			steps := []struct {
				name string
				do   func() error
			}{
				{"no organisation owns the domain", func() error { return wantNotFound(tx.OrgByDomain(ctx, "cache.test")) }},
				{"no user", func() error { return wantNotFound(tx.UserByEmail(ctx, "ivan@cache.test")) }},
				{"a ticket", func() error {
					return tx.CreateTicket(ctx, &store.Ticket{Desk: "sd", Status: "open", Channel: "mail", Subject: "s",
						RequesterEmail: "ivan@cache.test", CreatedAt: t0, UpdatedAt: t0})
				}},
				{"still no user", func() error { return wantNotFound(tx.UserByEmail(ctx, "ivan@cache.test")) }},
				{"the organisation", func() error {
					return tx.CreateOrg(ctx, &store.Org{Name: "Cache", Domains: []string{"cache.test"}}, "test", t0)
				}},
				{"the organisation owns the domain", func() error {
					o, err := tx.OrgByDomain(ctx, "cache.test")
					if err != nil {
						return err
					}
					if o.Name != "Cache" || o.Blocked {
						return errors.New("wrong organisation")
					}
					if _, err := tx.UpsertUser(ctx, &store.User{Email: "ivan@cache.test", FullName: "Иван", OrgID: sql.NullInt64{Int64: o.ID, Valid: true}}, "test", t0); err != nil {
						return err
					}
					return tx.SetOrgBlocked(ctx, o.ID, true, "unpaid", "test", t0)
				}},
				{"the user and the blocked organisation", func() error {
					u, o, err := tx.SenderOf(ctx, "ivan@cache.test")
					if err != nil {
						return err
					}
					if u == nil || u.FullName != "Иван" || o == nil || !o.Blocked || o.BlockReason != "unpaid" {
						return errors.New("stale user or organisation")
					}
					return nil
				}},
				{"what a caller changes is its own", func() error {
					u, o, err := tx.SenderOf(ctx, "ivan@cache.test")
					if err != nil {
						return err
					}
					u.FullName, o.Domains[0], o.Name = "Пётр", "other.test", "Other"
					u, o, err = tx.SenderOf(ctx, "ivan@cache.test")
					if err != nil {
						return err
					}
					if u.FullName != "Иван" || o.Domains[0] != "cache.test" || o.Name != "Cache" {
						return fmt.Errorf("a kept read was changed through a copy: %q %q %q", u.FullName, o.Domains[0], o.Name)
					}
					return nil
				}},
				{"the contractors", func() error {
					cs, err := tx.Contractors(ctx)
					if err != nil || len(cs) != 0 {
						return errors.Join(err, errors.New("contractors before adding one"))
					}
					if err := tx.AddContractor(ctx, &store.Contractor{Name: "irtech", Addresses: "support@irtech.example"}, t0); err != nil {
						return err
					}
					cs, err = tx.Contractors(ctx)
					if err != nil || len(cs) != 1 {
						return errors.Join(err, errors.New("the added contractor is not read"))
					}
					return nil
				}},
			}
			for _, s := range steps {
				if err := s.do(); err != nil {
					t.Errorf("%s: %v", s.name, err)
				}
			}
			if tx.CachedReadsForTest() == 0 {
				t.Error("no read was answered from the cache")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func wantNotFound[T any](_ T, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return errors.Join(err, errors.New("found"))
}

// TestInsertedIDsNameTheirRows: the ids inserts return (taken ahead on
// PostgreSQL) are unique, increase in the order of the inserts, and name
// the rows written, over transactions of different sizes.
func TestInsertedIDsNameTheirRows(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var tk store.Ticket
		var last int64
		seen := map[int64]string{}
		for round, n := range []int{1, 5, 40, 3, 0, 2} {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				if tk.ID == 0 {
					tk = store.Ticket{Desk: "sd", Status: "open", Channel: "mail", Subject: "ids", RequesterEmail: "a@example.test",
						CreatedAt: t0, UpdatedAt: t0}
					if err := tx.CreateTicket(ctx, &tk); err != nil {
						return err
					}
				}
				for i := range n {
					m := &store.Message{TicketID: tk.ID, Direction: store.DirIn, Subject: fmt.Sprintf("%d.%d", round, i),
						BodyText: "text", CreatedAt: t0}
					if err := tx.InsertMessage(ctx, m); err != nil {
						return err
					}
					if m.ID <= last {
						t.Errorf("message %s: id %d after %d", m.Subject, m.ID, last)
					}
					last = m.ID
					seen[m.ID] = m.Subject
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		ms, err := db.Messages(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != len(seen) {
			t.Fatalf("%d messages stored, %d inserted", len(ms), len(seen))
		}
		for _, m := range ms {
			if seen[m.ID] != m.Subject {
				t.Errorf("message %d is %q, inserted as %q", m.ID, m.Subject, seen[m.ID])
			}
		}
	})
}

// BenchmarkPostgresIntakeTx: one transaction doing what intake does for a
// message to the store's PostgreSQL layer: the sender read three times
// around a new ticket, two messages, the contractors and settings.
func BenchmarkPostgresIntakeTx(b *testing.B) {
	env := testenv.Get(b)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.Postgres, DSN: env.NewPostgresDB(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		o := &store.Org{Name: "Bench", Domains: []string{"bench.test"}}
		if err := tx.CreateOrg(ctx, o, "test", t0); err != nil {
			return err
		}
		_, err := tx.UpsertUser(ctx, &store.User{Email: "ivan@bench.test", FullName: "Иван", OrgID: sql.NullInt64{Int64: o.ID, Valid: true}}, "test", t0)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for range 4 {
				if _, _, err := tx.SenderOf(ctx, "ivan@bench.test"); err != nil {
					return err
				}
				if _, err := tx.Contractors(ctx); err != nil {
					return err
				}
				if _, _, err := tx.AllBlocked(ctx); err != nil {
					return err
				}
				tk := &store.Ticket{Desk: "sd", Status: "open", Channel: "mail", Subject: "bench", RequesterEmail: "ivan@bench.test",
					CreatedAt: t0, UpdatedAt: t0}
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				for range 2 {
					if err := tx.InsertMessage(ctx, &store.Message{TicketID: tk.ID, Direction: store.DirIn, BodyText: "текст", CreatedAt: t0}); err != nil {
						return err
					}
					if _, _, err := tx.SenderOf(ctx, "ivan@bench.test"); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
