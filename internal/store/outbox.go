package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

var sqlxIn = sqlx.In

// InsertOutgoing queues a composed message; it is sent after the transaction commits.
func (t *Tx) InsertOutgoing(ctx context.Context, o *Outgoing) error {
	if o.State == "" {
		o.State = OutPending
	}
	id, err := t.insertID(ctx, `INSERT INTO outbox (desk, ticket_id, kind, message_id, envelope_from, recipients, rcpt_key,
		auto, subject, raw, state, attempts, next_attempt_at, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', ?)`,
		o.Desk, o.TicketID, o.Kind, o.MessageID, o.EnvelopeFrom, o.Recipients, o.RcptKey, o.Auto, o.Subject, o.Raw,
		o.State, o.NextAttemptAt, o.CreatedAt)
	if err != nil {
		return fmt.Errorf("queue outgoing mail: %w", err)
	}
	o.ID = id
	return nil
}

// CountAutoSince counts automatic messages queued for a recipient since t.
func (t *Tx) CountAutoSince(ctx context.Context, rcptKey string, since time.Time) (int, error) {
	var n int
	err := t.get(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE rcpt_key = ? AND auto = ? AND created_at >= ?`, rcptKey, true, since)
	return n, err
}

// OutgoingByMessageID finds a message we sent, for bounces.
func (t *Tx) OutgoingByMessageID(ctx context.Context, messageID string) (*Outgoing, error) {
	var o Outgoing
	err := t.get(ctx, &o, `SELECT `+outCols+` FROM outbox WHERE message_id = ?`, messageID)
	if err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

const outCols = `id, desk, ticket_id, kind, message_id, envelope_from, recipients, rcpt_key, auto, subject, raw, state,
	attempts, next_attempt_at, last_error, created_at, sent_at`

// ClaimOutgoing takes up to limit due messages for sending. Before any attempt
// it writes the attempt count and the time of the next attempt, so a crash mid-send
// retries later instead of never or in a tight loop. On PostgreSQL rows are
// claimed with FOR UPDATE SKIP LOCKED, so several instances share the outbox.
func (db *DB) ClaimOutgoing(ctx context.Context, now time.Time, limit int, next func(attempts int) time.Duration) ([]Outgoing, error) {
	var rows []Outgoing
	err := db.Tx(ctx, func(tx *Tx) error {
		rows = rows[:0]
		q := `SELECT ` + outCols + ` FROM outbox WHERE state = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`
		if db.dialect == Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		if err := tx.sel(ctx, &rows, q, OutPending, now, limit); err != nil {
			return err
		}
		for i := range rows {
			rows[i].Attempts++
			rows[i].NextAttemptAt = now.Add(next(rows[i].Attempts))
			if _, err := tx.exec(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?`,
				rows[i].Attempts, rows[i].NextAttemptAt, rows[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return rows, nil
}

// MarkSent records a successful delivery to the relay.
func (db *DB) MarkSent(ctx context.Context, id int64, now time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET state = ?, sent_at = ?, last_error = '' WHERE id = ?`, OutSent, now, id)
		return err
	})
}

// MarkAttemptFailed records a failed attempt; permanent failures end the row.
func (db *DB) MarkAttemptFailed(ctx context.Context, id int64, msg string, permanent bool) error {
	return db.Tx(ctx, func(tx *Tx) error {
		state := OutPending
		if permanent {
			state = OutFailed
		}
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		_, err := tx.exec(ctx, `UPDATE outbox SET state = ?, last_error = ? WHERE id = ?`, state, msg, id)
		return err
	})
}

// Outgoing reads one outbox row.
func (db *DB) Outgoing(ctx context.Context, id int64) (*Outgoing, error) {
	var o Outgoing
	if err := db.get(ctx, &o, `SELECT `+outCols+` FROM outbox WHERE id = ?`, id); err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

// ListOutgoing lists outbox rows, newest first, without their bodies.
func (db *DB) ListOutgoing(ctx context.Context, limit int) ([]Outgoing, error) {
	var rows []Outgoing
	err := db.sel(ctx, &rows, `SELECT id, desk, ticket_id, kind, message_id, envelope_from, recipients, rcpt_key, auto,
		subject, state, attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox ORDER BY id DESC LIMIT ?`, limit)
	return rows, err
}

// NextDue returns when the earliest pending message is due, or false when none is pending.
func (db *DB) NextDue(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullTime
	err := db.get(ctx, &t, `SELECT MIN(next_attempt_at) FROM outbox WHERE state = ?`, OutPending)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, err
	}
	return t.Time, t.Valid, nil
}
