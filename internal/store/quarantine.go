package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Dispositions of a quarantined message after an operator acted on it.
const (
	DispReleased = "released" // otvet quarantine release: dropped by an operator, kept raw
	DispPending  = "pending"  // being ingested (inside the transaction only)
)

// IntakeAttempt is the poison-message guard's record: intake of these UIDs
// of a desk started and has not committed yet. It is written and committed
// before the heavy work and deleted in the transaction that moves the
// cursor, so a row found at the next start names the messages that stopped
// the service (a crash, a kill, a hang).
type IntakeAttempt struct {
	Desk        string    `db:"desk"`
	UIDValidity uint32    `db:"uid_validity"`
	FirstUID    uint32    `db:"first_uid"`
	LastUID     uint32    `db:"last_uid"`
	Attempt     int       `db:"attempt"`
	StartedAt   time.Time `db:"started_at"`
}

// Covers reports whether the attempt was about uid of the same mailbox generation.
func (a IntakeAttempt) Covers(uidValidity, uid uint32) bool {
	return a.UIDValidity == uidValidity && a.FirstUID <= uid && uid <= a.LastUID
}

// IntakeAttempt reads the desk's unfinished intake attempt; ok is false when there is none.
func (db *DB) IntakeAttempt(ctx context.Context, desk string) (a IntakeAttempt, ok bool, err error) {
	err = db.get(ctx, &a, `SELECT desk, uid_validity, first_uid, last_uid, attempt, started_at
		FROM intake_attempts WHERE desk = ?`, desk)
	if errors.Is(err, sql.ErrNoRows) {
		return IntakeAttempt{}, false, nil
	}
	if err != nil {
		return IntakeAttempt{}, false, fmt.Errorf("read intake attempt: %w", err)
	}
	return a, true, nil
}

// SetIntakeAttempt records (replaces) the desk's intake attempt.
func (t *Tx) SetIntakeAttempt(ctx context.Context, a IntakeAttempt) error {
	_, err := t.exec(ctx, `INSERT INTO intake_attempts (desk, uid_validity, first_uid, last_uid, attempt, started_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (desk) DO UPDATE SET uid_validity = excluded.uid_validity,
		first_uid = excluded.first_uid, last_uid = excluded.last_uid, attempt = excluded.attempt, started_at = excluded.started_at`,
		a.Desk, a.UIDValidity, a.FirstUID, a.LastUID, a.Attempt, a.StartedAt)
	if err != nil {
		return fmt.Errorf("record intake attempt: %w", err)
	}
	return nil
}

// ClearIntakeAttempt deletes the desk's intake attempt (with the cursor's advance).
func (t *Tx) ClearIntakeAttempt(ctx context.Context, desk string) error {
	if _, err := t.exec(ctx, `DELETE FROM intake_attempts WHERE desk = ?`, desk); err != nil {
		return fmt.Errorf("clear intake attempt: %w", err)
	}
	return nil
}

// RawRef is what intake needs to know of a stored message with the same Message-ID.
type RawRef struct {
	ID          int64  `db:"id"`
	SHA256      string `db:"sha256"`
	ContentKey  string `db:"content_key"`
	Disposition string `db:"disposition"`
}

// rawsByMessageIDSQL names the partial index's condition (message_id <> ”):
// without it neither engine may use the index for a parameter, and every
// message stored would read the whole table (plan_test.go).
const rawsByMessageIDSQL = `SELECT id, sha256, content_key, disposition FROM raw_messages
	WHERE desk = ? AND message_id = ? AND message_id <> '' ORDER BY id`

// RawsByMessageID lists the desk's stored messages with this Message-ID.
func (t *Tx) RawsByMessageID(ctx context.Context, desk, messageID string) ([]RawRef, error) {
	var rs []RawRef
	if messageID == "" {
		return nil, nil
	}
	if err := t.sel(ctx, &rs, rawsByMessageIDSQL, desk, messageID); err != nil {
		return nil, fmt.Errorf("raw messages by Message-ID: %w", err)
	}
	return rs, nil
}

// RawData reads a stored message's bytes (empty once purged).
func (t *Tx) RawData(ctx context.Context, id int64) ([]byte, error) {
	var b RawBytes
	if err := t.get(ctx, &b, `SELECT `+rawDataCol(t.dialect)+` FROM raw_messages r LEFT JOIN raw_data d ON d.raw_id = r.id
		WHERE r.id = ?`, id); err != nil {
		return nil, fmt.Errorf("raw message %d: %w", id, err)
	}
	return b, nil
}

// SetRawContentKey fills the content key of a message stored before keys existed.
func (t *Tx) SetRawContentKey(ctx context.Context, id int64, key string) error {
	if _, err := t.exec(ctx, `UPDATE raw_messages SET content_key = ? WHERE id = ?`, key, id); err != nil {
		return fmt.Errorf("set content key: %w", err)
	}
	return nil
}

// QuarantinedMessage is one row of otvet quarantine list: Head holds the
// first HeadBytes of the message, enough for its header.
type QuarantinedMessage struct {
	ID          int64     `db:"id"`
	Desk        string    `db:"desk"`
	UIDValidity uint32    `db:"uid_validity"`
	UID         uint32    `db:"uid"`
	MessageID   string    `db:"message_id"`
	Size        int64     `db:"size"`
	Truncated   bool      `db:"truncated"`
	Note        string    `db:"note"`
	ReceivedAt  time.Time `db:"received_at"`
	Head        RawBytes  `db:"head"`
}

// HeadBytes is how much of a quarantined message Quarantined reads.
const HeadBytes = 64 << 10

// Quarantined lists the messages in quarantine, oldest first.
func (db *DB) Quarantined(ctx context.Context) ([]QuarantinedMessage, error) {
	// A packed message (PackRaw; at most rawPackMax) is read whole and cut
	// once unpacked. The bytes are put together once (rawDataCol), in q.
	head := fmt.Sprintf("CASE WHEN substr(data, 1, 1) = x'00' THEN data ELSE substr(data, 1, %d) END", HeadBytes)
	if db.dialect == Postgres {
		head = fmt.Sprintf(`CASE WHEN substring(data from 1 for 1) = '\x00'::bytea THEN data ELSE substring(data from 1 for %d) END`, HeadBytes)
	}
	var qs []QuarantinedMessage
	if err := db.sel(ctx, &qs, `SELECT id, desk, uid_validity, uid, message_id, size, truncated, note, received_at, `+head+` AS head
		FROM (SELECT r.id, r.desk, r.uid_validity, r.uid, r.message_id, r.size, r.truncated, r.note, r.received_at,
			`+rawDataCol(db.dialect)+` AS data FROM raw_messages r LEFT JOIN raw_data d ON d.raw_id = r.id
			WHERE r.disposition = ?) q ORDER BY id`, DispQuarantine); err != nil {
		return nil, fmt.Errorf("list quarantine: %w", err)
	}
	for i := range qs {
		qs[i].Head = qs[i].Head[:min(len(qs[i].Head), HeadBytes)]
	}
	return qs, nil
}

// RawMessage reads one stored message with its bytes; ErrNotFound when there is none.
func (db *DB) RawMessage(ctx context.Context, id int64) (*RawMessage, error) {
	var r RawMessage
	err := db.get(ctx, &r, `SELECT r.id, r.desk, r.uid_validity, r.uid, r.message_id, r.sha256, r.content_key, r.size, r.truncated,
		r.disposition, r.note, r.ticket_id, `+rawDataCol(db.dialect)+` AS data, r.received_at
		FROM raw_messages r LEFT JOIN raw_data d ON d.raw_id = r.id WHERE r.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("raw message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("raw message %d: %w", id, err)
	}
	return &r, nil
}

// ClaimQuarantined takes a quarantined message out of quarantine for a
// retry inside this transaction (its disposition becomes pending until
// intake records the new one). ok is false when it is not in quarantine
// (any more): a concurrent or earlier retry or release got it first.
func (t *Tx) ClaimQuarantined(ctx context.Context, id int64) (ok bool, err error) {
	res, err := t.exec(ctx, `UPDATE raw_messages SET disposition = ? WHERE id = ? AND disposition = ?`,
		DispPending, id, DispQuarantine)
	if err != nil {
		return false, fmt.Errorf("claim quarantined message %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim quarantined message %d: %w", id, err)
	}
	return n == 1, nil
}

// ReleaseQuarantined drops a quarantined message for good: it stays stored,
// marked released, and the audit trail records who did it. ok is false
// when the message is not in quarantine.
func (t *Tx) ReleaseQuarantined(ctx context.Context, id int64, actor string, now time.Time) (ok bool, err error) {
	var r RawMessage
	err = t.get(ctx, &r, `SELECT id, desk, uid, message_id, note FROM raw_messages WHERE id = ? AND disposition = ?`,
		id, DispQuarantine)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("release quarantined message %d: %w", id, err)
	}
	res, err := t.exec(ctx, `UPDATE raw_messages SET disposition = ? WHERE id = ? AND disposition = ?`,
		DispReleased, id, DispQuarantine)
	if err != nil {
		return false, fmt.Errorf("release quarantined message %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	return true, t.audit(ctx, now.UTC(), "quarantine_released", actor, map[string]any{
		"raw": r.ID, "desk": r.Desk, "uid": r.UID, "message_id": r.MessageID, "reason": r.Note,
	})
}

// ClearIntakeAttemptIf deletes the desk's intake attempt if it is still a
// (a graceful stop clearing what this process left behind).
func (t *Tx) ClearIntakeAttemptIf(ctx context.Context, a IntakeAttempt) error {
	if _, err := t.exec(ctx, `DELETE FROM intake_attempts WHERE desk = ? AND uid_validity = ? AND first_uid = ?
		AND last_uid = ? AND attempt = ?`, a.Desk, a.UIDValidity, a.FirstUID, a.LastUID, a.Attempt); err != nil {
		return fmt.Errorf("clear intake attempt: %w", err)
	}
	return nil
}
