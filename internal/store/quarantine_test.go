package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/otvet/otvet/internal/store"
)

func TestIntakeAttempts(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, ok, err := db.IntakeAttempt(ctx, "sd"); ok || err != nil {
			t.Fatalf("fresh database: %v, %v", ok, err)
		}
		tx := func(f func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Tx(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range []store.IntakeAttempt{
			{Desk: "sd", UIDValidity: 7, FirstUID: 1, LastUID: 64, Attempt: 1, StartedAt: t0},
			{Desk: "sd", UIDValidity: 7, FirstUID: 3, LastUID: 3, Attempt: 2, StartedAt: t0.Add(time.Minute)},
		} {
			tx(func(tx *store.Tx) error { return tx.SetIntakeAttempt(ctx, a) })
			got, ok, err := db.IntakeAttempt(ctx, "sd")
			if !ok || err != nil || got.FirstUID != a.FirstUID || got.LastUID != a.LastUID || got.Attempt != a.Attempt ||
				!got.StartedAt.Equal(a.StartedAt) {
				t.Errorf("read %+v, %v, %v; want %+v", got, ok, err, a)
			}
		}
		if _, ok, _ := db.IntakeAttempt(ctx, "other"); ok {
			t.Error("attempts are per desk")
		}
		tx(func(tx *store.Tx) error { return tx.ClearIntakeAttempt(ctx, "sd") })
		if _, ok, _ := db.IntakeAttempt(ctx, "sd"); ok {
			t.Error("cleared attempt still there")
		}
	})
}

func TestCovers(t *testing.T) {
	a := store.IntakeAttempt{UIDValidity: 7, FirstUID: 10, LastUID: 20}
	cases := []struct {
		v, uid uint32
		want   bool
	}{{7, 10, true}, {7, 20, true}, {7, 15, true}, {7, 9, false}, {7, 21, false}, {8, 15, false}}
	for _, c := range cases {
		if got := a.Covers(c.v, c.uid); got != c.want {
			t.Errorf("Covers(%d, %d) = %v", c.v, c.uid, got)
		}
	}
}

func TestQuarantineRows(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := map[string]int64{}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i, d := range []string{store.DispQuarantine, store.DispTicket, store.DispQuarantine} {
				data := fmt.Sprintf("From: a@b\r\nSubject: s%d\r\n\r\n%s", i, strings.Repeat("x", store.HeadBytes))
				r := &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: uint32(i + 1), MessageID: "same@id", SHA256: fmt.Sprint("h", i),
					ContentKey: fmt.Sprint("k", i), Size: int64(len(data)), Disposition: d, Note: "why " + d, Data: []byte(data), ReceivedAt: t0}
				if _, dup, err := tx.InsertRaw(ctx, r); err != nil || dup {
					return fmt.Errorf("insert %d: %v %w", i, dup, err)
				}
				ids[fmt.Sprint(i)] = r.ID
			}
			refs, err := tx.RawsByMessageID(ctx, "sd", "same@id")
			if err != nil || len(refs) != 3 || refs[1].ContentKey != "k1" {
				return fmt.Errorf("refs %+v: %w", refs, err)
			}
			if refs, err := tx.RawsByMessageID(ctx, "other", "same@id"); err != nil || len(refs) != 0 {
				return fmt.Errorf("other desk refs %+v: %w", refs, err)
			}
			return tx.SetRawContentKey(ctx, ids["0"], "k0b")
		})
		if err != nil {
			t.Fatal(err)
		}
		qs, err := db.Quarantined(ctx)
		if err != nil || len(qs) != 2 || qs[0].ID != ids["0"] || qs[1].ID != ids["2"] {
			t.Fatalf("quarantined %d rows, %v", len(qs), err)
		}
		if len(qs[0].Head) != store.HeadBytes || !strings.HasPrefix(string(qs[0].Head), "From: a@b") || qs[0].Note != "why quarantined" {
			t.Errorf("head %d bytes, note %q", len(qs[0].Head), qs[0].Note)
		}
		r, err := db.RawMessage(ctx, ids["0"])
		if err != nil || r.ContentKey != "k0b" || r.Disposition != store.DispQuarantine || len(r.Data) <= store.HeadBytes {
			t.Fatalf("raw %+v, %v", r, err)
		}
		if _, err := db.RawMessage(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing raw: %v", err)
		}
		// Claim and release each work once, and only on quarantined rows.
		cases := []struct {
			name string
			f    func(tx *store.Tx) (bool, error)
			want bool
		}{
			{"claim", func(tx *store.Tx) (bool, error) { return tx.ClaimQuarantined(ctx, ids["0"]) }, true},
			{"claim again", func(tx *store.Tx) (bool, error) { return tx.ClaimQuarantined(ctx, ids["0"]) }, false},
			{"claim a ticket's message", func(tx *store.Tx) (bool, error) { return tx.ClaimQuarantined(ctx, ids["1"]) }, false},
			{"release", func(tx *store.Tx) (bool, error) { return tx.ReleaseQuarantined(ctx, ids["2"], "cli:test", t0) }, true},
			{"release again", func(tx *store.Tx) (bool, error) { return tx.ReleaseQuarantined(ctx, ids["2"], "cli:test", t0) }, false},
			{"release a claimed one", func(tx *store.Tx) (bool, error) { return tx.ReleaseQuarantined(ctx, ids["0"], "cli:test", t0) }, false},
		}
		for _, c := range cases {
			var got bool
			if err := db.Tx(ctx, func(tx *store.Tx) (err error) { got, err = c.f(tx); return err }); err != nil || got != c.want {
				t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
			}
		}
		if qs, _ := db.Quarantined(ctx); len(qs) != 0 {
			t.Errorf("%d left in quarantine", len(qs))
		}
		r, _ = db.RawMessage(ctx, ids["2"])
		if r.Disposition != store.DispReleased || len(r.Data) == 0 {
			t.Errorf("released row %+v", r.Disposition)
		}
		evs, _ := db.AuditEvents(ctx, time.Time{})
		if len(evs) != 1 || evs[0].Kind != "quarantine_released" || evs[0].Actor != "cli:test" || !strings.Contains(evs[0].Detail, "why quarantined") {
			t.Errorf("audit %+v", evs)
		}
	})
}

func TestTransient(t *testing.T) {
	cases := []struct {
		name            string
		err             error
		transient, full bool
	}{
		{"nil", nil, false, false},
		{"plain", errors.New("bad data"), false, false},
		{"ENOSPC", fmt.Errorf("write: %w", syscall.ENOSPC), true, true},
		{"EIO", fmt.Errorf("write: %w", syscall.EIO), true, false},
		{"bad conn", driver.ErrBadConn, true, false},
		{"pg disk full", &pgconn.PgError{Code: "53100"}, true, true},
		{"pg out of memory", &pgconn.PgError{Code: "53200"}, true, false},
		{"pg io error", &pgconn.PgError{Code: "58030"}, true, false},
		{"pg unique", &pgconn.PgError{Code: "23505"}, false, false},
		{"pg serialization", &pgconn.PgError{Code: "40001"}, true, false},
	}
	for _, c := range cases {
		if got := store.Transient(c.err); got != c.transient {
			t.Errorf("%s: Transient = %v", c.name, got)
		}
		if got := store.DiskFull(c.err); got != c.full {
			t.Errorf("%s: DiskFull = %v", c.name, got)
		}
	}
}
