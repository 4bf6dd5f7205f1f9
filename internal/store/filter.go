package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// StatusActive is the pseudo-state of a filter that stands for every state
// of a ticket still being worked on: unidentified, open, waiting, deferred,
// planned.
const StatusActive = "active"

// ActiveStatuses are the states StatusActive stands for.
func ActiveStatuses() []string {
	return []string{StatusUnidentified, StatusOpen, StatusWaiting, StatusDeferred, StatusPlanned}
}

// AllStatuses are every ticket state.
func AllStatuses() []string {
	return []string{StatusUnidentified, StatusOpen, StatusWaiting, StatusDeferred, StatusPlanned,
		StatusResolved, StatusRejected, StatusClosed}
}

// TicketFilter selects tickets for the queue: `otvet tickets list`, the
// #queue and #search staff commands and the web console share it. The zero
// filter selects every ticket. Conditions combine with AND.
type TicketFilter struct {
	Desk string // "" every desk
	// Statuses are the states wanted (any of them); StatusActive stands for
	// the states still worked on. Empty: any state.
	Statuses   []string
	OrgID      int64  // 0 any organisation
	Assignee   string // the agent's address; "" any
	Unassigned bool   // only tickets nobody has taken
	Level      string // support level
	Priority   string
	System     string // information system (case-insensitive)
	// DueWithin selects tickets whose clock runs (open, planned) and whose
	// next due time is before Now+DueWithin (breached ones too).
	DueWithin time.Duration
	// Breached selects tickets whose clock runs and whose due time has passed.
	Breached bool
	// Waiting selects tickets waiting for the customer.
	Waiting bool
	// Search is full-text: every word, in any form, in the subject, a
	// message, an attachment's name, the requester or the organisation.
	Search string
	Now    time.Time // for DueWithin and Breached; zero: time.Now()
	Limit  int       // 0: 100
}

// QueueItem is one ticket of a queue with what a list shows about it.
type QueueItem struct {
	Ticket
	OrgName string `db:"org_name"`
}

// Due is the ticket's next due time: the first response's while none was
// given, then the resolution's; zero when it has none.
func (q *QueueItem) Due() time.Time { return TicketDue(&q.Ticket) }

// TicketDue is t's next due time (see QueueItem.Due).
func TicketDue(t *Ticket) time.Time {
	if !t.FirstResponseAt.Valid && t.FirstResponseDue.Valid {
		return t.FirstResponseDue.Time
	}
	if t.ResolutionDue.Valid {
		return t.ResolutionDue.Time
	}
	return time.Time{}
}

// dueSQL is TicketDue in SQL: the stored column tickets.due_at (migration
// 00018, generated from the due times, indexed).
const dueSQL = `due_at`

// activeSQL is the condition of the partial index tickets_active_due
// (migration 00022), word for word: the active states, sorted.
const activeSQL = `status IN ('deferred', 'open', 'planned', 'unidentified', 'waiting')`

// activeSorted are the active states in activeSQL's order.
func activeSorted() []string {
	a := ActiveStatuses()
	slices.Sort(a)
	return a
}

// runningSQL: the states whose SLA clocks count.
const runningSQL = `status IN ('open', 'planned')`

// Validate reports a filter that cannot be run.
func (f *TicketFilter) Validate() error {
	for _, s := range f.Statuses {
		if s != StatusActive && !slices.Contains(AllStatuses(), s) {
			return fmt.Errorf("unknown status %q (one of %s, %s)", s, StatusActive, strings.Join(AllStatuses(), ", "))
		}
	}
	if f.Unassigned && f.Assignee != "" {
		return fmt.Errorf("a filter cannot ask for both an assignee and unassigned tickets")
	}
	if f.DueWithin < 0 || f.Limit < 0 {
		return fmt.Errorf("negative due-within or limit")
	}
	return nil
}

// where builds the filter's conditions but the search's.
func (db *DB) where(f *TicketFilter) (conds []string, args []any) {
	add := func(c string, a ...any) {
		conds = append(conds, c)
		args = append(args, a...)
	}
	if f.Desk != "" {
		add(`desk = ?`, f.Desk)
	}
	var statuses []string
	for _, s := range f.Statuses {
		if s == StatusActive {
			statuses = append(statuses, ActiveStatuses()...)
		} else {
			statuses = append(statuses, s)
		}
	}
	if f.Waiting {
		statuses = []string{StatusWaiting}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, StatusWaiting) && !slices.Contains(f.Statuses, StatusActive) {
			statuses = []string{"-"} // contradicting: nothing
		}
	}
	if len(statuses) > 0 {
		slices.Sort(statuses)
		statuses = slices.Compact(statuses)
		if slices.Equal(statuses, activeSorted()) {
			// In the words of the partial index tickets_active_due (migration
			// 00022), so that both engines see that it holds every row wanted.
			add(activeSQL)
		} else {
			add(`status IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")+`)`, anys(statuses)...)
		}
	}
	if f.OrgID != 0 {
		add(`org_id = ?`, f.OrgID)
	}
	if f.Assignee != "" {
		add(`assignee = ?`, strings.ToLower(f.Assignee))
	}
	if f.Unassigned {
		add(`assignee = ''`)
	}
	if f.Level != "" {
		add(`support_level = ?`, f.Level)
	}
	if f.Priority != "" {
		add(`priority = ?`, f.Priority)
	}
	if f.System != "" {
		// SQLite's LOWER knows only ASCII: the usual spellings instead.
		vs := systemSpellings(f.System)
		add(`system IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(vs)), ", ")+`)`, anys(vs)...)
	}
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	if f.Breached {
		add(runningSQL+` AND `+dueSQL+` < ?`, now)
	}
	if f.DueWithin > 0 {
		add(runningSQL+` AND `+dueSQL+` < ?`, now.Add(f.DueWithin))
	}
	return conds, args
}

// systemSpellings are the ways a system's name is usually written: as
// given, in capitals, in lower case, and with a capital first letter.
func systemSpellings(name string) []string {
	name = strings.TrimSpace(name)
	r := []rune(strings.ToLower(name))
	title := strings.ToUpper(string(r[:1])) + string(r[1:])
	vs := []string{name, strings.ToUpper(name), strings.ToLower(name), title}
	slices.Sort(vs)
	return slices.Compact(vs)
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// FindTickets lists the tickets the filter selects: a search's newest
// first; otherwise the nearest due time first, tickets without one last
// (newest first among them).
func (db *DB) FindTickets(ctx context.Context, f TicketFilter) ([]QueueItem, error) {
	sel := func(dst any, q string, args []any) error { return db.sel(ctx, dst, q, args...) }
	return collectTickets(func(visit func(*QueueItem) error) error {
		return db.eachTicket(ctx, &f, sel, selectEach(sel), visit)
	})
}

// EachTicket is FindTickets row by row: each ticket the filter selects, in
// the same order, is read from a cursor and handed to fn before the next
// is read, so a long list (the command line's tickets list --limit 100000)
// is never held in memory. The item is fn's only while it runs. An error
// of fn stops the walk and is returned as it is.
func (db *DB) EachTicket(ctx context.Context, f TicketFilter, fn func(*QueueItem) error) error {
	sel := func(dst any, q string, args []any) error { return db.sel(ctx, dst, q, args...) }
	return db.eachTicket(ctx, &f, sel, func(q string, args []any, visit func(*QueueItem) error) (int, error) {
		rows, err := db.x.QueryxContext(ctx, db.x.Rebind(q), bind(args)...)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		n := 0
		var it QueueItem
		for rows.Next() {
			it = QueueItem{}
			if err := rows.StructScan(&it); err != nil {
				return n, err
			}
			n++
			if err := visit(&it); err != nil {
				return n, errStop{err}
			}
		}
		return n, rows.Err()
	}, fn)
}

// FindTickets is DB.FindTickets inside a transaction (for the #queue and #search
// commands, answered in intake's transaction).
func (t *Tx) FindTickets(ctx context.Context, f TicketFilter) ([]QueueItem, error) {
	sel := func(dst any, q string, args []any) error {
		// Not through the statement cache: the query's shape varies with the filter.
		if err := t.flushSearch(ctx); err != nil {
			return err
		}
		if err := t.flush(ctx); err != nil {
			return err
		}
		return t.x.SelectContext(ctx, dst, t.x.Rebind(q), bind(args)...)
	}
	return collectTickets(func(visit func(*QueueItem) error) error {
		return t.db.eachTicket(ctx, &f, sel, selectEach(sel), visit)
	})
}

// selectFunc reads all rows of a query into dst (a pointer to a slice).
type selectFunc func(dst any, q string, args []any) error

// eachFunc runs a query of the queue and hands its rows to visit in order,
// returning how many it read. An error of visit comes back as errStop.
type eachFunc func(q string, args []any, visit func(*QueueItem) error) (int, error)

// errStop carries the error of a visitor through eachTicket unwrapped.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

// selectEach is an eachFunc reading each query's rows at once with sel.
func selectEach(sel selectFunc) eachFunc {
	return func(q string, args []any, visit func(*QueueItem) error) (int, error) {
		var part []QueueItem
		if err := sel(&part, q, args); err != nil {
			return 0, err
		}
		for i := range part {
			if err := visit(&part[i]); err != nil {
				return i, errStop{err}
			}
		}
		return len(part), nil
	}
}

// collectTickets gathers the items a walk visits.
func collectTickets(walk func(visit func(*QueueItem) error) error) ([]QueueItem, error) {
	var items []QueueItem
	err := walk(func(it *QueueItem) error {
		items = append(items, *it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// eachTicket runs the queries of a filter in turn until the limit is
// reached (the last argument of each is the number of rows still wanted).
// A SQLite search first collects its matches in the index's order, and
// when there are few (searchFew), reads those tickets by id instead of
// walking the index newest first (see searchPlan).
func (db *DB) eachTicket(ctx context.Context, f *TicketFilter, sel selectFunc, each eachFunc, visit func(*QueueItem) error) error {
	qs, limit, err := db.queueQueries(f)
	if err != nil {
		return err
	}
	if len(qs) == 1 && qs[0].few != nil {
		var ids []int64
		if err := sel(&ids, qs[0].few.sql, qs[0].few.args); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if len(ids) <= searchFew {
			qs = []queueQuery{qs[0].among(ids)}
		}
	}
	seen := 0
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := each(q.sql, append(q.args[:len(q.args):len(q.args)], limit-seen), visit)
		if stop, ok := err.(errStop); ok {
			return stop.err
		}
		if err != nil {
			return fmt.Errorf("queue: %w", err)
		}
		seen += n
		if seen >= limit {
			break
		}
	}
	return nil
}

// queueQuery is one query of a filter, without its final LIMIT argument.
type queueQuery struct {
	sql  string
	args []any
	// few, for a SQLite search, collects up to searchFew+1 matches in the
	// index's own order (complete); among is then the query of the
	// filter's tickets among ids, used instead when they are no more than
	// searchFew.
	few   *queueQuery
	among func(ids []int64) queueQuery
}

// searchFew: a SQLite search with other conditions and at most this many
// matches reads them by id rather than walking the index newest first.
// FTS5 walks a conjunction of common words (say «школа», in every
// organisation's name, and «принтер») backwards at twice the cost of
// forwards, and a condition that keeps few of the matches (the active
// ones) makes the walk visit them all. The forward pass that counts the
// matches stops after searchFew+1, a millisecond or two when the words are
// common; a search without other conditions walks, as the walk stops at
// the limit.
const searchFew = 2000

// idsJSON is ids as a JSON array (for json_each).
func idsJSON(ids []int64) string {
	b := make([]byte, 0, len(ids)*7+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

const queueCols = `SELECT ` + ticketCols + `, COALESCE((SELECT name FROM organisations o WHERE o.id = tickets.org_id), '') AS org_name`

// queueQueries are the queries of a filter, to run in turn; none when
// nothing can match. Each orders by what an index gives, so the engine
// stops at the limit: a search walks the full-text matches newest first
// (SQLite's FTS5 yields them in rowid order), the queue walks tickets_due
// (due_at, id DESC), then the tickets without a due time newest first.
func (db *DB) queueQueries(f *TicketFilter) ([]queueQuery, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	conds, args := db.where(f)
	and := func(extra ...string) string {
		all := append(slices.Clone(extra), conds...)
		if len(all) == 0 {
			return ""
		}
		return " WHERE " + strings.Join(all, " AND ")
	}
	if strings.TrimSpace(f.Search) != "" {
		terms := db.searchTerms(f.Search)
		if len(terms) == 0 {
			return nil, limit, nil
		}
		match, marg := db.searchMatch(terms)
		from := ` FROM tickets JOIN ticket_search s ON s.ticket_id = tickets.id`
		order := ` ORDER BY tickets.id DESC LIMIT ?`
		if db.dialect != Postgres {
			// CROSS JOIN: walk the matches (newest first), look each ticket
			// up; unless there are few matches (findTickets, searchFew).
			q := queueQuery{
				sql: queueCols + ` FROM ticket_search s CROSS JOIN tickets ON tickets.id = s.rowid` +
					and(`s.ticket_search MATCH ?`) + ` ORDER BY s.rowid DESC LIMIT ?`,
				args: append([]any{marg}, args...),
			}
			if len(conds) == 0 {
				// Every match is wanted: the walk stops at the limit.
				return []queueQuery{q}, limit, nil
			}
			q.few = &queueQuery{sql: `SELECT rowid FROM ticket_search WHERE ticket_search MATCH ? LIMIT ?`, args: []any{marg, searchFew + 1}}
			among := queueCols + ` FROM tickets` + and(`tickets.id IN (SELECT value FROM json_each(?))`) + ` ORDER BY tickets.id DESC LIMIT ?`
			q.among = func(ids []int64) queueQuery {
				return queueQuery{sql: among, args: append([]any{idsJSON(ids)}, args...)}
			}
			return []queueQuery{q}, limit, nil
		}
		return []queueQuery{{sql: queueCols + from + and(match) + order, args: append([]any{marg}, args...)}}, limit, nil
	}
	from := ` FROM tickets`
	if db.dialect != Postgres && slices.Contains(conds, activeSQL) && f.Assignee == "" {
		// SQLite, without statistics, prefers an index with an equality
		// (tickets_assignee_due for "unassigned") and walks the closed
		// tickets too; the active ones in due order, filtered in the index,
		// are a tenth of them. An agent's own queue keeps (assignee, due_at).
		from = ` FROM tickets INDEXED BY tickets_active_due`
	}
	qs := []queueQuery{{sql: queueCols + from + and(dueSQL+` IS NOT NULL`) + ` ORDER BY ` + dueSQL + `, id DESC LIMIT ?`, args: args}}
	if !f.Breached && f.DueWithin == 0 {
		qs = append(qs, queueQuery{sql: queueCols + from + and(dueSQL+` IS NULL`) + ` ORDER BY id DESC LIMIT ?`, args: slices.Clone(args)})
	}
	return qs, limit, nil
}

// SystemName is an information system named by a maintenance window, with
// the words that name it too (comma-separated).
type SystemName struct {
	System   string `db:"system"`
	Keywords string `db:"keywords"`
}

// MaintenanceSystems lists the systems maintenance windows were announced
// for, the latest window's keywords for each (for detecting a request's
// system at intake).
func (t *Tx) MaintenanceSystems(ctx context.Context) ([]SystemName, error) {
	var ws []SystemName
	err := t.sel(ctx, &ws, `SELECT system, keywords FROM maintenance_windows w WHERE system <> ''
		AND id = (SELECT MAX(id) FROM maintenance_windows v WHERE v.system = w.system) ORDER BY system LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("maintenance systems: %w", err)
	}
	return ws, nil
}
