package store

import (
	"context"
	"fmt"
)

// One notification per event (migration 00020): a message that goes to
// several recipients with the same content, an agent notification, is
// stored as one shared body (outbox_bodies: MIME-Version, the content
// headers, text, HTML and files) and one outbox row per recipient holding
// only that recipient's head (Date, From, Reply-To with the recipient's own
// signed token, To, Message-ID, threading, Subject). The row's message is its
// head followed by the body; every reader gets it whole in Outgoing.Raw
// (outRawCol), so the sender, bounces and tools see no difference. Rows
// without a body (all rows queued before) keep the whole message in raw.
// A body is written in the same transaction as its rows and never changed,
// so a row sent again after a crash sends the same bytes.
//
// Stored messages are packed (pack.go): a body, a row's raw or a head of
// packMailMin bytes or more is kept deflated against the mail dictionary
// behind dictMark, and a notification's body against the text of the
// message it is about as well (textMark, text_of, migration 00025), which is
// then not stored again. Composed mail never holds a NUL byte, so a mark
// cannot occur in plain bytes, and rows stored before stay readable as they
// are.

// outRawCol reads a row's whole message: raw, then its shared body if any,
// then, for a body packed against the message it is about (text_of,
// textMark in pack.go), what it was packed against: the length of the
// message's text as stored (decimal bytes, then a colon), that text, and
// its raw message as stored (empty when there is none or it is in chunks).
// PostgreSQL keeps the text as text, so it is taken to its UTF-8 bytes. It
// expects the outbox table under its own name.
func (db *DB) outRawCol() string {
	return `CASE WHEN body_id IS NULL THEN raw
	ELSE raw || (SELECT ` + db.bodyCol() + ` FROM outbox_bodies b WHERE b.id = outbox.body_id) END AS raw`
}

// bodyCol is a shared body (outbox_bodies b) with what it was packed
// against after it, as unpack reads it.
func (db *DB) bodyCol() string {
	text, size, empty := `CAST(m.body_text AS BLOB)`, `CAST(length(CAST(m.body_text AS BLOB)) AS TEXT) || ':'`, `x''`
	if db.dialect == Postgres {
		text, size, empty = `convert_to(m.body_text, 'UTF8')`, `convert_to(octet_length(m.body_text)::text || ':', 'UTF8')`, `'\x'::bytea`
	}
	return `CASE WHEN b.text_of IS NULL THEN b.data
		ELSE b.data || (SELECT ` + size + ` || ` + text + ` || COALESCE((SELECT COALESCE(d.data, r.data) FROM raw_messages r
			LEFT JOIN raw_data d ON d.raw_id = r.id WHERE r.id = m.raw_id), ` + empty + `) FROM messages m WHERE m.id = b.text_of) END`
}

// standAlone re-packs, to stand alone, the bodies packed against a message
// of the tickets closed selects (args its arguments) that a row not sent
// yet still uses: PurgeBefore is about to drop those messages' raw bytes,
// and a row given up and retried later must still read whole. (The bodies
// only sent rows use are dropped by purgeBodies.)
func (t *Tx) standAlone(ctx context.Context, closed string, args []any) error {
	var bodies []struct {
		ID   int64        `db:"id"`
		Data MessageBytes `db:"data"`
	}
	if err := t.sel(ctx, &bodies, `SELECT b.id, `+t.db.bodyCol()+` AS data FROM outbox_bodies b
		WHERE b.text_of IN (SELECT id FROM messages WHERE ticket_id IN (`+closed+`))
		AND EXISTS (SELECT 1 FROM outbox o WHERE o.body_id = b.id AND o.state <> ?)`, append(append([]any{}, args...), OutSent)...); err != nil {
		return fmt.Errorf("purge: mail bodies to keep: %w", err)
	}
	for _, b := range bodies {
		if _, err := t.exec(ctx, `UPDATE outbox_bodies SET data = ?, text_of = NULL WHERE id = ?`, t.db.packMail(b.Data), b.ID); err != nil {
			return fmt.Errorf("purge: keep mail body %d: %w", b.ID, err)
		}
	}
	return nil
}

// InsertOutgoingBody stores the shared body of a message sent to several
// recipients; their rows (InsertOutgoing) name it in BodyID and hold only
// their heads in Raw.
func (t *Tx) InsertOutgoingBody(ctx context.Context, data []byte) (int64, error) {
	return t.InsertPackedBody(ctx, t.db.packMail(data), 0)
}

// InsertPackedBody is InsertOutgoingBody with the body packed beforehand:
// by DB.Pack (textOf 0), or by DB.PackAgainstText against the text of the
// stored message textOf.
func (t *Tx) InsertPackedBody(ctx context.Context, stored []byte, textOf int64) (int64, error) {
	id, err := t.insertID(ctx, `INSERT INTO outbox_bodies (data, text_of) VALUES (?, ?)`, stored, nullID(textOf))
	if err != nil {
		return 0, fmt.Errorf("queue outgoing mail body: %w", err)
	}
	return id, nil
}

// purgeBodies unlinks the shared bodies from the sent rows of the tickets
// that closed selects (args its arguments) and drops the bodies no other row
// uses: for PurgeBefore, which then empties those rows' heads.
func (t *Tx) purgeBodies(ctx context.Context, closed string, args []any) error {
	var ids []int64
	if err := t.sel(ctx, &ids, `SELECT DISTINCT body_id FROM outbox WHERE body_id IS NOT NULL AND state = ? AND ticket_id IN (`+closed+`)`,
		append([]any{OutSent}, args...)...); err != nil {
		return fmt.Errorf("purge sent mail bodies: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := t.exec(ctx, `UPDATE outbox SET body_id = NULL WHERE body_id IS NOT NULL AND state = ? AND ticket_id IN (`+closed+`)`,
		append([]any{OutSent}, args...)...); err != nil {
		return fmt.Errorf("purge sent mail bodies: %w", err)
	}
	for _, id := range ids {
		if _, err := t.exec(ctx, `DELETE FROM outbox_bodies WHERE id = ? AND NOT EXISTS (SELECT 1 FROM outbox WHERE body_id = ?)`, id, id); err != nil {
			return fmt.Errorf("purge sent mail bodies: %w", err)
		}
	}
	return nil
}
