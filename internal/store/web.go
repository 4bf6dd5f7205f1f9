package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The web console's sign-in links and sessions (migration 00015). Only the
// SHA-256 of a token is stored; the caller hashes (internal/web).

// WebSession is a signed-in staff member's session in the web console.
type WebSession struct {
	ID         int64     `db:"id"`
	TokenHash  string    `db:"token_hash"`
	Email      string    `db:"email"`
	Role       string    `db:"role"` // the member's role when it was opened
	CSRF       string    `db:"csrf"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

const webSessionCols = `id, token_hash, email, role, csrf, created_at, last_seen_at, expires_at`

// InsertWebLink stores a sign-in link's token hash for email until expires.
func (t *Tx) InsertWebLink(ctx context.Context, hash, email string, now, expires time.Time) error {
	if _, err := t.exec(ctx, `INSERT INTO web_links (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		hash, strings.ToLower(email), now.UTC(), expires.UTC()); err != nil {
		return fmt.Errorf("add sign-in link: %w", err)
	}
	return nil
}

// CountWebLinksSince counts the sign-in links made for email since then (the rate limit).
func (t *Tx) CountWebLinksSince(ctx context.Context, email string, since time.Time) (int, error) {
	var n int
	err := t.get(ctx, &n, `SELECT COUNT(*) FROM web_links WHERE email = ? AND created_at > ?`, strings.ToLower(email), since.UTC())
	return n, err
}

// UseWebLink spends a sign-in link: it returns the address it was made for
// when the link exists, is unused and has not expired at now, and marks it
// used; ErrNotFound otherwise. A link is spent once.
func (t *Tx) UseWebLink(ctx context.Context, hash string, now time.Time) (string, error) {
	var email string
	err := t.get(ctx, &email, `UPDATE web_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING email`,
		now.UTC(), hash, now.UTC())
	return email, notFound(err)
}

// InsertWebSession opens a session.
func (t *Tx) InsertWebSession(ctx context.Context, s *WebSession) error {
	id, err := t.insertID(ctx, `INSERT INTO web_sessions (token_hash, email, role, csrf, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.TokenHash, strings.ToLower(s.Email), s.Role, s.CSRF, s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("open web session: %w", err)
	}
	s.ID = id
	return nil
}

// WebSessionByHash finds a session that has not expired at now, with its
// staff member. A session whose member is gone, disabled or has another role
// now is deleted and ErrNotFound returned: disabling or demoting a member ends
// their sessions at their next request.
func (db *DB) WebSessionByHash(ctx context.Context, hash string, now time.Time) (*WebSession, *Staff, error) {
	var ws *WebSession
	var st *Staff
	err := db.Tx(ctx, func(tx *Tx) error {
		var s WebSession
		if err := tx.get(ctx, &s, `SELECT `+webSessionCols+` FROM web_sessions WHERE token_hash = ?`, hash); err != nil {
			return notFound(err)
		}
		m, err := tx.StaffByEmail(ctx, s.Email)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err != nil || !m.Active || m.Role != s.Role || !s.ExpiresAt.After(now) {
			if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE id = ?`, s.ID); err != nil {
				return err
			}
			return ErrNotFound
		}
		if now.Sub(s.LastSeenAt) > time.Minute {
			if _, err := tx.exec(ctx, `UPDATE web_sessions SET last_seen_at = ? WHERE id = ?`, now.UTC(), s.ID); err != nil {
				return err
			}
		}
		ws, st = &s, m
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ws, st, nil
}

// DeleteWebSession ends one session (sign-out).
func (db *DB) DeleteWebSession(ctx context.Context, hash string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE token_hash = ?`, hash)
		return err
	})
}

// PurgeWeb deletes expired sessions and links older than before.
func (db *DB) PurgeWeb(ctx context.Context, now, before time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, now.UTC()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM web_links WHERE created_at < ?`, before.UTC())
		return err
	})
}

// PlannedOn lists the tickets planned for a visit on date (YYYY-MM-DD).
func (db *DB) PlannedOn(ctx context.Context, date string) ([]Ticket, error) {
	var ts []Ticket
	err := db.sel(ctx, &ts, `SELECT `+ticketCols+` FROM tickets WHERE status = ? AND planned_for = ? ORDER BY id`, StatusPlanned, date)
	return ts, err
}

// OutboxBacklog is the outbox's pending mail: how many rows, the oldest due
// time, and how many were given up.
type OutboxBacklog struct {
	Pending   int
	OldestDue sql.NullTime
	Failed    int
}

// Backlog reads the outbox's backlog.
func (db *DB) Backlog(ctx context.Context) (OutboxBacklog, error) {
	var b OutboxBacklog
	if err := db.get(ctx, &b.Pending, `SELECT COUNT(*) FROM outbox WHERE state = ?`, OutPending); err != nil {
		return b, err
	}
	// Not MIN(): SQLite loses the column's type in an aggregate.
	var due []time.Time
	if err := db.sel(ctx, &due, `SELECT next_attempt_at FROM outbox WHERE state = ? ORDER BY next_attempt_at LIMIT 1`, OutPending); err != nil {
		return b, err
	}
	if len(due) == 1 {
		b.OldestDue = sql.NullTime{Time: due[0], Valid: true}
	}
	err := db.get(ctx, &b.Failed, `SELECT COUNT(*) FROM outbox WHERE state = ?`, OutFailed)
	return b, err
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.get(ctx, &one, `SELECT 1`)
}

// Attachment reads one stored file.
func (db *DB) Attachment(ctx context.Context, id int64) (*Attachment, int64, error) {
	var a struct {
		Attachment
		TicketID int64         `db:"ticket_id"`
		InRaw    string        `db:"in_raw"`
		RawID    sql.NullInt64 `db:"raw_id"`
	}
	err := db.get(ctx, &a, `SELECT a.id, a.message_id, a.filename, a.content_type, a.content_id, a.inline, a.size, a.dropped, a.drop_reason, `+attachmentDataCol(db.dialect)+` AS data, m.ticket_id,
		a.in_raw, m.raw_id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = ?`, id)
	if err != nil {
		return nil, 0, notFound(err)
	}
	if a.InRaw != "" && a.RawID.Valid {
		if err := db.attachmentFromRaw(ctx, &a.Attachment, a.InRaw, a.RawID.Int64); err != nil {
			return nil, 0, err
		}
	}
	return &a.Attachment, a.TicketID, nil
}
