package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// A NUL in a string (hostile mail puts them in headers) is stored as U+FFFD on
// both engines: PostgreSQL text cannot hold NUL, and a message must never be
// quarantined for it.
func TestNULInStringsIsStored(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.AddEvent(ctx, 0, at, "nul_test", "image/p\x00ng", "a\x00b")
		})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := db.AuditEvents(ctx, at.Add(-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Kind == "nul_test" {
				if e.Actor != "image/p\uFFFDng" || e.Detail != "a\uFFFDb" || strings.ContainsRune(e.Detail, 0) {
					t.Errorf("stored %q %q", e.Actor, e.Detail)
				}
				return
			}
		}
		t.Error("event not stored")
	})
}
