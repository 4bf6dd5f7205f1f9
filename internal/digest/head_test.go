package digest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// makeHead registers email as the head of organisation org.
func makeHead(t *testing.T, db *store.DB, email string, org int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		u := &store.User{Email: email, FullName: "Руководитель", OrgID: sql.NullInt64{Int64: org, Valid: true}, Role: store.RoleHead, Confirmed: true}
		_, err := tx.UpsertUser(ctx, u, "test", at(t, "2024-11-01 09:00"), store.MoveOrg, store.SetRole)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An organisation's digest goes only to that organisation's head in the
// directory: a configured address that is not (yet) the head gets nothing.
func TestOrganisationDigestOnlyToItsHead(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	org1, org2 := fixture(t, db, testSetup(t).Default)
	now := at(t, "2025-01-09 10:00")
	rcs := []Recipient{{Email: "head@school1.example", Lang: "ru", OrgID: org1}}
	s := newScheduler(t, db, rcs, now, Schedule{Off: true}, Schedule{Off: true}, Schedule{})
	if n, err := s.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("queued %d (%v) for an address not in the directory", n, err)
	}
	makeHead(t, db, "head@school1.example", org2) // the head of another organisation
	if n, err := s.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("queued %d (%v) for another organisation's head", n, err)
	}
	makeHead(t, db, "head@school1.example", org1)
	if n, err := s.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("queued %d (%v) for the head", n, err)
	}
}
