package store

import (
	"context"
	"fmt"
)

// ListTickets lists tickets, newest first.
func (db *DB) ListTickets(ctx context.Context, limit int) ([]Ticket, error) {
	var ts []Ticket
	if err := db.sel(ctx, &ts, `SELECT `+ticketCols+` FROM tickets ORDER BY id DESC LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return ts, nil
}

// Ticket reads one ticket.
func (db *DB) Ticket(ctx context.Context, id int64) (*Ticket, error) {
	var tk Ticket
	if err := db.get(ctx, &tk, `SELECT `+ticketCols+` FROM tickets WHERE id = ?`, id); err != nil {
		return nil, notFound(err)
	}
	return &tk, nil
}

// Messages lists a ticket's conversation in order.
func (db *DB) Messages(ctx context.Context, ticketID int64) ([]Message, error) {
	var ms []Message
	err := db.sel(ctx, &ms, `SELECT id, ticket_id, direction, message_id, from_addr, from_name, to_addrs, cc_addrs, subject,
		body_text, body_html, auto, raw_id, outbox_id, created_at FROM messages WHERE ticket_id = ? ORDER BY id`, ticketID)
	return ms, err
}

// Attachments lists a ticket's files (without their data), by message.
func (db *DB) Attachments(ctx context.Context, ticketID int64) (map[int64][]Attachment, error) {
	var as []Attachment
	err := db.sel(ctx, &as, `SELECT a.id, a.message_id, a.filename, a.content_type, a.content_id, a.inline, a.size,
		a.dropped, a.drop_reason FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.ticket_id = ? ORDER BY a.id`, ticketID)
	if err != nil {
		return nil, err
	}
	out := map[int64][]Attachment{}
	for _, a := range as {
		out[a.MessageID] = append(out[a.MessageID], a)
	}
	return out, nil
}

// Participants lists a ticket's participants.
func (db *DB) Participants(ctx context.Context, ticketID int64) ([]Participant, error) {
	var ps []Participant
	err := db.sel(ctx, &ps, `SELECT `+participantCols+` FROM participants WHERE ticket_id = ? ORDER BY id`, ticketID)
	return ps, err
}

// Events lists a ticket's audit trail.
func (db *DB) Events(ctx context.Context, ticketID int64) ([]Event, error) {
	var es []Event
	err := db.sel(ctx, &es, `SELECT id, ticket_id, at, kind, actor, detail FROM events WHERE ticket_id = ? ORDER BY id`, ticketID)
	return es, err
}

// OutgoingForTicket lists the mail queued or sent for a ticket.
func (db *DB) OutgoingForTicket(ctx context.Context, ticketID int64) ([]Outgoing, error) {
	var rows []Outgoing
	err := db.sel(ctx, &rows, `SELECT `+db.outCols()+` FROM outbox WHERE ticket_id = ? ORDER BY id`, ticketID)
	return rows, err
}

// Counts summarises intake for tests and status output.
type Counts struct {
	Tickets  int `db:"tickets"`
	Messages int `db:"messages"`
	Raw      int `db:"raw"`
	Outbox   int `db:"outbox"`
}

// Counts returns row counts of the main tables.
func (db *DB) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := db.get(ctx, &c, `SELECT (SELECT COUNT(*) FROM tickets) AS tickets, (SELECT COUNT(*) FROM messages) AS messages,
		(SELECT COUNT(*) FROM raw_messages) AS raw, (SELECT COUNT(*) FROM outbox) AS outbox`)
	return c, err
}

// RawDispositions counts raw messages by disposition.
func (db *DB) RawDispositions(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		D string `db:"disposition"`
		N int    `db:"n"`
	}
	if err := db.sel(ctx, &rows, `SELECT disposition, COUNT(*) AS n FROM raw_messages GROUP BY disposition`); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.D] = r.N
	}
	return out, nil
}
