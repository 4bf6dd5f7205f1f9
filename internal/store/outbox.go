package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
		auto, subject, raw, body_id, state, attempts, next_attempt_at, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', ?)`,
		o.Desk, o.TicketID, o.Kind, o.MessageID, o.EnvelopeFrom, o.Recipients, o.RcptKey, o.Auto, o.Subject, o.stored(t.db),
		o.BodyID, o.State, o.NextAttemptAt, o.CreatedAt)
	if err != nil {
		return fmt.Errorf("queue outgoing mail: %w", err)
	}
	o.ID = id
	return nil
}

// stored is the row's raw as stored: Packed when packed beforehand.
func (o *Outgoing) stored(db *DB) []byte {
	if o.Packed != nil {
		return o.Packed
	}
	return db.packMail(o.Raw)
}

// countAutoSQL names the condition of its partial index (auto = TRUE,
// migration 00027) as it is written there, so that SQLite uses it.
const countAutoSQL = `SELECT COUNT(*) FROM outbox WHERE rcpt_key = ? AND auto = TRUE AND created_at >= ?`

// CountAutoSince counts automatic messages queued for a recipient since t.
func (t *Tx) CountAutoSince(ctx context.Context, rcptKey string, since time.Time) (int, error) {
	var n int
	err := t.get(ctx, &n, countAutoSQL, rcptKey, since)
	return n, err
}

// OutgoingByMessageID finds a message we sent, for bounces.
func (t *Tx) OutgoingByMessageID(ctx context.Context, messageID string) (*Outgoing, error) {
	return one[Outgoing](ctx, t, `SELECT `+t.db.outCols()+` FROM outbox WHERE message_id = ?`, messageID)
}

// outCols read a row with its whole message in raw: the stored head followed
// by the shared body when the row has one (outRawCol, outbox_bodies.go).
func (db *DB) outCols() string {
	return `id, desk, ticket_id, kind, message_id, envelope_from, recipients, rcpt_key, auto, subject, ` + db.outRawCol() + `, body_id, state,
	attempts, next_attempt_at, last_error, created_at, sent_at, claimed_until, relay_down, given_up_at, requeued_at`
}

// outListCols are outCols without the message itself.
const outListCols = `id, desk, ticket_id, kind, message_id, envelope_from, recipients, rcpt_key, auto, subject, body_id, state,
	attempts, next_attempt_at, last_error, created_at, sent_at, claimed_until, relay_down, given_up_at, requeued_at`

// Errors of the outbox.
var (
	// ErrClaimLost: the row is no longer claimed by this attempt (the claim
	// expired and another sender took it, or it was requeued), so the result
	// of the attempt was not recorded.
	ErrClaimLost = errors.New("outbox: the claim on the row was lost")
	// ErrOutboxSent: the row was already delivered to the relay; sending it
	// again would deliver a second copy.
	ErrOutboxSent = errors.New("outbox: the message was already sent")
	// ErrOutboxInFlight: an attempt to send the row is in progress now.
	ErrOutboxInFlight = errors.New("outbox: the message is being sent right now")
)

// ClaimOutgoing takes up to limit due messages for sending and returns them
// claimed: each row's attempt count is incremented and its claimed_until and
// next_attempt_at are set to now+lease(attempts) in the same transaction,
// before any attempt. Until then no other claim returns the row, and a crash
// mid-send retries it then. The sender must finish (or abandon) its attempt
// well before claimed_until — see outbox.Worker, which claims one row at a
// time and bounds each send by a deadline shorter than the lease.
//
// On PostgreSQL rows are selected FOR UPDATE SKIP LOCKED, so several
// instances claim disjoint rows; on SQLite the transaction holds the write
// lock from BEGIN, so concurrent processes (serve and a cron poll --once)
// claim one after the other.
func (db *DB) ClaimOutgoing(ctx context.Context, now time.Time, limit int, lease func(attempts int) time.Duration) ([]Outgoing, error) {
	var rows []Outgoing
	err := db.Tx(ctx, func(tx *Tx) error {
		rows = rows[:0]
		q := `SELECT ` + db.outCols() + ` FROM outbox WHERE state = ? AND next_attempt_at <= ?
			AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_attempt_at, id LIMIT ?`
		if db.dialect == Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		if err := tx.sel(ctx, &rows, q, OutPending, now, now, limit); err != nil {
			return err
		}
		for i := range rows {
			o := &rows[i]
			until := now.Add(lease(o.Attempts + 1))
			// The compare-and-set on attempts makes a double claim
			// impossible even without the locks above.
			res, err := tx.exec(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ?, claimed_until = ?
				WHERE id = ? AND state = ? AND attempts = ?`, o.Attempts+1, until, until, o.ID, OutPending, o.Attempts)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("row %d changed under the claim (%d rows, %v)", o.ID, n, err)
			}
			o.Attempts++
			o.NextAttemptAt = until
			o.ClaimedUntil = sql.NullTime{Time: until, Valid: true}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return rows, nil
}

// Attempt is the outcome of one claimed attempt, for FinishAttempt.
type Attempt struct {
	Err       string    // "" when the relay accepted the message
	GiveUp    bool      // with Err: no more attempts, the row ends failed
	RelayDown bool      // with Err: the failure was the relay's, not this message's
	Next      time.Time // with Err and not GiveUp: when to try again
}

// FinishAttempt records the outcome of the attempt o was claimed for (o as
// ClaimOutgoing returned it) and releases the claim. It returns ErrClaimLost,
// recording nothing, when the row was claimed again or requeued meanwhile.
//
// A success wakes the rows of the same desk that wait after a failure of
// the relay (Attempt.RelayDown), so the queue drains as soon as the relay is
// back; woken says how many. A row given up (failed) gets given_up_at and,
// when it belongs to a ticket, an outbox_failed event naming the recipients
// and the error.
func (db *DB) FinishAttempt(ctx context.Context, o *Outgoing, now time.Time, a Attempt) (woken int, err error) {
	a.Err = clipError(a.Err)
	err = db.Tx(ctx, func(tx *Tx) error {
		woken = 0
		var res sql.Result
		var err error
		const fence = ` WHERE id = ? AND state = ? AND attempts = ?`
		switch {
		case a.Err == "":
			res, err = tx.exec(ctx, `UPDATE outbox SET state = ?, sent_at = ?, last_error = '', claimed_until = NULL,
				relay_down = ?`+fence, OutSent, now, false, o.ID, OutPending, o.Attempts)
		case a.GiveUp:
			res, err = tx.exec(ctx, `UPDATE outbox SET state = ?, given_up_at = ?, last_error = ?, claimed_until = NULL,
				relay_down = ?`+fence, OutFailed, now, a.Err, a.RelayDown, o.ID, OutPending, o.Attempts)
		default:
			res, err = tx.exec(ctx, `UPDATE outbox SET next_attempt_at = ?, last_error = ?, claimed_until = NULL,
				relay_down = ?`+fence, a.Next, a.Err, a.RelayDown, o.ID, OutPending, o.Attempts)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrClaimLost
		}
		switch {
		case a.Err == "":
			res, err := tx.exec(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE desk = ? AND state = ? AND relay_down = ?
				AND next_attempt_at > ? AND (claimed_until IS NULL OR claimed_until <= ?)`, now, o.Desk, OutPending, true, now, now)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			woken = int(n)
			return err
		case a.GiveUp && o.TicketID.Valid:
			return tx.AddEvent(ctx, o.TicketID.Int64, now, "outbox_failed", "system",
				fmt.Sprintf("%s: %s", strings.ReplaceAll(o.Recipients, "\n", ", "), a.Err))
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrClaimLost) {
		err = fmt.Errorf("record outbox attempt %d: %w", o.ID, err)
	}
	return woken, err
}

func clipError(msg string) string {
	if len(msg) > 2000 {
		msg = strings.ToValidUTF8(msg[:2000], "")
	}
	return msg
}

// MarkSent records a delivery outside a claim (tests and tools); the worker
// uses FinishAttempt.
func (db *DB) MarkSent(ctx context.Context, id int64, now time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET state = ?, sent_at = ?, last_error = '', claimed_until = NULL, relay_down = ?
			WHERE id = ?`, OutSent, now, false, id)
		return err
	})
}

// MarkAttemptFailed records a failed attempt outside a claim (tests and
// tools); permanent failures end the row. The worker uses FinishAttempt.
func (db *DB) MarkAttemptFailed(ctx context.Context, id int64, msg string, permanent bool) error {
	return db.Tx(ctx, func(tx *Tx) error {
		msg = clipError(msg)
		var err error
		if permanent {
			_, err = tx.exec(ctx, `UPDATE outbox SET state = ?, last_error = ?, claimed_until = NULL, given_up_at = ? WHERE id = ?`,
				OutFailed, msg, time.Now().UTC(), id)
		} else {
			_, err = tx.exec(ctx, `UPDATE outbox SET last_error = ?, claimed_until = NULL WHERE id = ?`, msg, id)
		}
		return err
	})
}

// RequeueOutgoing makes one row due now: a failed row goes back to pending
// (its give-up age counts from now), a pending one is tried at once. It
// refuses a sent row (ErrOutboxSent) and one being sent (ErrOutboxInFlight);
// an unknown id is ErrNotFound. Each requeue is an outbox_requeued event by
// actor in the audit trail.
func (db *DB) RequeueOutgoing(ctx context.Context, id int64, now time.Time, actor string) (*Outgoing, error) {
	var o Outgoing
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, &o, `SELECT `+outListCols+` FROM outbox WHERE id = ?`, id); err != nil {
			return notFound(err)
		}
		switch {
		case o.State == OutSent:
			return ErrOutboxSent
		case o.State == OutPending && o.ClaimedUntil.Valid && o.ClaimedUntil.Time.After(now):
			return ErrOutboxInFlight
		}
		return tx.requeue(ctx, &o, now, actor)
	})
	if err != nil {
		return nil, fmt.Errorf("requeue outbox row %d: %w", id, err)
	}
	return &o, nil
}

// RequeueFailed puts every failed row back to pending, due now, like
// RequeueOutgoing, and returns them.
func (db *DB) RequeueFailed(ctx context.Context, now time.Time, actor string) ([]Outgoing, error) {
	var rows []Outgoing
	err := db.Tx(ctx, func(tx *Tx) error {
		rows = rows[:0]
		if err := tx.sel(ctx, &rows, `SELECT `+outListCols+` FROM outbox WHERE state = ? ORDER BY id`, OutFailed); err != nil {
			return err
		}
		for i := range rows {
			if err := tx.requeue(ctx, &rows[i], now, actor); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("requeue failed outbox rows: %w", err)
	}
	return rows, nil
}

func (t *Tx) requeue(ctx context.Context, o *Outgoing, now time.Time, actor string) error {
	detail := fmt.Sprintf("outbox #%d (%s to %s", o.ID, o.Kind, strings.ReplaceAll(o.Recipients, "\n", ", "))
	if o.TicketID.Valid {
		detail += fmt.Sprintf(", ticket #%d", o.TicketID.Int64)
	}
	detail += fmt.Sprintf(") was %s after %d attempts", o.State, o.Attempts)
	if o.State == OutFailed {
		// A requeued row starts a new give-up period and leaves the reports
		// of rows given up.
		o.RequeuedAt = sql.NullTime{Time: now, Valid: true}
		o.GivenUpAt = sql.NullTime{}
		if _, err := t.exec(ctx, `UPDATE outbox SET state = ?, next_attempt_at = ?, requeued_at = ?, given_up_at = NULL,
			claimed_until = NULL WHERE id = ? AND state = ?`, OutPending, now, now, o.ID, OutFailed); err != nil {
			return err
		}
	} else if _, err := t.exec(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND state = ?`, now, o.ID, OutPending); err != nil {
		return err
	}
	o.State, o.NextAttemptAt = OutPending, now
	// An operator's action: in the audit trail (not about a ticket).
	return t.AddEvent(ctx, 0, now, "outbox_requeued", actor, detail)
}

// OutboxGivenUp lists the rows given up (failed: rejected permanently, or
// still undelivered give_up_after after they were queued) in [from, to) and
// not requeued since, oldest first, without their bodies: for the digest and
// agent notices.
func (db *DB) OutboxGivenUp(ctx context.Context, from, to time.Time) ([]Outgoing, error) {
	var rows []Outgoing
	err := db.sel(ctx, &rows, `SELECT `+outListCols+` FROM outbox WHERE state = ? AND given_up_at >= ? AND given_up_at < ?
		ORDER BY given_up_at, id`, OutFailed, from, to)
	if err != nil {
		return nil, fmt.Errorf("outbox rows given up: %w", err)
	}
	return rows, nil
}

// Outgoing reads one outbox row.
func (db *DB) Outgoing(ctx context.Context, id int64) (*Outgoing, error) {
	var o Outgoing
	if err := db.get(ctx, &o, `SELECT `+db.outCols()+` FROM outbox WHERE id = ?`, id); err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

// ListOutgoing lists outbox rows, newest first, without their bodies.
func (db *DB) ListOutgoing(ctx context.Context, limit int) ([]Outgoing, error) {
	var rows []Outgoing
	err := db.sel(ctx, &rows, `SELECT `+outListCols+` FROM outbox ORDER BY id DESC LIMIT ?`, limit)
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
