package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
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
	// The operator's explicit choices (otvet registration edit): the
	// organisation to register into, or a new one; whether users of another
	// organisation may be moved into it.
	TargetOrgID sql.NullInt64 `db:"target_org_id"`
	NewOrg      bool          `db:"new_org"`
	MoveUsers   bool          `db:"move_users"`
	// AddDomains are the mail domains the operator chose to add to the
	// organisation (--add-domain); AllowPeople the addresses enrolled
	// although they are on a public mail service or on a domain that is not
	// the organisation's (--allow-person); AllowRoleChange lets the request
	// change existing users' access rights (--allow-role-change). Approval
	// makes none of these changes without them.
	AddDomains      List `db:"add_domains"`
	AllowPeople     List `db:"allow_people"`
	AllowRoleChange bool `db:"allow_role_change"`
}

// List is a list of words (domains, addresses) stored space-separated.
type List []string

// Scan reads a space-separated list.
func (l *List) Scan(v any) error {
	switch s := v.(type) {
	case nil:
		*l = nil
	case string:
		*l = strings.Fields(s)
	case []byte:
		*l = strings.Fields(string(s))
	default:
		return fmt.Errorf("list: cannot scan %T", v)
	}
	return nil
}

// Value writes the list space-separated.
func (l List) Value() (driver.Value, error) { return strings.Join(l, " "), nil }

const regCols = `ticket_id, request, state, org_id, decided_by, decided_at, target_org_id, new_org, move_users,
	add_domains, allow_people, allow_role_change`

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
	return one[Registration](ctx, t, `SELECT `+regCols+` FROM registrations WHERE ticket_id = ?`, ticketID)
}

// Registration reads the connection request of a ticket outside a
// transaction (otvet registration show).
func (db *DB) Registration(ctx context.Context, ticketID int64) (*Registration, error) {
	var r Registration
	if err := db.get(ctx, &r, `SELECT `+regCols+` FROM registrations WHERE ticket_id = ?`, ticketID); err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// DecideRegistration records the operator's decision and its audit event
// (registration_approved or registration_rejected, by the actor).
func (t *Tx) DecideRegistration(ctx context.Context, ticketID int64, state string, orgID sql.NullInt64, by string, at time.Time) error {
	return t.DecideRegistrationNote(ctx, ticketID, state, orgID, by, at, "")
}

// DecideRegistrationNote is DecideRegistration with the event's detail.
func (t *Tx) DecideRegistrationNote(ctx context.Context, ticketID int64, state string, orgID sql.NullInt64, by string, at time.Time, detail string) error {
	if _, err := t.exec(ctx, `UPDATE registrations SET state = ?, org_id = ?, decided_by = ?, decided_at = ? WHERE ticket_id = ?`,
		state, orgID, by, at, ticketID); err != nil {
		return fmt.Errorf("decide connection request #%d: %w", ticketID, err)
	}
	if detail == "" && orgID.Valid {
		detail = fmt.Sprintf("organisation #%d", orgID.Int64)
	}
	return t.AddEvent(ctx, ticketID, at, "registration_"+state, by, detail)
}

// UpdateRegistrationRequest replaces the (edited) request.
func (t *Tx) UpdateRegistrationRequest(ctx context.Context, ticketID int64, request string) error {
	_, err := t.exec(ctx, `UPDATE registrations SET request = ? WHERE ticket_id = ? AND state = ?`, request, ticketID, RegPending)
	return err
}

// SetRegistrationChoice records the operator's explicit choices about a
// pending connection request: the organisation (targetOrg; newOrg asks for a
// new one; neither: matched automatically) and whether existing users of
// another organisation may be moved.
func (t *Tx) SetRegistrationChoice(ctx context.Context, ticketID int64, targetOrg sql.NullInt64, newOrg, moveUsers bool) error {
	if targetOrg.Valid {
		if _, err := t.OrgByID(ctx, targetOrg.Int64); err != nil {
			return fmt.Errorf("organisation #%d: %w", targetOrg.Int64, err)
		}
	}
	_, err := t.exec(ctx, `UPDATE registrations SET target_org_id = ?, new_org = ?, move_users = ? WHERE ticket_id = ? AND state = ?`,
		targetOrg, newOrg, moveUsers, ticketID, RegPending)
	return err
}

// SetRegistrationAllowances records the operator's explicit permissions on a
// pending connection request: the domains to add to the organisation, the
// addresses to enrol although off its domains, and whether existing users'
// access rights may change.
func (t *Tx) SetRegistrationAllowances(ctx context.Context, ticketID int64, addDomains, allowPeople List, allowRoleChange bool) error {
	_, err := t.exec(ctx, `UPDATE registrations SET add_domains = ?, allow_people = ?, allow_role_change = ? WHERE ticket_id = ? AND state = ?`,
		addDomains, allowPeople, allowRoleChange, ticketID, RegPending)
	if err != nil {
		return fmt.Errorf("connection request #%d: %w", ticketID, err)
	}
	return nil
}

// FollowUpFile is a file that came on a ticket after its first message.
type FollowUpFile struct {
	MessageID   int64  `db:"message_id"`
	Filename    string `db:"filename"`
	ContentType string `db:"content_type"`
	ContentID   string `db:"content_id"`
	Inline      bool   `db:"inline"`
	FromAddr    string `db:"from_addr"` // the sender of the message that brought it
	Text        Text   `db:"body_text"` // and its text
}

// FollowUpFiles lists the files of a ticket's incoming messages other than
// its first one (documents sent later, such as a missing authority document).
func (t *Tx) FollowUpFiles(ctx context.Context, ticketID int64) ([]FollowUpFile, error) {
	var fs []FollowUpFile
	err := t.sel(ctx, &fs, `SELECT a.message_id, a.filename, a.content_type, a.content_id, a.inline, m.from_addr, m.body_text
		FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.ticket_id = ? AND m.direction = ?
		AND m.id > (SELECT MIN(id) FROM messages WHERE ticket_id = ? AND direction = ?) ORDER BY a.id`, ticketID, DirIn, ticketID, DirIn)
	if err != nil {
		return nil, fmt.Errorf("files of ticket #%d: %w", ticketID, err)
	}
	return fs, nil
}

// ListRegistrations lists connection requests, newest first.
func (db *DB) ListRegistrations(ctx context.Context) ([]Registration, error) {
	var rs []Registration
	err := db.sel(ctx, &rs, `SELECT `+regCols+` FROM registrations ORDER BY ticket_id DESC`)
	return rs, err
}

// PurgeBefore drops the raw messages, the attachment data and the raw bytes
// of the mail sent (outbox rows already sent) of tickets closed before t
// (tickets keep their text): the personal-data retention period.
func (t *Tx) PurgeBefore(ctx context.Context, before time.Time) (int64, error) {
	closed := `SELECT id FROM tickets WHERE status IN (?, ?, ?) AND closed_at IS NOT NULL AND closed_at < ?`
	args := []any{StatusClosed, StatusRejected, StatusResolved, before}
	if err := t.standAlone(ctx, closed, args); err != nil { // before the raw messages go
		return 0, err
	}
	res, err := t.exec(ctx, `UPDATE attachments SET data = NULL, in_raw = '' WHERE (data IS NOT NULL OR in_raw <> '') AND message_id IN
		(SELECT id FROM messages WHERE ticket_id IN (`+closed+`))`, args...)
	if err != nil {
		return 0, fmt.Errorf("purge attachments: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := t.exec(ctx, `DELETE FROM raw_data WHERE raw_id IN
		(SELECT id FROM raw_messages WHERE note <> 'purged' AND ticket_id IN (`+closed+`))`, args...); err != nil {
		return 0, fmt.Errorf("purge raw messages: %w", err)
	}
	res, err = t.exec(ctx, `UPDATE raw_messages SET data = ?, note = 'purged' WHERE note <> 'purged' AND ticket_id IN (`+closed+`)`,
		append([]any{[]byte{}}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("purge raw messages: %w", err)
	}
	m, _ := res.RowsAffected()
	if err := t.purgeBodies(ctx, closed, args); err != nil {
		return 0, err
	}
	res, err = t.exec(ctx, `UPDATE outbox SET raw = ? WHERE state = ? AND length(raw) > 0 AND ticket_id IN (`+closed+`)`,
		append([]any{[]byte{}, OutSent}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("purge sent mail: %w", err)
	}
	o, _ := res.RowsAffected()
	return n + m + o, nil
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
