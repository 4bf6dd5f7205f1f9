package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// Rows sharing one body read back whole (head then body) through every
// reader, byte for byte, including bytes that are not text; a row without a
// body (as queued before migration 00020) reads as it was stored.
func TestOutboxSharedBodyReadsWhole(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		body := append([]byte("MIME-Version: 1.0\r\n\r\nтекст\x00\xff\xfe"), bytes.Repeat([]byte("z"), 5000)...)
		heads := [][]byte{[]byte("To: a@x\r\nMessage-ID: <1@x>\r\n"), []byte("To: b@x\r\nMessage-ID: <2@x>\r\n")}
		var ticket int64
		var ids []int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "s", RequesterEmail: "u@x.ru", CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			ticket = tk.ID
			bodyID, err := tx.InsertOutgoingBody(ctx, body)
			if err != nil {
				return err
			}
			for i, h := range heads {
				o := &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: tk.ID, Valid: true}, Kind: "agent_notify",
					MessageID: fmt.Sprintf("%d@x", i+1), EnvelopeFrom: "sd@x", Recipients: "a@x", RcptKey: "a@x", Raw: h,
					BodyID: sql.NullInt64{Int64: bodyID, Valid: true}, NextAttemptAt: t0, CreatedAt: t0}
				if err := tx.InsertOutgoing(ctx, o); err != nil {
					return err
				}
				ids = append(ids, o.ID)
			}
			old := &store.Outgoing{Desk: "sd", Kind: "ack", MessageID: "old@x", EnvelopeFrom: "sd@x", Recipients: "u@x",
				RcptKey: "u@x", Raw: []byte("whole old message"), NextAttemptAt: t0.Add(time.Hour), CreatedAt: t0}
			if err := tx.InsertOutgoing(ctx, old); err != nil {
				return err
			}
			ids = append(ids, old.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := [][]byte{append(append([]byte{}, heads[0]...), body...), append(append([]byte{}, heads[1]...), body...), []byte("whole old message")}
		for i, id := range ids {
			o, err := db.Outgoing(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(o.Raw, want[i]) {
				t.Errorf("row %d: Outgoing raw = %q…, want %q…", i, o.Raw[:min(60, len(o.Raw))], want[i][:min(60, len(want[i]))])
			}
			err = db.Tx(ctx, func(tx *store.Tx) error {
				byID, err := tx.OutgoingByMessageID(ctx, o.MessageID)
				if err == nil && !bytes.Equal(byID.Raw, want[i]) {
					t.Errorf("row %d: by Message-ID: raw differs", i)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.OutgoingForTicket(ctx, ticket)
		if err != nil || len(rows) != 2 || !bytes.Equal(rows[0].Raw, want[0]) || !bytes.Equal(rows[1].Raw, want[1]) {
			t.Errorf("OutgoingForTicket: %d rows, %v", len(rows), err)
		}
		claimed, err := db.ClaimOutgoing(ctx, t0.Add(2*time.Hour), 10, func(int) time.Duration { return time.Minute })
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		for i, o := range claimed {
			if !bytes.Equal(o.Raw, want[i]) {
				t.Errorf("claimed row %d: raw differs", i)
			}
		}
	})
}

// The retention purge drops a shared body with the heads of its sent rows
// (and only once every row using it is purged).
func TestOutboxSharedBodyPurged(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ids []int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "s", RequesterEmail: "u@x.ru", CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			bodyID, err := tx.InsertOutgoingBody(ctx, []byte("the body"))
			if err != nil {
				return err
			}
			for i := range 2 {
				o := &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: tk.ID, Valid: true}, Kind: "agent_notify",
					MessageID: fmt.Sprintf("p%d@x", i), EnvelopeFrom: "sd@x", Recipients: "a@x", RcptKey: "a@x", Raw: []byte("head\r\n"),
					BodyID: sql.NullInt64{Int64: bodyID, Valid: true}, NextAttemptAt: t0, CreatedAt: t0}
				if err := tx.InsertOutgoing(ctx, o); err != nil {
					return err
				}
				ids = append(ids, o.ID)
			}
			return tx.UpdateTicketState(ctx, tk.ID, store.StatusClosed, "", sql.NullTime{}, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		purge := func() int64 {
			var n int64
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				n, err = tx.PurgeBefore(ctx, t0.Add(time.Hour))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// One row sent, one still pending: the pending one keeps its body.
		if err := db.MarkSent(ctx, ids[0], t0); err != nil {
			t.Fatal(err)
		}
		if n := purge(); n != 1 {
			t.Errorf("purged %d rows, want 1", n)
		}
		if o, _ := db.Outgoing(ctx, ids[0]); len(o.Raw) != 0 || o.BodyID.Valid {
			t.Errorf("sent row after purge: raw %q, body %v", o.Raw, o.BodyID)
		}
		if o, _ := db.Outgoing(ctx, ids[1]); string(o.Raw) != "head\r\nthe body" {
			t.Errorf("pending row after purge: raw %q", o.Raw)
		}
		if err := db.MarkSent(ctx, ids[1], t0); err != nil {
			t.Fatal(err)
		}
		if n := purge(); n != 1 {
			t.Errorf("purged %d rows, want 1", n)
		}
		if n := countBodies(t, db); n != 0 {
			t.Errorf("%d bodies left", n)
		}
	})
}

func countBodies(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRowForTest(context.Background(), `SELECT COUNT(*) FROM outbox_bodies`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A notification's body packed against the text of the message it is about
// and its files stores far less than them and reads back whole, byte for
// byte, through every reader and on both engines, whether the text itself
// is stored packed (long) or as it is (short), with its raw message's files
// or without.
func TestOutboxBodyPackedAgainstText(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		file := noise(6000, 7)
		raw := rawWithFiles(file)
		for i, text := range []string{
			strings.Repeat("Не открывается электронный журнал после обновления, пишет «Ошибка 500». ", 60),
			"Принтер в кабинете 17 не печатает: горит оранжевая лампа, бумага есть, картридж меняли вчера. Помогите!",
			"Скриншот во вложении.",
		} {
			withFile := i == 2
			enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
			var body strings.Builder
			body.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
			for i := 0; i < len(enc); i += 76 {
				body.WriteString(enc[i:min(i+76, len(enc))] + "\r\n")
			}
			if withFile {
				body.WriteString("--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n")
				enc := base64.StdEncoding.EncodeToString(file)
				for i := 0; i < len(enc); i += 76 {
					body.WriteString(enc[i:min(i+76, len(enc))] + "\r\n")
				}
			}
			head := []byte("To: a@x\r\nMessage-ID: <n" + fmt.Sprint(len(text)) + "@x>\r\n")
			var id int64
			err := db.Tx(ctx, func(tx *store.Tx) error {
				tk, err := openTicket(ctx, tx, "журнал")
				if err != nil {
					return err
				}
				m := &store.Message{TicketID: tk, Direction: store.DirIn, BodyText: store.Text(text), CreatedAt: t0}
				var against []byte
				if withFile {
					rid, _, err := tx.InsertRaw(ctx, &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: uint32(i + 1), SHA256: fmt.Sprint(i),
						Size: int64(len(raw)), Data: raw, Disposition: store.DispTicket, ReceivedAt: t0})
					if err != nil {
						return err
					}
					m.RawID, against = sql.NullInt64{Int64: rid, Valid: true}, raw
				}
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
				stored, ok := db.PackAgainstText([]byte(body.String()), text, against)
				if !ok || len(stored) > body.Len()/4 {
					t.Errorf("a body of %d bytes packed against its text: %d bytes, against %v", body.Len(), len(stored), ok)
				}
				bodyID, err := tx.InsertPackedBody(ctx, stored, m.ID)
				if err != nil {
					return err
				}
				o := &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: tk, Valid: true}, Kind: "agent_notify",
					MessageID: fmt.Sprintf("n%d@x", len(text)), EnvelopeFrom: "sd@x", Recipients: "a@x", RcptKey: "a@x", Raw: head,
					BodyID: sql.NullInt64{Int64: bodyID, Valid: true}, NextAttemptAt: t0, CreatedAt: t0}
				if err := tx.InsertOutgoing(ctx, o); err != nil {
					return err
				}
				id = o.ID
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([]byte{}, head...), body.String()...)
			o, err := db.Outgoing(ctx, id)
			if err != nil || !bytes.Equal(o.Raw, want) {
				t.Fatalf("Outgoing: %v; raw = %q", err, o.Raw[:min(200, len(o.Raw))])
			}
			claimed, err := db.ClaimOutgoing(ctx, t0.Add(time.Hour), 10, func(int) time.Duration { return time.Minute })
			if err != nil || len(claimed) != 1 || !bytes.Equal(claimed[0].Raw, want) {
				t.Fatalf("claimed %d rows, %v", len(claimed), err)
			}
		}
	})
}
