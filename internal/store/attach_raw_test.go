package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// rawWithFiles is a message with each file base64-encoded in lines of 76.
func rawWithFiles(files ...[]byte) []byte {
	var b strings.Builder
	b.WriteString("From: a@b.ru\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nВо вложении.\r\n")
	for _, f := range files {
		b.WriteString("--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		enc := base64.StdEncoding.EncodeToString(f)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--x--\r\n")
	return []byte(b.String())
}

// TestFindInRaw: each file is found at the base64 block that decodes to it
// (two equal files at two blocks), and a file the message does not hold
// as a block (changed, or not there) is not.
func TestFindInRaw(t *testing.T) {
	png, pdf := noise(5000, 1), noise(777, 2)
	raw := rawWithFiles(png, pdf, png)
	got := store.FindInRaw(raw, [][]byte{png, pdf, png, noise(5000, 3), nil})
	if got[0].String() == "" || got[1].String() == "" || got[2].String() == "" || got[0] == got[2] {
		t.Fatalf("found %v", got)
	}
	if got[3].String() != "" || got[4].String() != "" {
		t.Errorf("found what is not there: %v", got[3:])
	}
	if p := store.FindInRaw(append(noise(store.ChunkBytes, 4), raw...), [][]byte{png}); p[0].String() != "" {
		t.Error("searched a raw message larger than ChunkBytes")
	}
}

// TestAttachmentsReadFromRaw: a file stored at its place in its raw
// message keeps no copy, reads back byte for byte on both engines, reads
// as purged once the raw message is, and a place that does not hold it is
// an error, never other bytes.
func TestAttachmentsReadFromRaw(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		png, pdf := noise(5000, 1), noise(777, 2)
		raw := rawWithFiles(png, pdf)
		var ids []int64
		var ticket int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk, err := openTicket(ctx, tx, "файлы")
			if err != nil {
				return err
			}
			ticket = tk
			rid, _, err := tx.InsertRaw(ctx, &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: 1, SHA256: "f", Size: int64(len(raw)),
				Data: raw, Disposition: store.DispTicket, ReceivedAt: t0})
			if err != nil {
				return err
			}
			m := &store.Message{TicketID: tk, Direction: store.DirIn, RawID: sql.NullInt64{Int64: rid, Valid: true}, CreatedAt: t0}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			at := store.FindInRaw(raw, [][]byte{png, pdf})
			at[1].CRC++ // a place that does not hold the file
			for k, f := range [][]byte{png, pdf} {
				a := &store.Attachment{MessageID: m.ID, Filename: "f.png", Size: int64(len(f)), Data: f, InRaw: at[k]}
				if err := tx.InsertAttachment(ctx, a); err != nil {
					return err
				}
				ids = append(ids, a.ID)
			}
			var copies int
			if err := tx.QueryRowForTest(ctx, `SELECT COUNT(*) FROM attachments WHERE data IS NOT NULL`).Scan(&copies); err != nil || copies != 0 {
				t.Errorf("%d files stored again, %v", copies, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if a, tk, err := db.Attachment(ctx, ids[0]); err != nil || tk != ticket || !bytes.Equal(a.Data, png) {
			t.Fatalf("Attachment: %d bytes, ticket %d, %v", len(a.Data), tk, err)
		}
		if _, _, err := db.Attachment(ctx, ids[1]); err == nil {
			t.Error("a file whose place does not hold it was read")
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.QueryRowForTest(ctx, `UPDATE tickets SET status = ?, closed_at = ? WHERE id = ? RETURNING id`,
				store.StatusClosed, t0, ticket).Scan(new(int64)); err != nil {
				return err
			}
			_, err := tx.PurgeBefore(ctx, t0.Add(time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if a, _, err := db.Attachment(ctx, id); err != nil || a.Data != nil {
				t.Errorf("after the purge: attachment %d has %d bytes, %v", id, len(a.Data), err)
			}
		}
	})
}

// TestPurgeKeepsUnsentMailWhole: the retention purge drops a closed
// ticket's raw messages; a notification not sent yet whose body was packed
// against its request's text and raw message is re-packed to stand alone
// first, so it still reads whole (and can be retried), on both engines.
func TestPurgeKeepsUnsentMailWhole(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		file, text := noise(3000, 5), "Скриншот ошибки во вложении, помогите."
		raw := rawWithFiles(file)
		body := []byte("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		body = append(body, base64Lines([]byte(strings.Repeat(text+"\r\n", 30)))...)
		body = append(body, "--y\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"...)
		body = append(body, base64Lines(file)...)
		head := []byte("To: a@x\r\nMessage-ID: <keep@x>\r\n")
		var ticket, id, rawID int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk, err := openTicket(ctx, tx, "скриншот")
			if err != nil {
				return err
			}
			ticket = tk
			rid, _, err := tx.InsertRaw(ctx, &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: 1, SHA256: "k", Size: int64(len(raw)),
				Data: raw, Disposition: store.DispPending, ReceivedAt: t0})
			if err != nil {
				return err
			}
			if err := tx.SetRawDisposition(ctx, rid, store.DispTicket, "", tk); err != nil {
				return err
			}
			rawID = rid
			m := &store.Message{TicketID: tk, Direction: store.DirIn, BodyText: store.Text(text), RawID: sql.NullInt64{Int64: rid, Valid: true}, CreatedAt: t0}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			stored, against := db.PackAgainstText(body, text, raw)
			if !against {
				t.Fatal("not packed against the request")
			}
			bodyID, err := tx.InsertPackedBody(ctx, stored, m.ID)
			if err != nil {
				return err
			}
			o := &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: tk, Valid: true}, Kind: "agent_notify",
				MessageID: "keep@x", EnvelopeFrom: "sd@x", Recipients: "a@x", RcptKey: "a@x", Raw: head,
				BodyID: sql.NullInt64{Int64: bodyID, Valid: true}, NextAttemptAt: t0, CreatedAt: t0}
			if err := tx.InsertOutgoing(ctx, o); err != nil {
				return err
			}
			id = o.ID
			return tx.UpdateTicketState(ctx, tk, store.StatusClosed, "", sql.NullTime{}, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.PurgeBefore(ctx, t0.Add(time.Hour))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			left, err := tx.RawData(ctx, rawID)
			if err == nil && len(left) != 0 {
				t.Errorf("the raw message was not purged (%d bytes)", len(left))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want := append(append([]byte{}, head...), body...)
		if o, err := db.Outgoing(ctx, id); err != nil || !bytes.Equal(o.Raw, want) {
			t.Fatalf("the unsent notification after the purge: %v", err)
		}
		if rows, err := db.OutgoingForTicket(ctx, ticket); err != nil || len(rows) != 1 {
			t.Fatalf("the ticket's mail after the purge: %d rows, %v", len(rows), err)
		}
	})
}

// base64Lines is b base64-encoded in CRLF lines of 76.
func base64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out []byte
	for len(enc) > 76 {
		out = append(out, enc[:76]+"\r\n"...)
		enc = enc[76:]
	}
	return append(out, enc+"\r\n"...)
}
