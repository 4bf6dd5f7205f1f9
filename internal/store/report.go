package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ReportTicket is the part of a ticket that SLA reports read.
type ReportTicket struct {
	ID               int64
	Desk             string
	Status           string
	Channel          string
	Subject          string
	SupportLevel     string
	Priority         string
	Reason           string
	OrgID            int64 // 0: no organisation
	OrgName          string
	Assignee         string
	PlannedFor       string
	CreatedAt        time.Time
	ClosedAt         sql.NullTime
	FirstResponseAt  sql.NullTime
	ResolvedAt       sql.NullTime
	SLAFirstResponse string
	SLAResolution    string
	System           string // the information system ('' = unknown)
}

// ReportFilter selects the tickets a report over [From, To) needs: every
// ticket created before To that was still open at From or closed or resolved
// since, plus those created since Since (Since <= From, for charts that
// look further back than the period).
type ReportFilter struct {
	From, To, Since time.Time
	OrgID           int64 // > 0: only this organisation's tickets
}

// StreamReportTickets calls fn for every ticket the filter selects, in id
// order, reading rows one at a time (fn must not keep the pointer).
func (db *DB) StreamReportTickets(ctx context.Context, f ReportFilter, fn func(*ReportTicket) error) error {
	if f.Since.IsZero() || f.Since.After(f.From) {
		f.Since = f.From
	}
	// SQLite keeps instants as text; the driver's generic time parsing costs
	// more than the rest of the row, so they are read as text and parsed here.
	ts := func(col string) string { return col }
	if db.dialect == SQLite {
		ts = func(col string) string { return "CAST(" + col + " AS TEXT)" }
	}
	cols := `SELECT t.id, t.desk, t.status, t.channel, t.subject, t.support_level, t.priority, t.reason,
		COALESCE(t.org_id, 0), COALESCE(o.name, ''), t.assignee, t.planned_for, ` + ts("t.created_at") + `, ` + ts("t.closed_at") + `,
		` + ts("t.first_response_at") + `, ` + ts("t.resolved_at") + `, t.sla_first_response, t.sla_resolution, t.system
		FROM tickets t`
	before := f.Since
	if f.To.Before(before) {
		before = f.To
	}
	old, err := db.ticketsCreatedBefore(ctx, before)
	if err != nil {
		return fmt.Errorf("report tickets: %w", err)
	}
	q, args := reportQuery(db.dialect, cols, reportParts(f, old), f.OrgID)
	rows, err := db.x.QueryContext(ctx, db.x.Rebind(q), bind(args)...)
	if err != nil {
		return fmt.Errorf("report tickets: %w", err)
	}
	defer rows.Close()
	var (
		t     ReportTicket
		times [4]textTime
	)
	dst := []any{&t.ID, &t.Desk, &t.Status, &t.Channel, &t.Subject, &t.SupportLevel, &t.Priority,
		&t.Reason, &t.OrgID, &t.OrgName, &t.Assignee, &t.PlannedFor, &t.CreatedAt, &t.ClosedAt, &t.FirstResponseAt,
		&t.ResolvedAt, &t.SLAFirstResponse, &t.SLAResolution, &t.System}
	if db.dialect == SQLite {
		for i := range times {
			dst[12+i] = &times[i]
		}
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("report tickets: %w", err)
		}
		if db.dialect == SQLite {
			if !times[0].Valid {
				return fmt.Errorf("report tickets: ticket %d has no creation time", t.ID)
			}
			t.CreatedAt = times[0].Time
			t.ClosedAt, t.FirstResponseAt, t.ResolvedAt = times[1].NullTime, times[2].NullTime, times[3].NullTime
		}
		if err := fn(&t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report tickets: %w", err)
	}
	return nil
}

// reportPart is one branch of the report's ticket selection.
type reportPart struct {
	sqliteIndex string // the index the branch walks on SQLite: INDEXED BY or NOT INDEXED
	where       string
	args        []any
}

// reportParts splits the selection "created before To, and created since
// Since, or not closed, or closed or resolved since From" into disjoint
// branches that each walk one index, so that a report over a recent period
// reads the tickets it needs instead of the whole table:
//
//  1. created in [Since, To): tickets_created;
//  2. created before Since and not closed: tickets_closed_created (NULL);
//  3. created before Since and closed since From: tickets_closed_created;
//  4. created before Since, closed before From, resolved since From:
//     tickets_resolved.
//
// (tickets_closed_created and tickets_resolved: migration 00023.)
//
// Branches 2–4 take created_at < min(Since, To). The branches are disjoint
// (by created_at, then closed_at), so UNION ALL adds no duplicates. When no
// ticket was created before Since (old is false: a report over the whole
// history, such as a year's on a young desk), branch 1 is the selection and
// reads the table in id order instead. SQLite, which keeps no statistics,
// would rather scan the table in id order than sort a branch's rows, so it
// is told each branch's index (INDEXED BY); PostgreSQL's planner chooses
// from its statistics.
func reportParts(f ReportFilter, old bool) []reportPart {
	before := f.Since
	if f.To.Before(before) {
		before = f.To
	}
	if !old {
		return []reportPart{{`NOT INDEXED`, `t.created_at >= ? AND t.created_at < ?`, []any{f.Since, f.To}}}
	}
	return []reportPart{
		{`INDEXED BY tickets_created`, `t.created_at >= ? AND t.created_at < ?`, []any{f.Since, f.To}},
		{`INDEXED BY tickets_closed_created`, `t.closed_at IS NULL AND t.created_at < ?`, []any{before}},
		{`INDEXED BY tickets_closed_created`, `t.closed_at >= ? AND t.created_at < ?`, []any{f.From, before}},
		{`INDEXED BY tickets_resolved`, `t.resolved_at >= ? AND t.closed_at < ? AND t.created_at < ?`, []any{f.From, f.From, before}},
	}
}

// reportQuery joins the branches into one query in id order. PostgreSQL
// reads each branch's rows and sorts them (its planner walks the indexes by
// itself). SQLite gathers the ids from the branches' covering indexes
// (created_at is in every one) and then reads the rows once, in id order:
// the rows are neither read twice, nor sorted.
func reportQuery(d Dialect, cols string, parts []reportPart, orgID int64) (string, []any) {
	var (
		q    string
		args []any
	)
	if d == SQLite && len(parts) > 1 {
		q = cols + ` LEFT JOIN organisations o ON o.id = t.org_id WHERE t.id IN (`
		for i, p := range parts {
			if i > 0 {
				q += "\n\t\tUNION ALL "
			}
			q += `SELECT t.id FROM tickets t ` + p.sqliteIndex + ` WHERE ` + p.where
			args = append(args, p.args...)
		}
		q += `)`
		if orgID > 0 {
			q += ` AND t.org_id = ?`
			args = append(args, orgID)
		}
		return q + ` ORDER BY t.id`, args
	}
	for i, p := range parts {
		if i > 0 {
			q += "\n\t\tUNION ALL "
		}
		q += cols
		if d == SQLite {
			q += ` ` + p.sqliteIndex
		}
		q += ` LEFT JOIN organisations o ON o.id = t.org_id WHERE ` + p.where
		args = append(args, p.args...)
		if orgID > 0 {
			q += ` AND t.org_id = ?`
			args = append(args, orgID)
		}
	}
	return q + ` ORDER BY 1`, args
}

// ticketsCreatedBefore reports whether any ticket was created before at
// (one step of the index tickets_created).
func (db *DB) ticketsCreatedBefore(ctx context.Context, at time.Time) (bool, error) {
	var n int
	if err := db.get(ctx, &n, `SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE created_at < ? LIMIT 1) x`, at); err != nil {
		return false, fmt.Errorf("tickets created before: %w", err)
	}
	return n > 0, nil
}

// ReportEvent is an audit event shown in a report, with its ticket's organisation.
type ReportEvent struct {
	Event
	OrgID int64 `db:"org_id"`
}

// StaffSecurityEvents lists refused staff commands and security events
// (kinds command_refused and security_*) in [from, to), oldest first, at most
// limit, and how many there are in all. With orgID > 0 only events about
// that organisation's tickets.
func (db *DB) StaffSecurityEvents(ctx context.Context, from, to time.Time, orgID int64, limit int) ([]ReportEvent, int, error) {
	where := `FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id
		WHERE (e.kind = 'command_refused' OR e.kind LIKE 'security\_%' ESCAPE '\') AND e.at >= ? AND e.at < ?`
	args := []any{from, to}
	if orgID > 0 {
		where += ` AND t.org_id = ?`
		args = append(args, orgID)
	}
	var n int
	if err := db.get(ctx, &n, `SELECT COUNT(*) `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("security events: %w", err)
	}
	var es []ReportEvent
	err := db.sel(ctx, &es, `SELECT e.id, e.ticket_id, e.at, e.kind, e.actor, e.detail, COALESCE(t.org_id, 0) AS org_id `+
		where+` ORDER BY e.at, e.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("security events: %w", err)
	}
	return es, n, nil
}

// BouncedAddress is one address our mail bounced from in a period.
type BouncedAddress struct {
	Recipient  string    `db:"recipient"`
	Count      int       `db:"n"`
	Permanent  bool      `db:"permanent"`
	Status     string    `db:"status"`
	Diagnostic string    `db:"diagnostic"`
	Last       time.Time `db:"last"`
}

// BouncedAddresses summarises bounces in [from, to) by recipient, the latest
// bounce's status and diagnostic kept; with orgID > 0 only bounces of that
// organisation's tickets.
func (db *DB) BouncedAddresses(ctx context.Context, from, to time.Time, orgID int64) ([]BouncedAddress, error) {
	q := `SELECT b.recipient, b.status, b.diagnostic, b.permanent, b.at FROM bounces b LEFT JOIN tickets t ON t.id = b.ticket_id
		WHERE b.at >= ? AND b.at < ?`
	args := []any{from, to}
	if orgID > 0 {
		q += ` AND t.org_id = ?`
		args = append(args, orgID)
	}
	var rows []struct {
		Recipient  string    `db:"recipient"`
		Status     string    `db:"status"`
		Diagnostic string    `db:"diagnostic"`
		Permanent  bool      `db:"permanent"`
		At         time.Time `db:"at"`
	}
	if err := db.sel(ctx, &rows, q+` ORDER BY b.at, b.id`, args...); err != nil {
		return nil, fmt.Errorf("bounces: %w", err)
	}
	var out []BouncedAddress
	idx := map[string]int{}
	for _, r := range rows {
		key := strings.ToLower(r.Recipient)
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, BouncedAddress{Recipient: key})
		}
		b := &out[i]
		b.Count++
		b.Permanent = b.Permanent || r.Permanent
		b.Status, b.Diagnostic, b.Last = r.Status, r.Diagnostic, r.At
	}
	return out, nil
}

// ErrDigestSent is returned by RecordDigest when the digest was already sent.
var ErrDigestSent = errors.New("digest already sent")

// RecordDigest records that a digest (kind, period start, recipient) was
// queued as outbox row outboxID. It returns ErrDigestSent, and the caller
// rolls the transaction back, when another run recorded it first.
func (t *Tx) RecordDigest(ctx context.Context, kind, periodStart, recipient string, outboxID int64, now time.Time) error {
	res, err := t.exec(ctx, `INSERT INTO digests_sent (kind, period_start, recipient, sent_at, outbox_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, kind, periodStart, strings.ToLower(recipient), now, nullID(outboxID))
	if err != nil {
		return fmt.Errorf("record digest: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("record digest: %w", err)
	} else if n == 0 {
		return ErrDigestSent
	}
	return nil
}

// DigestSent reports whether the digest (kind, period start, recipient) was sent.
func (db *DB) DigestSent(ctx context.Context, kind, periodStart, recipient string) (bool, error) {
	var n int
	err := db.get(ctx, &n, `SELECT COUNT(*) FROM digests_sent WHERE kind = ? AND period_start = ? AND recipient = ?`,
		kind, periodStart, strings.ToLower(recipient))
	if err != nil {
		return false, fmt.Errorf("digest sent: %w", err)
	}
	return n > 0, nil
}

// LastDigestSent returns the period key (an ISO date) of the latest digest
// of kind recorded for recipient; ok is false when none was.
func (db *DB) LastDigestSent(ctx context.Context, kind, recipient string) (key string, ok bool, err error) {
	var k sql.NullString
	err = db.get(ctx, &k, `SELECT MAX(period_start) FROM digests_sent WHERE kind = ? AND recipient = ?`,
		kind, strings.ToLower(recipient))
	if err != nil {
		return "", false, fmt.Errorf("last digest: %w", err)
	}
	return k.String, k.Valid, nil
}

// InsertTickets bulk-loads tickets with multi-row INSERTs (imports,
// benchmarks); IDs are not set. Intake uses CreateTicket.
func (t *Tx) InsertTickets(ctx context.Context, ts []Ticket) error {
	const cols = `desk, status, channel, subject, requester_email, requester_name, support_level, created_at, updated_at,
		closed_at, first_response_due, resolution_due, first_response_at, sla_first_response, sla_resolution, reason,
		priority, org_id, assignee, resolved_at, planned_for, system`
	const ncol = 22
	const batch = 1000 // 22,000 parameters: under both engines' limits
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncol), ", ") + ")"
	for len(ts) > 0 {
		n := min(batch, len(ts))
		args := make([]any, 0, n*ncol)
		for _, k := range ts[:n] {
			updated := k.UpdatedAt
			if updated.IsZero() {
				updated = k.CreatedAt
			}
			args = append(args, k.Desk, k.Status, cmpOr(k.Channel, "email"), k.Subject, k.RequesterEmail, k.RequesterName,
				k.SupportLevel, k.CreatedAt, updated, k.ClosedAt, k.FirstResponseDue, k.ResolutionDue,
				k.FirstResponseAt, k.SLAFirstResponse, k.SLAResolution, k.Reason, cmpOr(k.Priority, PriorityNormal), k.OrgID,
				k.Assignee, k.ResolvedAt, k.PlannedFor, k.System)
		}
		q := `INSERT INTO tickets (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("insert tickets: %w", err)
		}
		ts = ts[n:]
	}
	return nil
}

// textTime scans an instant SQLite returns as text.
type textTime struct{ sql.NullTime }

// Scan implements sql.Scanner.
func (tt *textTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		tt.NullTime = sql.NullTime{}
		return nil
	case time.Time:
		tt.NullTime = sql.NullTime{Time: x, Valid: true}
		return nil
	case []byte:
		return tt.parse(string(x))
	case string:
		return tt.parse(x)
	}
	return fmt.Errorf("scan time: unexpected %T", v)
}

func (tt *textTime) parse(s string) error {
	t, err := parseStoredTime(s)
	if err != nil {
		return err
	}
	tt.NullTime = sql.NullTime{Time: t, Valid: true}
	return nil
}

// parseStoredTime reads the text form of an instant in SQLite:
// "2006-01-02 15:04:05[.999999999](-07:00|Z)", also with a "T". The common
// UTC form is read by hand; anything else goes through time.Parse.
func parseStoredTime(s string) (time.Time, error) {
	if t, ok := fastUTC(s); ok {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("scan time: cannot parse %q", s)
}

// fastUTC parses "YYYY-MM-DD HH:MM:SS[.fraction](+00:00|Z)".
func fastUTC(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	rest := s[19:]
	nsec := 0
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 || i > 10 {
			return time.Time{}, false
		}
		f, _ := num(20, 19+i)
		for k := i - 1; k < 9; k++ {
			f *= 10
		}
		nsec, rest = f, rest[i:]
	}
	if rest != "Z" && rest != "+00:00" {
		return time.Time{}, false
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	se, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, nsec, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 31 February
	}
	return t, true
}
