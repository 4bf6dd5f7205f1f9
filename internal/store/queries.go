package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// one reads the single row q finds as a T (ErrNotFound: none).
func one[T any](ctx context.Context, t *Tx, q string, args ...any) (*T, error) {
	var v T
	if err := t.get(ctx, &v, q, args...); err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Cursor is a mailbox's IMAP position.
type Cursor struct {
	UIDValidity uint32 `db:"uid_validity"`
	LastUID     uint32 `db:"last_uid"`
}

// Cursor returns the mailbox's cursor, zero when it was never polled.
func (db *DB) Cursor(ctx context.Context, mailbox string) (Cursor, error) {
	var c Cursor
	err := db.get(ctx, &c, `SELECT uid_validity, last_uid FROM cursors WHERE mailbox = ?`, mailbox)
	if errors.Is(err, sql.ErrNoRows) {
		return Cursor{}, nil
	}
	if err != nil {
		return Cursor{}, fmt.Errorf("read cursor: %w", err)
	}
	return c, nil
}

// SetCursor stores the mailbox's cursor. The UID only moves forward unless the
// UIDVALIDITY changes.
func (t *Tx) SetCursor(ctx context.Context, mailbox string, c Cursor, now time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO cursors (mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET
			last_uid = CASE WHEN cursors.uid_validity = excluded.uid_validity AND cursors.last_uid > excluded.last_uid
				THEN cursors.last_uid ELSE excluded.last_uid END,
			uid_validity = excluded.uid_validity, updated_at = excluded.updated_at`,
		mailbox, c.UIDValidity, c.LastUID, now)
	if err != nil {
		return fmt.Errorf("set cursor: %w", err)
	}
	return nil
}

// InsertRaw stores an incoming message. dup is true (and nothing is written)
// when the same bytes were stored before. A known Message-ID does not make a
// duplicate here: see RawsByMessageID. The bytes go to raw_data, written
// once: the row in raw_messages, which SetRawDisposition updates, stays
// small (its data column holds only bytes stored before migration 00019).
func (t *Tx) InsertRaw(ctx context.Context, r *RawMessage) (id int64, dup bool, err error) {
	row, err := t.queryRow(ctx, `INSERT INTO raw_messages
		(desk, uid_validity, uid, message_id, sha256, content_key, size, truncated, disposition, note, data, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		r.Desk, r.UIDValidity, r.UID, r.MessageID, r.SHA256, r.ContentKey, r.Size, r.Truncated, r.Disposition, r.Note, []byte{}, r.ReceivedAt)
	if err != nil {
		return 0, false, fmt.Errorf("insert raw message: %w", err)
	}
	err = row.Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert raw message: %w", err)
	}
	if err := t.insertRawData(ctx, id, r); err != nil { // raw_stream.go
		return 0, false, err
	}
	r.ID = id
	return id, false, nil
}

// SetRawDisposition records what intake did with a raw message.
func (t *Tx) SetRawDisposition(ctx context.Context, id int64, disposition, note string, ticketID int64) error {
	_, err := t.exec(ctx, `UPDATE raw_messages SET disposition = ?, note = ?, ticket_id = ? WHERE id = ?`,
		disposition, note, nullID(ticketID), id)
	return err
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateTicket inserts a ticket and sets its ID (a ticket born rejected has ClosedAt set by the caller).
func (t *Tx) CreateTicket(ctx context.Context, tk *Ticket) error {
	id, err := t.insertID(ctx, `INSERT INTO tickets (desk, status, channel, subject, requester_email, requester_name,
		support_level, linked_ticket_id, created_at, updated_at, first_response_due, resolution_due,
		sla_first_response, sla_resolution, reason, priority, org_id, suggestions, missing, resume_at, hold_window_id, closed_at,
		system)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tk.Desk, tk.Status, tk.Channel, tk.Subject, tk.RequesterEmail, tk.RequesterName, tk.SupportLevel,
		tk.LinkedTicketID, tk.CreatedAt, tk.UpdatedAt, tk.FirstResponseDue, tk.ResolutionDue,
		tk.SLAFirstResponse, tk.SLAResolution, tk.Reason, cmpOr(tk.Priority, PriorityNormal), tk.OrgID, tk.Suggestions,
		tk.Missing, tk.ResumeAt, tk.HoldWindowID, tk.ClosedAt, tk.System)
	if err != nil {
		return fmt.Errorf("create ticket: %w", err)
	}
	tk.ID = id
	return t.indexTicket(ctx, tk.ID)
}

const ticketCols = `id, desk, status, channel, subject, requester_email, requester_name, support_level,
	linked_ticket_id, created_at, updated_at, closed_at, first_response_due, resolution_due, first_response_at,
	sla_first_response, sla_resolution, reason, priority, org_id, suggestions, missing, resume_at,
	assignee, resolved_at, planned_for, merged_into, kind, hold_window_id, wait_reminded_at, system`

// Ticket reads a ticket inside the transaction.
func (t *Tx) Ticket(ctx context.Context, id int64) (*Ticket, error) {
	return one[Ticket](ctx, t, `SELECT `+ticketCols+` FROM tickets WHERE id = ?`, id)
}

// SetTicketStatus changes a ticket's state; closedAt is set for resolved/closed/rejected.
func (t *Tx) SetTicketStatus(ctx context.Context, id int64, status string, now time.Time) error {
	var closed sql.NullTime
	if status == StatusResolved || status == StatusClosed || status == StatusRejected {
		closed = sql.NullTime{Time: now, Valid: true}
	}
	_, err := t.exec(ctx, `UPDATE tickets SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?`, status, closed, now, id)
	return err
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// UpdateTicketState sets a ticket's status, reason and resume time together
// (closed_at follows the status as in SetTicketStatus).
func (t *Tx) UpdateTicketState(ctx context.Context, id int64, status, reason string, resumeAt sql.NullTime, now time.Time) error {
	var closed sql.NullTime
	if status == StatusResolved || status == StatusClosed || status == StatusRejected {
		closed = sql.NullTime{Time: now, Valid: true}
	}
	_, err := t.exec(ctx, `UPDATE tickets SET status = ?, reason = ?, resume_at = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
		status, reason, resumeAt, closed, now, id)
	return err
}

// State is what the ticket lifecycle writes in one change: the status, its
// reason code, and what holds the ticket (a resume time, a maintenance
// window). closed_at follows the status; a change clears the wait reminder.
type State struct {
	Status       string
	Reason       string
	ResumeAt     sql.NullTime
	HoldWindowID sql.NullInt64
}

// SetTicketState writes a lifecycle change of a ticket.
func (t *Tx) SetTicketState(ctx context.Context, id int64, st State, now time.Time) error {
	var closed sql.NullTime
	if st.Status == StatusResolved || st.Status == StatusClosed || st.Status == StatusRejected {
		closed = sql.NullTime{Time: now, Valid: true}
	}
	_, err := t.exec(ctx, `UPDATE tickets SET status = ?, reason = ?, resume_at = ?, hold_window_id = ?, wait_reminded_at = NULL,
		closed_at = ?, updated_at = ? WHERE id = ?`, st.Status, st.Reason, st.ResumeAt, st.HoldWindowID, closed, now, id)
	if err != nil {
		return fmt.Errorf("ticket #%d state: %w", id, err)
	}
	return nil
}

// SetWaitReminded records that a waiting ticket's customer was reminded; the
// wait now ends at closeAt.
func (t *Tx) SetWaitReminded(ctx context.Context, id int64, at, closeAt time.Time) error {
	_, err := t.exec(ctx, `UPDATE tickets SET wait_reminded_at = ?, resume_at = ?, updated_at = ? WHERE id = ?`, at, closeAt, at, id)
	return err
}

// SetTicketSLA replaces a ticket's SLA clocks and due times.
func (t *Tx) SetTicketSLA(ctx context.Context, tk *Ticket) error {
	_, err := t.exec(ctx, `UPDATE tickets SET sla_first_response = ?, sla_resolution = ?, first_response_due = ?,
		resolution_due = ?, updated_at = ? WHERE id = ?`,
		tk.SLAFirstResponse, tk.SLAResolution, tk.FirstResponseDue, tk.ResolutionDue, tk.UpdatedAt, tk.ID)
	return err
}

// SetTicketRequester records who the requester turned out to be.
func (t *Tx) SetTicketRequester(ctx context.Context, id int64, name string, orgID sql.NullInt64, now time.Time) error {
	if _, err := t.exec(ctx, `UPDATE tickets SET requester_name = ?, org_id = ?, updated_at = ? WHERE id = ?`, name, orgID, now, id); err != nil {
		return err
	}
	return t.indexTicket(ctx, id)
}

// TicketsToResume lists tickets in a status whose resume_at has come.
func (t *Tx) TicketsToResume(ctx context.Context, status string, before time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := t.sel(ctx, &ts, `SELECT `+ticketCols+` FROM tickets WHERE status = ? AND resume_at IS NOT NULL AND resume_at <= ?
		ORDER BY id`, status, before)
	return ts, err
}

// TouchTicket updates a ticket's modification time.
func (t *Tx) TouchTicket(ctx context.Context, id int64, now time.Time) error {
	_, err := t.exec(ctx, `UPDATE tickets SET updated_at = ? WHERE id = ?`, now, id)
	return err
}

// AddParticipant adds a person to a ticket (no-op when present) and returns their row.
func (t *Tx) AddParticipant(ctx context.Context, ticketID int64, email, name, role string, now time.Time) (*Participant, error) {
	email = strings.ToLower(email)
	// A new participant comes back from the insert itself; one there
	// already is read.
	row, err := t.queryRow(ctx, `INSERT INTO participants (ticket_id, email, name, role, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id, email) DO NOTHING RETURNING `+participantCols, ticketID, email, name, role, now)
	if err != nil {
		return nil, fmt.Errorf("add participant: %w", err)
	}
	var p Participant
	err = row.Scan(&p.ID, &p.TicketID, &p.Email, &p.Name, &p.Role, &p.TokenEpoch)
	if errors.Is(err, sql.ErrNoRows) {
		return t.Participant(ctx, ticketID, email)
	}
	if err != nil {
		return nil, fmt.Errorf("add participant: %w", err)
	}
	return &p, nil
}

// Participant finds a ticket's participant by address.
func (t *Tx) Participant(ctx context.Context, ticketID int64, email string) (*Participant, error) {
	return one[Participant](ctx, t, `SELECT `+participantCols+` FROM participants WHERE ticket_id = ? AND email = ?`,
		ticketID, strings.ToLower(email))
}

// ParticipantByID reads one participant.
func (t *Tx) ParticipantByID(ctx context.Context, id int64) (*Participant, error) {
	return one[Participant](ctx, t, `SELECT `+participantCols+` FROM participants WHERE id = ?`, id)
}

// ticketByMessageIDsSQL names the partial index's condition, as
// rawsByMessageIDSQL does.
const ticketByMessageIDsSQL = `SELECT m.ticket_id FROM messages m JOIN tickets t ON t.id = m.ticket_id
	WHERE t.desk = ? AND m.message_id IN (?) AND m.message_id <> '' ORDER BY m.id DESC LIMIT 1`

// TicketByMessageIDs finds the ticket of any message we stored or sent with one
// of the given Message-IDs on the desk. It returns 0 when none matches.
func (t *Tx) TicketByMessageIDs(ctx context.Context, desk string, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if len(ids) > 100 {
		ids = ids[len(ids)-100:] // the newest references are the closest relatives
	}
	var ticket int64
	q, args, err := inQuery(ticketByMessageIDsSQL, desk, ids)
	if err != nil {
		return 0, err
	}
	err = t.get(ctx, &ticket, q, args...)
	if err == nil {
		return ticket, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("match references: %w", err)
	}
	q, args, err = inQuery(`SELECT ticket_id FROM outbox WHERE desk = ? AND ticket_id IS NOT NULL AND message_id IN (?)
		ORDER BY id DESC LIMIT 1`, desk, ids)
	if err != nil {
		return 0, err
	}
	err = t.get(ctx, &ticket, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("match references: %w", err)
	}
	return ticket, nil
}

// FirstMessageText returns the text of a ticket's first incoming message.
func (t *Tx) FirstMessageText(ctx context.Context, ticketID int64) (string, error) {
	var s Text
	err := t.get(ctx, &s, `SELECT body_text FROM messages WHERE ticket_id = ? AND direction = ? ORDER BY id LIMIT 1`, ticketID, DirIn)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return string(s), err
}

// InsertMessage stores a conversation entry and sets its ID.
func (t *Tx) InsertMessage(ctx context.Context, m *Message) error {
	p := m.Prep
	if !p.fits(m) {
		p = t.db.prepareMessage(m, false)
	}
	id, err := t.insertID(ctx, `INSERT INTO messages (ticket_id, direction, message_id, from_addr, from_name, to_addrs,
		cc_addrs, subject, body_text, body_html, auto, raw_id, outbox_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.TicketID, m.Direction, m.MessageID, m.FromAddr, m.FromName, m.ToAddrs, m.CcAddrs, m.Subject,
		p.text, p.html, m.Auto, m.RawID, m.OutboxID, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	m.ID = id
	t.indexMessage(m, p)
	return nil
}

// MessagePrep is what InsertMessage works out from a message's text — its
// stored (packed) text and HTML, its search terms — worked out beforehand
// (PrepareMessage), away from the database writer. InsertMessage uses it
// when it was made from the same text, and works it out itself otherwise.
type MessagePrep struct {
	src        Message // the fields it was made from
	text, html any
	terms      string
	termsDone  bool
}

// PrepareMessage works out m's MessagePrep (any goroutine).
func (db *DB) PrepareMessage(m *Message) *MessagePrep { return db.prepareMessage(m, true) }

func (db *DB) prepareMessage(m *Message, terms bool) *MessagePrep {
	p := &MessagePrep{text: db.packText(m.BodyText, m.Direction), html: db.packText(m.BodyHTML, m.Direction)}
	p.src.Subject, p.src.FromAddr, p.src.FromName, p.src.BodyText, p.src.BodyHTML, p.src.Direction =
		m.Subject, m.FromAddr, m.FromName, m.BodyText, m.BodyHTML, m.Direction
	if terms && searchable(m) {
		p.terms, p.termsDone = db.terms(messageText(m)), true
	}
	return p
}

// fits reports whether p was made from m's text.
func (p *MessagePrep) fits(m *Message) bool {
	return p != nil && p.src.Subject == m.Subject && p.src.FromAddr == m.FromAddr && p.src.FromName == m.FromName &&
		p.src.BodyText == m.BodyText && p.src.BodyHTML == m.BodyHTML && p.src.Direction == m.Direction
}

// InsertAttachment stores a file of a message.
func (t *Tx) InsertAttachment(ctx context.Context, a *Attachment) error {
	data, in := attachmentData(a), ""
	if a.InRaw.Found() && a.Data != nil && len(a.Data) <= ChunkBytes {
		data, in = nil, a.InRaw.String() // read from its raw message (attach_raw.go)
	}
	id, err := t.insertID(ctx, `INSERT INTO attachments (message_id, filename, content_type, content_id, inline, size,
		dropped, drop_reason, data, in_raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.MessageID, a.Filename, a.ContentType, a.ContentID, a.Inline, a.Size, a.Dropped, a.DropReason, data, in)
	if err != nil {
		return fmt.Errorf("insert attachment: %w", err)
	}
	a.ID = id
	if err := t.insertAttachmentChunks(ctx, a); err != nil { // raw_stream.go
		return err
	}
	return t.indexAttachment(ctx, a)
}

// AddEvent appends to the audit trail (ticketID 0: not about a ticket).
func (t *Tx) AddEvent(ctx context.Context, ticketID int64, at time.Time, kind, actor, detail string) error {
	_, err := t.exec(ctx, `INSERT INTO events (ticket_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)`,
		nullID(ticketID), at, kind, actor, detail)
	if err != nil {
		return fmt.Errorf("add event: %w", err)
	}
	return nil
}

// InsertBounce records a delivery failure.
func (t *Tx) InsertBounce(ctx context.Context, b *Bounce) error {
	_, err := t.exec(ctx, `INSERT INTO bounces (ticket_id, outbox_id, recipient, status, diagnostic, permanent, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, b.TicketID, b.OutboxID, b.Recipient, b.Status, b.Diagnostic, b.Permanent, b.At)
	if err != nil {
		return fmt.Errorf("insert bounce: %w", err)
	}
	return nil
}

func inQuery(q string, args ...any) (string, []any, error) {
	q, a, err := sqlxIn(q, args...)
	if err != nil {
		return "", nil, fmt.Errorf("build query: %w", err)
	}
	return q, a, nil
}

// AuthorAt is the address of whoever wrote the ticket's answer stored at
// the instant at (an agent's reply is stored with the same instant as the
// outbox row that carries it); "" when there is none.
func (t *Tx) AuthorAt(ctx context.Context, ticketID int64, at time.Time) (string, error) {
	var from string
	err := t.get(ctx, &from, `SELECT from_addr FROM messages WHERE ticket_id = ? AND direction = ? AND created_at = ?
		ORDER BY id DESC LIMIT 1`, ticketID, DirOut, at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return from, err
}

// LastAnswerAfter is the newest answer to the customer on the ticket stored
// after the instant after by someone other than notFrom (nil when none): a
// colleague who answered since a mail was sent.
func (t *Tx) LastAnswerAfter(ctx context.Context, ticketID int64, after time.Time, notFrom string) (*Message, error) {
	var m Message
	err := t.get(ctx, &m, `SELECT id, ticket_id, direction, message_id, from_addr, from_name, body_text, created_at
		FROM messages WHERE ticket_id = ? AND direction = ? AND auto = ? AND created_at > ? AND from_addr <> ? AND body_text <> ''
		ORDER BY id DESC LIMIT 1`, ticketID, DirOut, false, after, strings.ToLower(notFrom))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}
