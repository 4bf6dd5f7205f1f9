package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ReportAnnouncement is an announcement (the audit event "announcement" of
// internal/announce: a notice or a maintenance mailing) as reports read it.
type ReportAnnouncement struct {
	ID     int64     `db:"id"`
	At     time.Time `db:"at"`
	Actor  string    `db:"actor"`
	Detail string    `db:"detail"` // as internal/announce writes it: audience, subject, how many people
	// OrgPeople is, in an organisation's report, how many of that
	// organisation's people the announcement was queued to (0 otherwise).
	OrgPeople int `db:"org_people"`
}

// ReportAnnouncements lists the announcements made in [from, to), oldest
// first. With orgID > 0 only those that reached that organisation: mail
// queued with them (announcement or maintenance_notice outbox rows of the
// same instant) to one of its users, with OrgPeople counting them.
func (db *DB) ReportAnnouncements(ctx context.Context, from, to time.Time, orgID int64) ([]ReportAnnouncement, error) {
	q := `SELECT e.id, e.at, e.actor, e.detail, 0 AS org_people FROM events e
		WHERE e.kind = 'announcement' AND e.at >= ? AND e.at < ? ORDER BY e.at, e.id`
	args := []any{from, to}
	if orgID > 0 {
		// announce queues every message and records the event in one
		// transaction with the same instant: the outbox rows of that instant
		// (found through outbox(rcpt_key, created_at)) are its mail.
		q = `SELECT e.id, e.at, e.actor, e.detail,
			(SELECT COUNT(*) FROM users u JOIN outbox o ON o.rcpt_key = u.email AND o.created_at = e.at
			  WHERE u.org_id = ? AND o.kind IN ('announcement', 'maintenance_notice')) AS org_people
			FROM events e WHERE e.kind = 'announcement' AND e.at >= ? AND e.at < ? ORDER BY e.at, e.id`
		args = []any{orgID, from, to}
	}
	var as []ReportAnnouncement
	if err := db.sel(ctx, &as, q, args...); err != nil {
		return nil, fmt.Errorf("report announcements: %w", err)
	}
	if orgID <= 0 {
		return as, nil
	}
	out := as[:0]
	for _, a := range as {
		if a.OrgPeople > 0 {
			out = append(out, a)
		}
	}
	return out, nil
}

// ReportSuggestion is a request the knowledge base made a suggestion to (a
// kb_suggested event), with what became of it.
type ReportSuggestion struct {
	TicketID   int64         `db:"ticket_id"`
	OrgID      int64         `db:"org_id"` // 0: no organisation
	At         time.Time     `db:"at"`
	Detail     string        `db:"detail"` // "#3 printer (12.4); #7 vpn (10.9)"
	Status     string        `db:"status"` // the ticket's current status
	ResolvedAt sql.NullTime  `db:"resolved_at"`
	ClosedAt   sql.NullTime  `db:"closed_at"`
	MergedInto sql.NullInt64 `db:"merged_into"`
	// StaffAnswered: before the report's instant a person of the staff
	// answered the requester — a message out not written by Otvet itself
	// (messages.auto false), or an agent_reply mail of the ticket.
	StaffAnswered bool `db:"staff_answered"`
}

// SelfServed reports whether the suggestion answered the request by the
// instant at: it is resolved or closed (not merged into another ticket, not
// rejected), the first of those by at, and no one of the staff answered it.
func (s ReportSuggestion) SelfServed(at time.Time) bool {
	if s.StaffAnswered || s.MergedInto.Valid {
		return false
	}
	if s.Status != StatusResolved && s.Status != StatusClosed {
		return false
	}
	before := func(t sql.NullTime) bool { return t.Valid && t.Time.Before(at) }
	return before(s.ResolvedAt) || before(s.ClosedAt)
}

// ReportSuggestions lists the suggestions made in [from, to), oldest first,
// one per ticket (its first), with whether staff answered before to. With orgID > 0 only those of that
// organisation's tickets.
func (db *DB) ReportSuggestions(ctx context.Context, from, to time.Time, orgID int64) ([]ReportSuggestion, error) {
	q := `SELECT e.ticket_id, COALESCE(t.org_id, 0) AS org_id, e.at, e.detail, t.status, t.resolved_at, t.closed_at, t.merged_into,
		CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.direction = ? AND m.auto = ? AND m.created_at < ?)
		       OR EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = t.id AND o.kind = 'agent_reply' AND o.created_at < ?)
		     THEN 1 ELSE 0 END AS staff_answered
		FROM events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.kind = 'kb_suggested' AND e.at >= ? AND e.at < ?`
	args := []any{DirOut, false, to, to, from, to}
	if orgID > 0 {
		q += ` AND t.org_id = ?`
		args = append(args, orgID)
	}
	var rows []ReportSuggestion
	if err := db.sel(ctx, &rows, q+` ORDER BY e.at, e.id`, args...); err != nil {
		return nil, fmt.Errorf("report suggestions: %w", err)
	}
	seen := map[int64]bool{}
	out := rows[:0]
	for _, s := range rows {
		if !seen[s.TicketID] {
			seen[s.TicketID] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// KBTitles maps the ids of the articles to their titles (an article since
// removed is absent).
func (db *DB) KBTitles(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := inQuery(`SELECT id, title FROM kb_articles WHERE id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
	}
	if err := db.sel(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("article titles: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Title
	}
	return out, nil
}
