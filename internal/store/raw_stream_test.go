package store_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// readerAt is a RawBody over bytes (the poller's spool is a file).
type readerAt struct{ *bytes.Reader }

func (r readerAt) Size() int64 { return r.Reader.Size() }

// noise is n bytes of every value, NUL and invalid UTF-8 included.
func noise(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestChunkedRawAndAttachments: a message or attachment larger than
// ChunkBytes is written in chunks (migration 00024), from memory or from a
// RawBody, and every reader gets its bytes whole: RawData, RawMessage,
// Quarantined's head, Attachment; the retention purge drops the chunks.
// A row stored before 00024 (migratedTo 23) reads as before.
func TestChunkedRawAndAttachments(t *testing.T) {
	cases := []struct {
		name   string
		size   int
		stream bool
	}{
		{"empty", 0, false},
		{"small", 1000, false},
		{"one chunk", store.ChunkBytes, false},
		{"one chunk and a byte", store.ChunkBytes + 1, false},
		{"several chunks", 3*store.ChunkBytes + 17, false},
		{"streamed, small", 10, true},
		{"streamed, one chunk", store.ChunkBytes, true},
		{"streamed, several chunks", 2*store.ChunkBytes + 5, true},
	}
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			db, exec := migratedTo(t, dialect, 23)
			old := t0.Add(-400 * 24 * time.Hour)
			before := noise(2*store.ChunkBytes, 99)
			exec(`INSERT INTO tickets (id, desk, status, channel, subject, requester_email, created_at, updated_at, closed_at)
				VALUES (1, 'sd', 'closed', 'email', 'x', 'a@b.ru', ?, ?, ?)`, old, old, old)
			exec(`INSERT INTO raw_messages (id, desk, uid_validity, uid, sha256, size, disposition, ticket_id, data, received_at)
				VALUES (1000, 'sd', 1, 1000, 'old', ?, 'quarantined', 1, ?, ?)`, len(before), []byte{}, old)
			exec(`INSERT INTO raw_data (raw_id, data) VALUES (1000, ?)`, before)
			exec(`INSERT INTO messages (id, ticket_id, direction, message_id, created_at) VALUES (1000, 1, 'in', 'old@x', ?)`, old)
			exec(`INSERT INTO attachments (id, message_id, filename, size, data) VALUES (1000, 1000, 'old.bin', ?, ?)`, len(before), before)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			want := map[int64][]byte{1000: before}
			wantAtt := map[int64][]byte{1000: before}
			for i, c := range cases {
				data := noise(c.size, uint64(i))
				r := &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: uint32(i + 1), SHA256: c.name, Size: int64(len(data)),
					Disposition: store.DispQuarantine, ReceivedAt: t0}
				if c.stream {
					r.Body = readerAt{bytes.NewReader(data)}
				} else {
					r.Data = data
				}
				err := db.Tx(ctx, func(tx *store.Tx) error {
					id, _, err := tx.InsertRaw(ctx, r)
					if err != nil {
						return err
					}
					if err := tx.SetRawDisposition(ctx, id, store.DispQuarantine, "", 1); err != nil {
						return err
					}
					m := &store.Message{TicketID: 1, Direction: store.DirIn, MessageID: c.name, CreatedAt: t0}
					if err := tx.InsertMessage(ctx, m); err != nil {
						return err
					}
					a := &store.Attachment{MessageID: m.ID, Filename: "f.bin", Size: int64(len(data)), Data: data}
					if err := tx.InsertAttachment(ctx, a); err != nil {
						return err
					}
					want[id], wantAtt[a.ID] = data, data
					return nil
				})
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
			}
			for id, w := range want {
				var got []byte
				if err := db.Tx(ctx, func(tx *store.Tx) error {
					var err error
					got, err = tx.RawData(ctx, id)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, w) {
					t.Errorf("RawData(%d): %d bytes, want %d", id, len(got), len(w))
				}
				r, err := db.RawMessage(ctx, id)
				if err != nil || !bytes.Equal(r.Data, w) {
					t.Errorf("RawMessage(%d): %d bytes, %v; want %d", id, len(r.Data), err, len(w))
				}
			}
			qs, err := db.Quarantined(ctx)
			if err != nil || len(qs) != len(want) {
				t.Fatalf("Quarantined: %d rows, %v; want %d", len(qs), err, len(want))
			}
			for _, q := range qs {
				if w := want[q.ID]; !bytes.Equal(q.Head, w[:min(len(w), store.HeadBytes)]) {
					t.Errorf("Quarantined: message %d's head has %d bytes, want the first %d", q.ID, len(q.Head), min(len(w), store.HeadBytes))
				}
			}
			for id, w := range wantAtt {
				a, _, err := db.Attachment(ctx, id)
				if err != nil || !bytes.Equal(a.Data, w) || (a.Data == nil && len(w) > 0) {
					t.Errorf("Attachment(%d): %d bytes (nil %v), %v; want %d", id, len(a.Data), a.Data == nil, err, len(w))
				}
			}
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.PurgeBefore(ctx, t0.Add(time.Hour))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for id := range want {
				if r, err := db.RawMessage(ctx, id); err != nil || len(r.Data) != 0 {
					t.Errorf("after the purge: message %d has %d bytes, %v", id, len(r.Data), err)
				}
			}
			for id := range wantAtt {
				if a, _, err := db.Attachment(ctx, id); err != nil || a.Data != nil {
					t.Errorf("after the purge: attachment %d has %d bytes, %v", id, len(a.Data), err)
				}
			}
			var left int
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				return tx.QueryRowForTest(ctx, `SELECT (SELECT COUNT(*) FROM raw_chunks) + (SELECT COUNT(*) FROM attachment_chunks)`).Scan(&left)
			}); err != nil || left != 0 {
				t.Errorf("after the purge: %d chunks left, %v", left, err)
			}
		})
	}
}
