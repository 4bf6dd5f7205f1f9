package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/otvet/otvet/internal/search"
)

// A transaction's changes to the full-text index are gathered in Go and
// written when it commits (or before it searches), once per ticket. SQLite:
// one statement for them all: FTS5 flushes its pending terms to disk at
// every statement that writes it, so writing each message's terms as it is
// stored (a ticket's head, its request, each file's name) made several small
// index segments per message and re-tokenised the ticket's row each time.
// PostgreSQL: one upsert per ticket instead of one per piece, each of which
// rewrote the ticket's tsvector and its GIN entries. What is indexed, and in
// which order, is unchanged.

// searchWrites are the pending index changes of a transaction.
type searchWrites struct {
	docs map[int64]*pendingDoc
}

// pendingDoc is what changes in one ticket's row.
type pendingDoc struct {
	head bool     // the head (subject, requester, organisation) is to be rewritten
	body []string // terms to append to the body, in order
}

// doc returns the pending changes of a ticket's row, made when missing.
func (w *searchWrites) doc(id int64) *pendingDoc {
	if w.docs == nil {
		w.docs = map[int64]*pendingDoc{}
	}
	d := w.docs[id]
	if d == nil {
		d = &pendingDoc{}
		w.docs[id] = d
	}
	return d
}

// ticketBody is a ticket's indexed body as it grows: each piece's terms not
// in the body yet are added, after the ones before, while the body stays
// within maxTicketText (a piece whose new terms do not fit is left out; a
// smaller one after it may fit). A search ANDs single terms and ranks by
// nothing but the ticket's number, so a term once is all the index needs:
// a ticket's text repeats most of its words, and each repetition cost index
// space and tokenising on every rewrite of the row.
type ticketBody struct {
	b    strings.Builder
	seen map[string]bool
}

// start takes a stored body (whose terms may repeat: rows written before).
func (b *ticketBody) start(body string) {
	b.b.WriteString(body)
	b.seen = make(map[string]bool, len(body)/8)
	for term := range strings.FieldsSeq(body) {
		b.seen[term] = true
	}
}

func (b *ticketBody) add(piece string) bool {
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	var fresh []string
	extra := 0
	for term := range strings.FieldsSeq(piece) {
		if b.seen[term] {
			continue
		}
		b.seen[term] = true
		fresh = append(fresh, term)
		extra += len(term) + 1
	}
	if len(fresh) == 0 {
		return true
	}
	if b.b.Len() == 0 {
		extra--
	}
	if b.b.Len()+extra > maxTicketText {
		for _, term := range fresh {
			delete(b.seen, term)
		}
		return false
	}
	for _, term := range fresh {
		if b.b.Len() > 0 {
			b.b.WriteByte(' ')
		}
		b.b.WriteString(term)
	}
	return true
}

func (b *ticketBody) String() string { return b.b.String() }

// searchRows bounds the rows written by one statement of flushSearch.
const searchRows = 100

// flushSearch writes the pending index changes: the current rows of the
// tickets concerned are read, their heads made anew where asked, the new
// terms appended, and the rows replaced (SQLite) or upserted (PostgreSQL).
func (t *Tx) flushSearch(ctx context.Context) error {
	if len(t.search.docs) == 0 {
		return nil
	}
	docs := t.search.docs
	t.search.docs = nil
	ids := make([]int64, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if t.dialect == Postgres {
		return t.writeSearchPG(ctx, ids, docs)
	}
	for len(ids) > 0 {
		n := min(len(ids), searchRows)
		if err := t.writeSearchRows(ctx, ids[:n], docs); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// writeSearchRows is flushSearch for a few tickets.
func (t *Tx) writeSearchRows(ctx context.Context, ids []int64, docs map[int64]*pendingDoc) error {
	list := idsJSON(ids)
	var old []struct {
		ID   int64  `db:"rowid"`
		Head string `db:"head"`
		Body string `db:"body"`
	}
	if err := t.sel(ctx, &old, `SELECT rowid, head, body FROM ticket_search WHERE rowid IN (SELECT value FROM json_each(?))`, list); err != nil {
		return fmt.Errorf("index tickets: %w", err)
	}
	type row struct {
		head string
		body ticketBody
	}
	rows := make(map[int64]*row, len(ids))
	for _, o := range old {
		r := &row{head: o.Head}
		r.body.start(o.Body)
		rows[o.ID] = r
	}
	heads, err := t.headsAsked(ctx, ids, docs)
	if err != nil {
		return err
	}
	for _, h := range heads {
		r := rows[h.ID]
		if r == nil {
			r = &row{}
			rows[h.ID] = r
		}
		r.head = t.db.stemmer.Terms(h.text())
	}
	var (
		q    strings.Builder
		args = make([]any, 0, 3*len(ids))
	)
	q.WriteString(`INSERT OR REPLACE INTO ticket_search (rowid, head, body) VALUES `)
	for _, id := range ids {
		r := rows[id]
		if r == nil {
			if len(docs[id].body) == 0 {
				continue // neither a row nor a ticket: nothing to write
			}
			r = &row{}
		}
		for _, piece := range docs[id].body {
			r.body.add(piece)
		}
		if len(args) > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?)")
		args = append(args, id, r.head, r.body.String())
	}
	if len(args) == 0 {
		return nil
	}
	// Not through the statement cache: the statement's length varies.
	if _, err := t.x.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("index tickets: %w", err)
	}
	return nil
}

// headsAsked reads the ticketDocs of the tickets among ids whose head is to
// be made anew (a ticket deleted meanwhile has none).
func (t *Tx) headsAsked(ctx context.Context, ids []int64, docs map[int64]*pendingDoc) ([]ticketDoc, error) {
	var want []int64
	for _, id := range ids {
		if docs[id].head {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	q, args, err := inQuery(ticketDocFrom+` WHERE id IN (?)`, want)
	if err != nil {
		return nil, err
	}
	var heads []ticketDoc
	if err := t.sel(ctx, &heads, q, args...); err != nil {
		return nil, fmt.Errorf("index tickets: %w", err)
	}
	return heads, nil
}

// writeSearchPG is flushSearch on PostgreSQL: the heads asked for are made
// anew, and the new words of each ticket appended in one upsert, piece by
// piece while the body's size stays within maxTicketText (a piece that does
// not fit is left out, as when each was appended by itself).
func (t *Tx) writeSearchPG(ctx context.Context, ids []int64, docs map[int64]*pendingDoc) error {
	q, args, err := inQuery(`SELECT ticket_id, size FROM ticket_search WHERE ticket_id IN (?)`, ids)
	if err != nil {
		return err
	}
	var sizes []struct {
		ID   int64 `db:"ticket_id"`
		Size int   `db:"size"`
	}
	if err := t.sel(ctx, &sizes, q, args...); err != nil {
		return fmt.Errorf("index tickets: %w", err)
	}
	size := make(map[int64]int, len(sizes))
	for _, s := range sizes {
		size[s.ID] = s.Size
	}
	docsAsked, err := t.headsAsked(ctx, ids, docs)
	if err != nil {
		return err
	}
	heads := make(map[int64]string, len(docsAsked))
	for _, d := range docsAsked {
		heads[d.ID] = search.Words(d.text())
	}
	for _, id := range ids {
		n, exists := size[id]
		var body []string
		added := 0
		for _, words := range docs[id].body {
			if (exists || len(body) > 0) && n+added+len(words) > maxTicketText {
				continue
			}
			body = append(body, words)
			added += len(words)
		}
		head, headOK := heads[id]
		if len(body) == 0 && !headOK {
			continue
		}
		set := `body = ticket_search.body || EXCLUDED.body, size = ticket_search.size + EXCLUDED.size`
		if headOK {
			set = `head = EXCLUDED.head, ` + set
		}
		_, err := t.exec(ctx, `INSERT INTO ticket_search (ticket_id, head, body, size)
			VALUES (?, strip(to_tsvector('russian', ?)), strip(to_tsvector('russian', ?)), ?)
			ON CONFLICT (ticket_id) DO UPDATE SET `+set, id, head, strings.Join(body, " "), added)
		if err != nil {
			return fmt.Errorf("index ticket #%d: %w", id, err)
		}
	}
	return nil
}
