package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/otvet/otvet/internal/search"
)

// The full-text index (migrations 00014 and 00018, docs/search.md): ONE row
// per ticket holding all its text, so that the engine ANDs a query's words
// itself and names the tickets directly. The row has two parts: head (the
// ticket's subject, requester and organisation, rewritten by
// SetTicketRequester) and body (every message's subject, sender and text and
// every attachment's name, appended to by InsertMessage and
// InsertAttachment). CreateTicket writes the row; all of it happens in the
// writer's own transaction, so every path that stores mail keeps it
// current. Reindex rebuilds it.
//
// SQLite: the terms are stemmed in Go (internal/search) and kept in the FTS5
// table ticket_search (columns head, body) whose rowid is the ticket's id.
// PostgreSQL: ticket_search(ticket_id, head, body, size) with tsvectors of
// the `russian` configuration over the folded words, stripped of positions,
// and a GIN index on head || body.

// maxTicketText bounds the text of one ticket's body that is indexed, in
// bytes (terms on SQLite, folded words on PostgreSQL): appending rewrites the
// row, so a ticket of hundreds of messages stops growing its index (its
// first 256 KiB are found), and PostgreSQL's tsvector stays under its 1 MB
// limit.
const maxTicketText = 256 << 10

// indexAppend adds text to a ticket's body.
func (t *Tx) indexAppend(ticketID int64, text string) {
	t.appendTerms(ticketID, t.db.terms(text))
}

// appendTerms adds a piece of a ticket's body (terms of its dialect).
func (t *Tx) appendTerms(ticketID int64, piece string) {
	if piece != "" {
		d := t.search.doc(ticketID)
		d.body = append(d.body, piece)
	}
}

// terms are what the dialect's index takes of a text: stems on SQLite,
// folded words on PostgreSQL (which stems them itself).
func (db *DB) terms(text string) string {
	if db.dialect == Postgres {
		return search.Words(text)
	}
	return db.stemmer.Terms(text)
}

// ticketDoc is the text of a ticket's head: its number (a search for «1234»
// finds ticket #1234), subject, requester and organisation.
type ticketDoc struct {
	ID             int64  `db:"id"`
	Subject        string `db:"subject"`
	RequesterEmail string `db:"requester_email"`
	RequesterName  string `db:"requester_name"`
	OrgName        string `db:"org_name"`
}

func (d ticketDoc) text() string {
	return strconv.FormatInt(d.ID, 10) + "\n" + d.Subject + "\n" + d.RequesterEmail + "\n" + d.RequesterName + "\n" + d.OrgName
}

// ticketDocFrom reads ticketDocs; ticketDocSQL one of them.
const (
	ticketDocFrom = `SELECT id, subject, requester_email, requester_name,
	COALESCE((SELECT name FROM organisations WHERE id = tickets.org_id), '') AS org_name FROM tickets`
	ticketDocSQL = ticketDocFrom + ` WHERE id = ?`
)

// indexTicket (re)writes a ticket's head: subject, requester and
// organisation; the row is made when missing. The head is read and written
// when the transaction's index writes are flushed (flushSearch).
func (t *Tx) indexTicket(_ context.Context, id int64) error {
	t.search.doc(id).head = true
	return nil
}

func messageText(m *Message) string {
	return m.Subject + "\n" + m.FromAddr + " " + m.FromName + "\n" + string(m.BodyText)
}

// searchable says whether a message's text is indexed: what people wrote
// is, Otvet's own automatic messages (acknowledgements, notices) are not —
// their words are the same on every ticket and would only make noise.
func searchable(m *Message) bool {
	return !(m.Auto && m.Direction == DirOut)
}

// indexMessage adds a message to its ticket's row (with the terms p holds
// when it has them).
func (t *Tx) indexMessage(m *Message, p *MessagePrep) {
	switch {
	case !searchable(m):
	case p != nil && p.termsDone:
		t.appendTerms(m.TicketID, p.terms)
	default:
		t.indexAppend(m.TicketID, messageText(m))
	}
}

// indexAttachment adds an attachment's name to its ticket's row.
func (t *Tx) indexAttachment(ctx context.Context, a *Attachment) error {
	if strings.TrimSpace(a.Filename) == "" {
		return nil
	}
	var ticketID int64
	if err := t.get(ctx, &ticketID, `SELECT ticket_id FROM messages WHERE id = ?`, a.MessageID); err != nil {
		return fmt.Errorf("index attachment %d: %w", a.ID, err)
	}
	t.indexAppend(ticketID, a.Filename)
	return nil
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

// searchMatch is the condition on ticket_search (aliased s) that holds
// every term, and its argument.
func (db *DB) searchMatch(terms []string) (string, any) {
	if db.dialect == Postgres {
		// plainto_tsquery ANDs the words' stems.
		return `(s.head || s.body) @@ plainto_tsquery('russian', ?)`, strings.Join(terms, " ")
	}
	// Each term a phrase of the FTS5 query language, ANDed over both columns;
	// terms hold only letters and digits, and a quote would be doubled.
	parts := make([]string, len(terms))
	for i, term := range terms {
		parts[i] = `"` + strings.ReplaceAll(term, `"`, `""`) + `"`
	}
	return `ticket_search MATCH ?`, strings.Join(parts, " AND ")
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

// reindexTickets rewrites the rows of the tickets.
func (t *Tx) reindexTickets(ctx context.Context, ids []int64, st *ReindexStats) error {
	first, last := ids[0], ids[len(ids)-1]
	col := "rowid"
	if t.dialect == Postgres {
		col = "ticket_id"
	}
	if _, err := t.exec(ctx, `DELETE FROM ticket_search WHERE `+col+` BETWEEN ? AND ?`, first, last); err != nil {
		return err
	}
	// Each ticket's body: its messages, then its attachments' names, in the
	// order stored, up to maxTicketText as intake would have written it.
	bodies := map[int64]*ticketBody{}
	add := func(id int64, text string) {
		piece := t.db.terms(text)
		b := bodies[id]
		if b == nil {
			b = &ticketBody{}
			bodies[id] = b
		}
		b.add(piece)
	}
	var ms []Message
	if err := t.sel(ctx, &ms, `SELECT id, ticket_id, direction, auto, subject, from_addr, from_name, body_text FROM messages
		WHERE ticket_id BETWEEN ? AND ? ORDER BY id`, first, last); err != nil {
		return err
	}
	for i := range ms {
		if !searchable(&ms[i]) {
			continue
		}
		add(ms[i].TicketID, messageText(&ms[i]))
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
		add(a.TicketID, a.Filename)
		st.Attachments++
	}
	for _, id := range ids {
		var d ticketDoc
		err := t.get(ctx, &d, ticketDocSQL, id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return err
		}
		var body string
		if b := bodies[id]; b != nil {
			body = b.String()
		}
		if t.dialect == Postgres {
			_, err = t.exec(ctx, `INSERT INTO ticket_search (ticket_id, head, body, size)
				VALUES (?, strip(to_tsvector('russian', ?)), strip(to_tsvector('russian', ?)), ?)`,
				id, search.Words(d.text()), body, len(body))
		} else {
			_, err = t.exec(ctx, `INSERT INTO ticket_search (rowid, head, body) VALUES (?, ?, ?)`,
				id, t.db.stemmer.Terms(d.text()), body)
		}
		if err != nil {
			return err
		}
		st.Tickets++
	}
	return nil
}
