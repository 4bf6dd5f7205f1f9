package store

import (
	"context"
	"fmt"
	"slices"
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

// dueSQL is TicketDue in SQL.
const dueSQL = `(CASE WHEN first_response_at IS NULL AND first_response_due IS NOT NULL THEN first_response_due ELSE resolution_due END)`

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

// where builds the filter's conditions; ok is false when a search has no
// word to look for (nothing can match).
func (db *DB) where(f *TicketFilter) (cond string, args []any, ok bool) {
	var conds []string
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
		add(`status IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")+`)`, anys(statuses)...)
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
	if strings.TrimSpace(f.Search) != "" {
		terms := db.searchTerms(f.Search)
		if len(terms) == 0 {
			return "", nil, false
		}
		sub, sargs := db.searchSQL(terms)
		add(`id IN (`+sub+`)`, sargs...)
	}
	if len(conds) == 0 {
		return "", args, true
	}
	return " WHERE " + strings.Join(conds, " AND "), args, true
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

// FindTickets lists the tickets the filter selects, the nearest due time first
// (tickets without one last, newest first among them).
func (db *DB) FindTickets(ctx context.Context, f TicketFilter) ([]QueueItem, error) {
	q, args, err := db.queueQuery(&f)
	if err != nil || q == "" {
		return nil, err
	}
	var items []QueueItem
	if err := db.sel(ctx, &items, q, args...); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return items, nil
}

// FindTickets is DB.FindTickets inside a transaction (for the #queue and #search
// commands, answered in intake's transaction).
func (t *Tx) FindTickets(ctx context.Context, f TicketFilter) ([]QueueItem, error) {
	q, args, err := t.db.queueQuery(&f)
	if err != nil || q == "" {
		return nil, err
	}
	var items []QueueItem
	// Not through the statement cache: the query's shape varies with the filter.
	if err := t.x.SelectContext(ctx, &items, t.x.Rebind(q), bind(args)...); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return items, nil
}

// queueQuery is the query of a filter; "" when nothing can match.
func (db *DB) queueQuery(f *TicketFilter) (string, []any, error) {
	if err := f.Validate(); err != nil {
		return "", nil, err
	}
	cond, args, ok := db.where(f)
	if !ok {
		return "", nil, nil
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	q := `SELECT ` + ticketCols + `, COALESCE((SELECT name FROM organisations o WHERE o.id = tickets.org_id), '') AS org_name
		FROM tickets` + cond + ` ORDER BY CASE WHEN ` + dueSQL + ` IS NULL THEN 1 ELSE 0 END, ` + dueSQL + `, id DESC LIMIT ?`
	return q, append(args, limit), nil
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
