package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/search"
)

// The full-text index (migration 00014, docs/search.md): one document per
// ticket (subject, requester, organisation), per message (subject, sender,
// text) and per attachment name. CreateTicket, SetTicketRequester,
// InsertMessage and InsertAttachment write it in their own transaction, so
// every path that stores mail keeps it current; Reindex rebuilds it.
//
// SQLite: the terms are stemmed in Go (internal/search) and kept in the FTS5
// table ticket_search; a document's rowid is its ticket's id << 20 plus its
// number within the ticket, so a match names its ticket without a lookup. PostgreSQL: the
// folded words go to to_tsvector('russian', …) in ticket_search.doc (GIN).

// Kinds of documents.
const (
	docTicket     = "ticket"
	docMessage    = "message"
	docAttachment = "attachment"
)

// indexDoc adds one document about a ticket.
func (t *Tx) indexDoc(ctx context.Context, ticketID int64, kind string, ref int64, text string) error {
	if t.dialect == Postgres {
		_, err := t.exec(ctx, `INSERT INTO ticket_search (ticket_id, kind, ref, doc) VALUES (?, ?, ?, to_tsvector('russian', ?))`,
			ticketID, kind, ref, search.Words(text))
		if err != nil {
			return fmt.Errorf("index %s of ticket #%d: %w", kind, ticketID, err)
		}
		return nil
	}
	terms := t.db.stemmer.Terms(text)
	if terms == "" {
		return nil
	}
	base := ticketID << docBits
	rowid := base
	if kind != docTicket {
		var last int64
		if err := t.get(ctx, &last, `SELECT COALESCE(MAX(rowid), ?) FROM ticket_search WHERE rowid BETWEEN ? AND ?`,
			base, base, base|docMask); err != nil {
			return fmt.Errorf("index %s of ticket #%d: %w", kind, ticketID, err)
		}
		if last == base|docMask {
			return nil // a million documents: the rest of a ticket is not indexed
		}
		rowid = last + 1
	}
	if _, err := t.exec(ctx, `INSERT INTO ticket_search (rowid, terms) VALUES (?, ?)`, rowid, terms); err != nil {
		return fmt.Errorf("index %s of ticket #%d: %w", kind, ticketID, err)
	}
	return nil
}

// SQLite document rowids: ticket id << docBits | number within the ticket.
const (
	docBits = 20
	docMask = 1<<docBits - 1
)

// unindexTicketDoc removes a ticket's own document (not its messages').
func (t *Tx) unindexTicketDoc(ctx context.Context, ticketID int64) error {
	if t.dialect == Postgres {
		_, err := t.exec(ctx, `DELETE FROM ticket_search WHERE ticket_id = ? AND kind = ?`, ticketID, docTicket)
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM ticket_search WHERE rowid = ?`, ticketID<<docBits)
	return err
}

// ticketDoc is the text of a ticket's own document.
type ticketDoc struct {
	Subject        string `db:"subject"`
	RequesterEmail string `db:"requester_email"`
	RequesterName  string `db:"requester_name"`
	OrgName        string `db:"org_name"`
}

func (d ticketDoc) text() string {
	return d.Subject + "\n" + d.RequesterEmail + "\n" + d.RequesterName + "\n" + d.OrgName
}

// indexTicket (re)writes a ticket's own document: subject, requester and
// organisation.
func (t *Tx) indexTicket(ctx context.Context, id int64) error {
	var d ticketDoc
	err := t.get(ctx, &d, `SELECT subject, requester_email, requester_name,
		COALESCE((SELECT name FROM organisations WHERE id = tickets.org_id), '') AS org_name FROM tickets WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("index ticket #%d: %w", id, err)
	}
	if err := t.unindexTicketDoc(ctx, id); err != nil {
		return fmt.Errorf("index ticket #%d: %w", id, err)
	}
	return t.indexDoc(ctx, id, docTicket, 0, d.text())
}

func messageText(m *Message) string {
	return m.Subject + "\n" + m.FromAddr + " " + m.FromName + "\n" + m.BodyText
}

// indexMessage adds a message's document.
func (t *Tx) indexMessage(ctx context.Context, m *Message) error {
	return t.indexDoc(ctx, m.TicketID, docMessage, m.ID, messageText(m))
}

// indexAttachment adds an attachment's name.
func (t *Tx) indexAttachment(ctx context.Context, a *Attachment) error {
	if strings.TrimSpace(a.Filename) == "" {
		return nil
	}
	var ticketID int64
	if err := t.get(ctx, &ticketID, `SELECT ticket_id FROM messages WHERE id = ?`, a.MessageID); err != nil {
		return fmt.Errorf("index attachment %d: %w", a.ID, err)
	}
	return t.indexDoc(ctx, ticketID, docAttachment, a.ID, a.Filename)
}

// searchTerms turns a query into what the dialect's index matches: stems
// for SQLite, folded words for PostgreSQL (which stems them). Stop words are
// left out unless the query is nothing else. Empty: nothing to look for.
func (db *DB) searchTerms(q string) []string {
	if db.dialect == Postgres {
		return search.QueryWords(q)
	}
	return search.QueryTerms(q)
}

// searchSQL is a subquery selecting the ids of tickets that hold every term
// in some document, and its arguments.
func (db *DB) searchSQL(terms []string) (string, []any) {
	parts := make([]string, 0, len(terms))
	args := make([]any, 0, len(terms))
	for _, term := range terms {
		if db.dialect == Postgres {
			parts = append(parts, `SELECT ticket_id FROM ticket_search WHERE doc @@ plainto_tsquery('russian', ?)`)
			args = append(args, term)
			continue
		}
		parts = append(parts, `SELECT rowid >> 20 FROM ticket_search WHERE ticket_search MATCH ?`)
		// A phrase of one term in the FTS5 query language; terms hold only
		// letters and digits, and a quote would be doubled.
		args = append(args, `terms : "`+strings.ReplaceAll(term, `"`, `""`)+`"`)
	}
	return strings.Join(parts, " INTERSECT "), args
}

// ReindexStats says what Reindex wrote.
type ReindexStats struct {
	Tickets, Messages, Attachments int
}

// Reindex rebuilds the full-text index from the tickets, messages and
// attachment names, in transactions of a few hundred tickets; progress, when
// not nil, is called after each. Intake may run meanwhile: a batch's tickets
// are rewritten whole in one transaction.
func (db *DB) Reindex(ctx context.Context, progress func(ReindexStats)) (ReindexStats, error) {
	var st ReindexStats
	const batch = 500
	var after int64
	for {
		var ids []int64
		if err := db.sel(ctx, &ids, `SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?`, after, batch); err != nil {
			return st, fmt.Errorf("reindex: %w", err)
		}
		if len(ids) == 0 {
			return st, nil
		}
		var add ReindexStats
		err := db.Tx(ctx, func(tx *Tx) error {
			add = ReindexStats{}
			return tx.reindexTickets(ctx, ids, &add)
		})
		if err != nil {
			return st, fmt.Errorf("reindex: %w", err)
		}
		st.Tickets += add.Tickets
		st.Messages += add.Messages
		st.Attachments += add.Attachments
		if progress != nil {
			progress(st)
		}
		after = ids[len(ids)-1]
	}
}

// reindexTickets rewrites every document of the tickets.
func (t *Tx) reindexTickets(ctx context.Context, ids []int64, st *ReindexStats) error {
	first, last := ids[0], ids[len(ids)-1]
	if t.dialect == Postgres {
		if _, err := t.exec(ctx, `DELETE FROM ticket_search WHERE ticket_id BETWEEN ? AND ?`, first, last); err != nil {
			return err
		}
	} else if _, err := t.exec(ctx, `DELETE FROM ticket_search WHERE rowid BETWEEN ? AND ?`,
		first<<docBits, last<<docBits|docMask); err != nil {
		return err
	}
	for _, id := range ids {
		var d ticketDoc
		err := t.get(ctx, &d, `SELECT subject, requester_email, requester_name,
			COALESCE((SELECT name FROM organisations WHERE id = tickets.org_id), '') AS org_name FROM tickets WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return err
		}
		if err := t.indexDoc(ctx, id, docTicket, 0, d.text()); err != nil {
			return err
		}
		st.Tickets++
	}
	var ms []Message
	if err := t.sel(ctx, &ms, `SELECT id, ticket_id, subject, from_addr, from_name, body_text FROM messages
		WHERE ticket_id BETWEEN ? AND ? ORDER BY id`, first, last); err != nil {
		return err
	}
	for i := range ms {
		if err := t.indexMessage(ctx, &ms[i]); err != nil {
			return err
		}
		st.Messages++
	}
	var as []struct {
		ID       int64  `db:"id"`
		TicketID int64  `db:"ticket_id"`
		Filename string `db:"filename"`
	}
	if err := t.sel(ctx, &as, `SELECT a.id, m.ticket_id, a.filename FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.ticket_id BETWEEN ? AND ? AND a.filename <> '' ORDER BY a.id`, first, last); err != nil {
		return err
	}
	for _, a := range as {
		if err := t.indexDoc(ctx, a.TicketID, docAttachment, a.ID, a.Filename); err != nil {
			return err
		}
		st.Attachments++
	}
	return nil
}
