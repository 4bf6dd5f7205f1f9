package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// TestRawDataMigration00019: the bytes stored in raw_messages before
// migration 00019 move to raw_data and every reader still gets them:
// RawData (quarantine retry), RawMessage (quarantine show), Quarantined
// (quarantine list) and the retention purge; a message stored after it is
// read the same way, and recording its disposition leaves its bytes alone.
func TestRawDataMigration00019(t *testing.T) {
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			db, exec := migratedTo(t, dialect, 18)
			old := t0.Add(-400 * 24 * time.Hour)
			exec(`INSERT INTO tickets (id, desk, status, channel, subject, requester_email, created_at, updated_at, closed_at)
				VALUES (1, 'sd', 'closed', 'email', 'x', 'a@b.ru', ?, ?, ?)`, old, old, old)
			quarantined := []byte("Subject: old, quarantined\r\n\r\nbody")
			closed := []byte("Subject: old, of a closed ticket\r\n\r\nbody")
			exec(`INSERT INTO raw_messages (id, desk, uid_validity, uid, sha256, size, disposition, data, received_at)
				VALUES (101, 'sd', 1, 1, 'a', ?, 'quarantined', ?, ?)`, len(quarantined), quarantined, old)
			exec(`INSERT INTO raw_messages (id, desk, uid_validity, uid, sha256, size, disposition, ticket_id, data, received_at)
				VALUES (102, 'sd', 1, 2, 'b', ?, 'ticket', 1, ?, ?)`, len(closed), closed, old)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}

			fresh := []byte("Subject: new\r\n\r\n" + string(bytes.Repeat([]byte("x"), 10000)))
			var newID int64
			err := db.Tx(ctx, func(tx *store.Tx) error {
				id, _, err := tx.InsertRaw(ctx, &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: 3, SHA256: "c", Size: int64(len(fresh)),
					Disposition: store.DispPending, Data: fresh, ReceivedAt: t0})
				if err != nil {
					return err
				}
				newID = id
				return tx.SetRawDisposition(ctx, id, store.DispQuarantine, "", 0)
			})
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range map[int64][]byte{101: quarantined, 102: closed, newID: fresh} {
				var got []byte
				if err := db.Tx(ctx, func(tx *store.Tx) error {
					got, err = tx.RawData(ctx, id)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("RawData(%d) = %.40q, want %.40q", id, got, want)
				}
				r, err := db.RawMessage(ctx, id)
				if err != nil || !bytes.Equal(r.Data, want) {
					t.Errorf("RawMessage(%d) = %.40q, %v", id, r.Data, err)
				}
			}
			qs, err := db.Quarantined(ctx)
			if err != nil || len(qs) != 2 {
				t.Fatalf("Quarantined = %d rows, %v", len(qs), err)
			}
			for _, q := range qs {
				if want := map[int64][]byte{101: quarantined, newID: fresh}[q.ID]; !bytes.Equal(q.Head, want) {
					t.Errorf("Quarantined: message %d's head is %.40q, want %.40q", q.ID, q.Head, want)
				}
			}
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.PurgeBefore(ctx, t0)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			r, err := db.RawMessage(ctx, 102)
			if err != nil || len(r.Data) != 0 || r.Note != "purged" {
				t.Errorf("after the purge: %.40q %q, %v", r.Data, r.Note, err)
			}
		})
	}
}

// TestRawBytesAnyShape: an incoming message reads back byte for byte
// through every reader whatever it holds — base64 parts (stored decoded and
// packed on SQLite), NUL bytes, a packing mark of its own at its start or
// within, or too little to pack.
func TestRawBytesAnyShape(t *testing.T) {
	body := bytes.Repeat([]byte("0J/RgNC40L3RgtC10YAg0L3QtSDQv9C10YfQsNGC0LDQtdGCLCDQvNC40LPQsNC10YIg0LvQsNC80L/QvtGH0LrQsC4g\r\n"), 80)
	shapes := map[string][]byte{
		"base64 part":                     append([]byte("Subject: a\r\nContent-Transfer-Encoding: base64\r\n\r\n"), body...),
		"NUL bytes":                       append([]byte("Subject: b\r\n\r\n\x00\x00"), body...),
		"mark at start":                   append([]byte("\x00otvet:deflate\n"), body...),
		"mark within":                     append(append([]byte("Subject: c\r\n\r\n"), body...), "\x00otvet:deflate64\nxyz"...),
		"small":                           []byte("Subject: d\r\n\r\nhi"),
		"large, in chunks, mark at start": append([]byte("\x00otvet:deflate\n"), bytes.Repeat([]byte("x"), store.ChunkBytes+100)...),
		"large, in chunks":                append([]byte("Subject: e\r\n\r\n"), bytes.Repeat(body, 70)...),
	}
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := map[string]int64{}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			uid := uint32(0)
			for name, raw := range shapes {
				uid++
				id, _, err := tx.InsertRaw(ctx, &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: uid, SHA256: name, Size: int64(len(raw)),
					Disposition: store.DispPending, Data: raw, ReceivedAt: t0})
				if err != nil {
					return err
				}
				ids[name] = id
				if err := tx.SetRawDisposition(ctx, id, store.DispQuarantine, "", 0); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		qs, err := db.Quarantined(ctx)
		if err != nil {
			t.Fatal(err)
		}
		heads := map[int64][]byte{}
		for _, q := range qs {
			heads[q.ID] = q.Head
		}
		for name, want := range shapes {
			id := ids[name]
			var got []byte
			if err := db.Tx(ctx, func(tx *store.Tx) (err error) { got, err = tx.RawData(ctx, id); return err }); err != nil {
				t.Fatal(err)
			}
			r, err := db.RawMessage(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			head := want[:min(len(want), store.HeadBytes)]
			if !bytes.Equal(got, want) || !bytes.Equal(r.Data, want) || !bytes.Equal(heads[id], head) {
				t.Errorf("%s: RawData %.30q, RawMessage %.30q, Quarantined %.30q; want %.30q", name, got, r.Data, heads[id], want)
			}
		}
	})
}
