package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Staff roles.
const (
	StaffAgent   = "agent"
	StaffLead    = "lead"
	StaffManager = "manager"
)

// Staff is a member of the operator's support team.
type Staff struct {
	ID        int64     `db:"id"`
	Email     string    `db:"email"`
	Name      string    `db:"name"`
	Role      string    `db:"role"`
	Active    bool      `db:"active"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	// MorningMail: the agent gets the morning mail (default on).
	MorningMail bool `db:"morning_mail"`
	// TokenEpoch is the epoch of the agent's own command address (a reply
	// token of no ticket); RevokeAgentTokens raises it.
	TokenEpoch int64 `db:"token_epoch"`
}

const staffCols = `id, email, name, role, active, created_at, updated_at, morning_mail, token_epoch`

// UpsertStaff adds a staff member or updates their name, role and active flag.
func (t *Tx) UpsertStaff(ctx context.Context, s *Staff, actor string, now time.Time) error {
	s.Email = strings.ToLower(strings.TrimSpace(s.Email))
	switch s.Role {
	case StaffAgent, StaffLead, StaffManager:
	default:
		return fmt.Errorf("staff role %q: use agent, lead or manager", s.Role)
	}
	old, err := t.StaffByEmail(ctx, s.Email)
	switch {
	case errors.Is(err, ErrNotFound):
		id, err := t.insertID(ctx, `INSERT INTO staff (email, name, role, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.Email, s.Name, s.Role, s.Active, now, now)
		if err != nil {
			return fmt.Errorf("add staff: %w", err)
		}
		s.ID = id
		return t.AddEvent(ctx, 0, now, "staff_added", actor, fmt.Sprintf("%s (%s, %s)", s.Email, s.Name, s.Role))
	case err != nil:
		return err
	}
	s.ID = old.ID
	if old.Name == s.Name && old.Role == s.Role && old.Active == s.Active {
		return nil
	}
	if _, err := t.exec(ctx, `UPDATE staff SET name = ?, role = ?, active = ?, updated_at = ? WHERE id = ?`,
		s.Name, s.Role, s.Active, now, s.ID); err != nil {
		return fmt.Errorf("update staff: %w", err)
	}
	return t.AddEvent(ctx, 0, now, "staff_updated", actor, fmt.Sprintf("%s: %s, %s, active %v", s.Email, s.Name, s.Role, s.Active))
}

// StaffByEmail finds a staff member (active or not).
func (t *Tx) StaffByEmail(ctx context.Context, email string) (*Staff, error) {
	return one[Staff](ctx, t, `SELECT `+staffCols+` FROM staff WHERE email = ?`, strings.ToLower(strings.TrimSpace(email)))
}

// StaffByID finds a staff member (active or not) by id.
func (t *Tx) StaffByID(ctx context.Context, id int64) (*Staff, error) {
	return one[Staff](ctx, t, `SELECT `+staffCols+` FROM staff WHERE id = ?`, id)
}

// SetMorningMail switches a staff member's morning mail and records a
// staff_morning event with the actor; changed is false when it already was so.
func (t *Tx) SetMorningMail(ctx context.Context, email string, on bool, actor string, now time.Time) (changed bool, err error) {
	s, err := t.StaffByEmail(ctx, email)
	if err != nil {
		return false, err
	}
	if s.MorningMail == on {
		return false, nil
	}
	if _, err := t.exec(ctx, `UPDATE staff SET morning_mail = ?, updated_at = ? WHERE id = ?`, on, now, s.ID); err != nil {
		return false, fmt.Errorf("morning mail: %w", err)
	}
	state := "off"
	if on {
		state = "on"
	}
	return true, t.AddEvent(ctx, 0, now, "staff_morning", actor, s.Email+": morning mail "+state)
}

// MorningAgents lists the active agents and leads whose morning mail is on.
func (db *DB) MorningAgents(ctx context.Context) ([]Staff, error) {
	var ss []Staff
	err := db.sel(ctx, &ss, `SELECT `+staffCols+` FROM staff WHERE active = ? AND morning_mail = ? AND role IN (?, ?) ORDER BY email`,
		true, true, StaffAgent, StaffLead)
	return ss, err
}

// ActiveAgents lists the active agents and leads.
func (t *Tx) ActiveAgents(ctx context.Context) ([]Staff, error) {
	var ss []Staff
	err := t.sel(ctx, &ss, `SELECT `+staffCols+` FROM staff WHERE active = ? AND role IN (?, ?) ORDER BY email`, true, StaffAgent, StaffLead)
	return ss, err
}

// ListStaff lists every staff member.
func (db *DB) ListStaff(ctx context.Context) ([]Staff, error) {
	var ss []Staff
	err := db.sel(ctx, &ss, `SELECT `+staffCols+` FROM staff ORDER BY role, email`)
	return ss, err
}

// TicketField names a ticket column staff commands may change.
type TicketField string

// Ticket columns staff commands set.
const (
	FieldAssignee        TicketField = "assignee"
	FieldPriority        TicketField = "priority"
	FieldSupportLevel    TicketField = "support_level"
	FieldPlannedFor      TicketField = "planned_for"
	FieldMergedInto      TicketField = "merged_into"
	FieldFirstResponseAt TicketField = "first_response_at"
	FieldResolvedAt      TicketField = "resolved_at"
	FieldResolutionDue   TicketField = "resolution_due"
	FieldSystem          TicketField = "system"
	FieldMissing         TicketField = "missing" // the checklist items still missing (comma-separated)
)

// SetTicketField sets one of the columns above (the name is from the fixed list, never user input).
func (t *Tx) SetTicketField(ctx context.Context, id int64, f TicketField, v any, now time.Time) error {
	switch f {
	case FieldAssignee, FieldPriority, FieldSupportLevel, FieldPlannedFor, FieldMergedInto, FieldFirstResponseAt,
		FieldResolvedAt, FieldResolutionDue, FieldSystem, FieldMissing:
	default:
		return fmt.Errorf("ticket field %q cannot be set", f)
	}
	_, err := t.exec(ctx, `UPDATE tickets SET `+string(f)+` = ?, updated_at = ? WHERE id = ?`, v, now, id)
	return err
}

// HasEvent reports whether a ticket has an event of the kind.
func (t *Tx) HasEvent(ctx context.Context, ticketID int64, kind string) (bool, error) {
	var n int
	err := t.get(ctx, &n, `SELECT COUNT(*) FROM events WHERE ticket_id = ? AND kind = ?`, ticketID, kind)
	return n > 0, err
}

// TicketsInStatus lists tickets in the given states (for the SLA scheduler).
func (t *Tx) TicketsInStatus(ctx context.Context, statuses ...string) ([]Ticket, error) {
	q, args, err := inQuery(`SELECT `+ticketCols+` FROM tickets WHERE status IN (?) ORDER BY id`, statuses)
	if err != nil {
		return nil, err
	}
	var ts []Ticket
	err = t.sel(ctx, &ts, q, args...)
	return ts, err
}

// LastIncomingMessageID returns the Message-ID of a ticket's last incoming message.
func (t *Tx) LastIncomingMessageID(ctx context.Context, ticketID int64) (string, error) {
	var id string
	err := t.get(ctx, &id, `SELECT message_id FROM messages WHERE ticket_id = ? AND direction = ? AND message_id <> ''
		ORDER BY id DESC LIMIT 1`, ticketID, DirIn)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// ParticipantsOf lists a ticket's participants inside the transaction.
func (t *Tx) ParticipantsOf(ctx context.Context, ticketID int64) ([]Participant, error) {
	var ps []Participant
	err := t.sel(ctx, &ps, `SELECT `+participantCols+` FROM participants WHERE ticket_id = ? ORDER BY id`, ticketID)
	return ps, err
}

// RevokeAgentTokens raises the token epoch of every ticket on which the
// address takes part as an agent, so that every reply token issued to it
// before now names an old epoch (see Participant.TokenEpoch), and returns
// how many tickets that was. The rows themselves stay: nothing else changes.
// The agent's own command address (Staff.TokenEpoch) is revoked with them.
func (t *Tx) RevokeAgentTokens(ctx context.Context, email string, now time.Time) (int64, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, err := t.exec(ctx, `UPDATE staff SET token_epoch = token_epoch + 1, updated_at = ? WHERE email = ?`, now, email); err != nil {
		return 0, fmt.Errorf("revoke tokens: %w", err)
	}
	r, err := t.exec(ctx, `UPDATE participants SET token_epoch = token_epoch + 1, tokens_revoked_at = ?
		WHERE email = ? AND role = ?`, now, email, StaffAgent)
	if err != nil {
		return 0, fmt.Errorf("revoke tokens: %w", err)
	}
	return r.RowsAffected()
}

// PlannedTickets lists the tickets planned for a day (YYYY-MM-DD).
func (db *DB) PlannedTickets(ctx context.Context, day string) ([]Ticket, error) {
	var ts []Ticket
	err := db.sel(ctx, &ts, `SELECT `+ticketCols+` FROM tickets WHERE planned_for = ? AND status = ? ORDER BY id`, day, StatusPlanned)
	return ts, err
}
