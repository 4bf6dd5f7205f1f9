package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Ticket kinds.
const (
	KindRequest      = "request"
	KindRegistration = "registration"
)

// Registration states.
const (
	RegPending  = "pending"
	RegApproved = "approved"
	RegRejected = "rejected"
)

// Registration is a connection request attached to its ticket.
type Registration struct {
	TicketID  int64         `db:"ticket_id"`
	Request   string        `db:"request"` // regform.Request as JSON
	State     string        `db:"state"`
	OrgID     sql.NullInt64 `db:"org_id"`
	DecidedBy string        `db:"decided_by"`
	DecidedAt sql.NullTime  `db:"decided_at"`
}

// InsertRegistration stores a connection request and marks its ticket's kind.
func (t *Tx) InsertRegistration(ctx context.Context, r *Registration) error {
	if _, err := t.exec(ctx, `INSERT INTO registrations (ticket_id, request, state) VALUES (?, ?, ?)`,
		r.TicketID, r.Request, RegPending); err != nil {
		return fmt.Errorf("store connection request: %w", err)
	}
	_, err := t.exec(ctx, `UPDATE tickets SET kind = ? WHERE id = ?`, KindRegistration, r.TicketID)
	return err
}

// Registration reads the connection request of a ticket.
func (t *Tx) Registration(ctx context.Context, ticketID int64) (*Registration, error) {
	var r Registration
	if err := t.get(ctx, &r, `SELECT ticket_id, request, state, org_id, decided_by, decided_at FROM registrations WHERE ticket_id = ?`,
		ticketID); err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// DecideRegistration records the operator's decision.
func (t *Tx) DecideRegistration(ctx context.Context, ticketID int64, state string, orgID sql.NullInt64, by string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE registrations SET state = ?, org_id = ?, decided_by = ?, decided_at = ? WHERE ticket_id = ?`,
		state, orgID, by, at, ticketID)
	return err
}

// UpdateRegistrationRequest replaces the (edited) request.
func (t *Tx) UpdateRegistrationRequest(ctx context.Context, ticketID int64, request string) error {
	_, err := t.exec(ctx, `UPDATE registrations SET request = ? WHERE ticket_id = ? AND state = ?`, request, ticketID, RegPending)
	return err
}

// ListRegistrations lists connection requests, newest first.
func (db *DB) ListRegistrations(ctx context.Context) ([]Registration, error) {
	var rs []Registration
	err := db.sel(ctx, &rs, `SELECT ticket_id, request, state, org_id, decided_by, decided_at FROM registrations ORDER BY ticket_id DESC`)
	return rs, err
}

// PurgeBefore drops the raw messages and attachment data of tickets closed
// before t (tickets keep their text): the personal-data retention period.
func (t *Tx) PurgeBefore(ctx context.Context, before time.Time) (int64, error) {
	closed := `SELECT id FROM tickets WHERE status IN (?, ?, ?) AND closed_at IS NOT NULL AND closed_at < ?`
	args := []any{StatusClosed, StatusRejected, StatusResolved, before}
	res, err := t.exec(ctx, `UPDATE attachments SET data = NULL WHERE data IS NOT NULL AND message_id IN
		(SELECT id FROM messages WHERE ticket_id IN (`+closed+`))`, args...)
	if err != nil {
		return 0, fmt.Errorf("purge attachments: %w", err)
	}
	n, _ := res.RowsAffected()
	res, err = t.exec(ctx, `UPDATE raw_messages SET data = ?, note = 'purged' WHERE note <> 'purged' AND ticket_id IN (`+closed+`)`,
		append([]any{[]byte{}}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("purge raw messages: %w", err)
	}
	m, _ := res.RowsAffected()
	return n + m, nil
}

// TicketsOf lists the tickets a person took part in.
func (db *DB) TicketsOf(ctx context.Context, email string) ([]int64, error) {
	var ids []int64
	err := db.sel(ctx, &ids, `SELECT DISTINCT ticket_id FROM participants WHERE email = ? ORDER BY ticket_id`, strings.ToLower(email))
	return ids, err
}

// BouncesOf lists the bounces of mail to a person.
func (db *DB) BouncesOf(ctx context.Context, email string) ([]Bounce, error) {
	var bs []Bounce
	err := db.sel(ctx, &bs, `SELECT id, ticket_id, outbox_id, recipient, status, diagnostic, permanent, at FROM bounces
		WHERE recipient = ? ORDER BY id`, strings.ToLower(email))
	return bs, err
}
