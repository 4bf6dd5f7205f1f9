package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

func TestWebLinksAndSessions(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		tx := func(f func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Tx(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		tx(func(tx *store.Tx) error {
			if err := tx.UpsertStaff(ctx, &store.Staff{Email: "a@x.test", Role: store.StaffAgent, Active: true}, "test", now); err != nil {
				return err
			}
			if err := tx.InsertWebLink(ctx, "h1", "A@x.test", now, now.Add(15*time.Minute)); err != nil {
				return err
			}
			return tx.InsertWebLink(ctx, "h2", "a@x.test", now, now.Add(time.Minute))
		})
		use := func(hash string, at time.Time) (string, error) {
			var email string
			err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				email, err = tx.UseWebLink(ctx, hash, at)
				return err
			})
			return email, err
		}
		cases := []struct {
			name, hash string
			at         time.Time
			want       string
		}{
			{"fresh link", "h1", now.Add(time.Minute), "a@x.test"},
			{"spent link", "h1", now.Add(2 * time.Minute), ""},
			{"expired link", "h2", now.Add(2 * time.Minute), ""},
			{"unknown link", "nope", now, ""},
		}
		for _, c := range cases {
			got, err := use(c.hash, c.at)
			if c.want == "" && !errors.Is(err, store.ErrNotFound) || c.want != "" && (err != nil || got != c.want) {
				t.Errorf("%s: %q, %v", c.name, got, err)
			}
		}
		tx(func(tx *store.Tx) error {
			n, err := tx.CountWebLinksSince(ctx, "a@x.test", now.Add(-time.Hour))
			if n != 2 {
				t.Errorf("%d links counted", n)
			}
			return err
		})
		tx(func(tx *store.Tx) error {
			return tx.InsertWebSession(ctx, &store.WebSession{TokenHash: "s1", Email: "a@x.test", Role: store.StaffAgent, CSRF: "c",
				CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)})
		})
		if s, m, err := db.WebSessionByHash(ctx, "s1", now.Add(time.Minute)); err != nil || s.CSRF != "c" || m.Email != "a@x.test" {
			t.Fatalf("session %+v %+v %v", s, m, err)
		}
		// Promoted (or demoted): the session ends.
		tx(func(tx *store.Tx) error {
			return tx.UpsertStaff(ctx, &store.Staff{Email: "a@x.test", Role: store.StaffLead, Active: true}, "test", now)
		})
		if _, _, err := db.WebSessionByHash(ctx, "s1", now.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a session outlived a role change: %v", err)
		}
		if b, err := db.Backlog(ctx); err != nil || b.Pending != 0 || b.OldestDue.Valid {
			t.Fatalf("backlog %+v %v", b, err)
		}
	})
}
