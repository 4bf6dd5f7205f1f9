package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RoleContractor is the participant role of a contractor on a ticket: its
// signed reply address binds that contractor and that ticket.
const RoleContractor = "contractor"

// DirThirdParty is the direction of a contractor's answer stored on a
// ticket; DirToThirdParty of what support sent the contractor.
const (
	DirThirdParty   = "third_party"
	DirToThirdParty = "to_third_party"
)

// Contractor is a third party that answers on tickets by mail (§4.7).
type Contractor struct {
	ID          int64  `db:"id"`
	Name        string `db:"name"`         // the handle agents write: #escalate NAME
	DisplayName string `db:"display_name"` // what the requester is told ('' = Name)
	HideName    bool   `db:"hide_name"`    // the requester is told of "a contractor" only
	// Addresses and domains ("@vendor.example"), one per line, lower-cased.
	Addresses string `db:"addresses"`
	Systems   string `db:"systems"` // one per line
	// Hours: the contractor's support hours, "09:00-18:00" ('' = the desk's).
	Hours string `db:"hours"`
	// ResponseMinutes: the response target in business minutes (0 = the desk's first-response target).
	ResponseMinutes int64     `db:"response_minutes"`
	TellAnswer      bool      `db:"tell_answer"` // tell the requester when the contractor has answered
	CreatedAt       time.Time `db:"created_at"`
	UpdatedAt       time.Time `db:"updated_at"`
}

const contractorCols = `id, name, display_name, hide_name, addresses, systems, hours, response_minutes, tell_answer, created_at, updated_at`

// AddressList is the contractor's addresses and domains.
func (c *Contractor) AddressList() []string { return splitLines(c.Addresses) }

// SystemList is what the contractor serves.
func (c *Contractor) SystemList() []string { return splitLines(c.Systems) }

// Serves reports whether addr is one of the contractor's addresses or in one of its domains.
func (c *Contractor) Serves(addr string) bool {
	addr = strings.ToLower(strings.TrimSpace(addr))
	_, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return false
	}
	for _, a := range c.AddressList() {
		switch {
		case strings.HasPrefix(a, "@") && a[1:] == domain:
			return true
		case a == addr:
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// JoinLines normalises a list for a contractor's addresses or systems.
func JoinLines(xs []string, lower bool) string {
	var out []string
	for _, x := range xs {
		for _, l := range splitLines(x) {
			if lower {
				l = strings.ToLower(l)
			}
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// ErrContractorExists is returned when a contractor of that name exists.
var ErrContractorExists = errors.New("store: a contractor of that name exists")

// AddContractor inserts a contractor and sets its ID.
func (t *Tx) AddContractor(ctx context.Context, c *Contractor, now time.Time) error {
	c.Name = strings.ToLower(strings.TrimSpace(c.Name))
	if _, err := t.ContractorByName(ctx, c.Name); err == nil {
		return fmt.Errorf("%w: %s", ErrContractorExists, c.Name)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	c.CreatedAt, c.UpdatedAt = now, now
	id, err := t.insertID(ctx, `INSERT INTO contractors (name, display_name, hide_name, addresses, systems, hours,
		response_minutes, tell_answer, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.DisplayName, c.HideName, c.Addresses, c.Systems, c.Hours, c.ResponseMinutes, c.TellAnswer, now, now)
	if err != nil {
		return fmt.Errorf("add contractor: %w", err)
	}
	c.ID = id
	return nil
}

// UpdateContractor writes every field of a contractor but its name and creation time.
func (t *Tx) UpdateContractor(ctx context.Context, c *Contractor, now time.Time) error {
	c.UpdatedAt = now
	_, err := t.exec(ctx, `UPDATE contractors SET display_name = ?, hide_name = ?, addresses = ?, systems = ?, hours = ?,
		response_minutes = ?, tell_answer = ?, updated_at = ? WHERE id = ?`,
		c.DisplayName, c.HideName, c.Addresses, c.Systems, c.Hours, c.ResponseMinutes, c.TellAnswer, now, c.ID)
	if err != nil {
		return fmt.Errorf("update contractor: %w", err)
	}
	return nil
}

// RemoveContractor deletes a contractor that was never involved in a
// ticket; one that was keeps its row (its history stays in reports) and
// loses its addresses, so that its mail is no longer a contractor's.
func (t *Tx) RemoveContractor(ctx context.Context, id int64, now time.Time) (kept bool, err error) {
	var n int64
	if err := t.get(ctx, &n, `SELECT COUNT(*) FROM contractor_involvements WHERE contractor_id = ?`, id); err != nil {
		return false, fmt.Errorf("remove contractor: %w", err)
	}
	if n == 0 {
		_, err := t.exec(ctx, `DELETE FROM contractors WHERE id = ?`, id)
		return false, err
	}
	_, err = t.exec(ctx, `UPDATE contractors SET addresses = '', name = name || ?, updated_at = ? WHERE id = ?`,
		fmt.Sprintf("~removed%d", now.Unix()), now, id)
	return true, err
}

// ContractorByName finds a contractor by its handle (case-insensitive).
func (t *Tx) ContractorByName(ctx context.Context, name string) (*Contractor, error) {
	return one[Contractor](ctx, t, `SELECT `+contractorCols+` FROM contractors WHERE name = ?`, strings.ToLower(strings.TrimSpace(name)))
}

// ContractorByID reads one contractor.
func (t *Tx) ContractorByID(ctx context.Context, id int64) (*Contractor, error) {
	return one[Contractor](ctx, t, `SELECT `+contractorCols+` FROM contractors WHERE id = ?`, id)
}

// Contractors lists every contractor by name.
func (t *Tx) Contractors(ctx context.Context) ([]Contractor, error) {
	var cs []Contractor
	if err := t.sel(ctx, &cs, `SELECT `+contractorCols+` FROM contractors WHERE addresses <> '' ORDER BY name`); err != nil {
		return nil, fmt.Errorf("list contractors: %w", err)
	}
	return cs, nil
}

// ContractorOf is the contractor whose address or domain addr is (ErrNotFound: none).
func (t *Tx) ContractorOf(ctx context.Context, addr string) (*Contractor, error) {
	cs, err := t.Contractors(ctx)
	if err != nil {
		return nil, err
	}
	// An exact address wins over a domain.
	for _, exact := range []bool{true, false} {
		for i := range cs {
			for _, a := range cs[i].AddressList() {
				if strings.HasPrefix(a, "@") != exact && cs[i].Serves(addr) && (!exact || a == strings.ToLower(addr)) {
					return &cs[i], nil
				}
			}
		}
	}
	return nil, ErrNotFound
}

// ListContractors lists every contractor (outside a transaction).
func (db *DB) ListContractors(ctx context.Context) ([]Contractor, error) {
	var cs []Contractor
	if err := db.sel(ctx, &cs, `SELECT `+contractorCols+` FROM contractors WHERE addresses <> '' ORDER BY name`); err != nil {
		return nil, fmt.Errorf("list contractors: %w", err)
	}
	return cs, nil
}

// Involvement is one passing of a ticket to a contractor and its clock.
type Involvement struct {
	ID              int64         `db:"id"`
	TicketID        int64         `db:"ticket_id"`
	ContractorID    int64         `db:"contractor_id"`
	ParticipantID   int64         `db:"participant_id"`
	Email           string        `db:"email"` // where the request went
	StartedAt       time.Time     `db:"started_at"`
	TargetSeconds   int64         `db:"target_seconds"`
	DueAt           sql.NullTime  `db:"due_at"`
	AnsweredAt      sql.NullTime  `db:"answered_at"`
	ResponseSeconds sql.NullInt64 `db:"response_seconds"` // business seconds to the first answer
	RemindedAt      sql.NullTime  `db:"reminded_at"`
	BreachedAt      sql.NullTime  `db:"breached_at"`
	EndedAt         sql.NullTime  `db:"ended_at"`
	TellAnswer      bool          `db:"tell_answer"`
	StartedBy       string        `db:"started_by"`
}

const involvementCols = `id, ticket_id, contractor_id, participant_id, email, started_at, target_seconds, due_at, answered_at,
	response_seconds, reminded_at, breached_at, ended_at, tell_answer, started_by`

// AddInvolvement records a ticket passed to a contractor and sets its ID.
func (t *Tx) AddInvolvement(ctx context.Context, v *Involvement) error {
	id, err := t.insertID(ctx, `INSERT INTO contractor_involvements (ticket_id, contractor_id, participant_id, email, started_at,
		target_seconds, due_at, tell_answer, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.TicketID, v.ContractorID, v.ParticipantID, strings.ToLower(v.Email), v.StartedAt, v.TargetSeconds, v.DueAt, v.TellAnswer, v.StartedBy)
	if err != nil {
		return fmt.Errorf("add involvement: %w", err)
	}
	v.ID = id
	return nil
}

// OpenInvolvement is the ticket's involvement of a contractor that has not
// ended (ErrNotFound: none).
func (t *Tx) OpenInvolvement(ctx context.Context, ticketID, contractorID int64) (*Involvement, error) {
	return one[Involvement](ctx, t, `SELECT `+involvementCols+` FROM contractor_involvements
		WHERE ticket_id = ? AND contractor_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1`, ticketID, contractorID)
}

// InvolvementsOf lists a ticket's involvements, oldest first.
func (t *Tx) InvolvementsOf(ctx context.Context, ticketID int64) ([]Involvement, error) {
	var vs []Involvement
	if err := t.sel(ctx, &vs, `SELECT `+involvementCols+` FROM contractor_involvements WHERE ticket_id = ? ORDER BY id`, ticketID); err != nil {
		return nil, fmt.Errorf("involvements: %w", err)
	}
	return vs, nil
}

// InvolvementByParticipant is the latest involvement made for a participant row (ErrNotFound: none).
func (t *Tx) InvolvementByParticipant(ctx context.Context, participantID int64) (*Involvement, error) {
	return one[Involvement](ctx, t, `SELECT `+involvementCols+` FROM contractor_involvements WHERE participant_id = ?
		ORDER BY id DESC LIMIT 1`, participantID)
}

// InvolvementsDue lists unanswered, unended involvements whose due time has
// come by now and that still lack a reminder or a breach alert.
func (t *Tx) InvolvementsDue(ctx context.Context, now time.Time) ([]Involvement, error) {
	var vs []Involvement
	if err := t.sel(ctx, &vs, `SELECT `+involvementCols+` FROM contractor_involvements
		WHERE ended_at IS NULL AND answered_at IS NULL AND due_at IS NOT NULL AND due_at <= ?
		AND (reminded_at IS NULL OR breached_at IS NULL) ORDER BY id`, now); err != nil {
		return nil, fmt.Errorf("involvements due: %w", err)
	}
	return vs, nil
}

// Involvement fields the helpdesk sets.
const (
	InvAnswered = "answered_at"
	InvReminded = "reminded_at"
	InvBreached = "breached_at"
	InvEnded    = "ended_at"
)

// MarkInvolvement sets one of the involvement's instants (InvAnswered …).
func (t *Tx) MarkInvolvement(ctx context.Context, id int64, field string, at time.Time) error {
	switch field {
	case InvAnswered, InvReminded, InvBreached, InvEnded:
	default:
		return fmt.Errorf("store: no involvement field %q", field)
	}
	if _, err := t.exec(ctx, `UPDATE contractor_involvements SET `+field+` = ? WHERE id = ? AND `+field+` IS NULL`, at, id); err != nil {
		return fmt.Errorf("mark involvement: %w", err)
	}
	return nil
}

// AnswerInvolvement records the contractor's first answer and its business time.
func (t *Tx) AnswerInvolvement(ctx context.Context, id int64, at time.Time, business time.Duration) error {
	if _, err := t.exec(ctx, `UPDATE contractor_involvements SET answered_at = ?, response_seconds = ?
		WHERE id = ? AND answered_at IS NULL`, at, int64(business/time.Second), id); err != nil {
		return fmt.Errorf("answer involvement: %w", err)
	}
	return nil
}

// LastMessageIDOf is the Message-ID of the ticket's latest message in one of
// the directions ("" when none).
func (t *Tx) LastMessageIDOf(ctx context.Context, ticketID int64, dirs ...string) (string, error) {
	q, args, err := inQuery(`SELECT message_id FROM messages WHERE ticket_id = ? AND direction IN (?) AND message_id <> ''
		ORDER BY id DESC LIMIT 1`, ticketID, dirs)
	if err != nil {
		return "", err
	}
	var id string
	err = t.get(ctx, &id, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}
