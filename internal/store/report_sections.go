package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ReportInvolvement is one passing of a ticket to a contractor as reports
// read it: the involvement's clock, its contractor and its ticket's
// organisation and closing time.
type ReportInvolvement struct {
	ID              int64         `db:"id"`
	TicketID        int64         `db:"ticket_id"`
	OrgID           int64         `db:"org_id"` // 0: no organisation
	ContractorID    int64         `db:"contractor_id"`
	Contractor      string        `db:"contractor"`   // the handle
	DisplayName     string        `db:"display_name"` // '' = the handle
	HideName        bool          `db:"hide_name"`
	StartedAt       time.Time     `db:"started_at"`
	TargetSeconds   int64         `db:"target_seconds"`
	DueAt           sql.NullTime  `db:"due_at"`
	AnsweredAt      sql.NullTime  `db:"answered_at"`
	ResponseSeconds sql.NullInt64 `db:"response_seconds"`
	EndedAt         sql.NullTime  `db:"ended_at"`
	TicketClosedAt  sql.NullTime  `db:"ticket_closed_at"`
}

// ReportInvolvements lists the involvements a report over [from, to) needs:
// those started before to that were started in the period, had not ended
// by its start, or were due in it; oldest first. With orgID > 0 only the
// involvements of that organisation's tickets.
func (db *DB) ReportInvolvements(ctx context.Context, from, to time.Time, orgID int64) ([]ReportInvolvement, error) {
	q := `SELECT v.id, v.ticket_id, COALESCE(t.org_id, 0) AS org_id, v.contractor_id, c.name AS contractor, c.display_name,
		c.hide_name, v.started_at, v.target_seconds, v.due_at, v.answered_at, v.response_seconds, v.ended_at,
		t.closed_at AS ticket_closed_at
		FROM contractor_involvements v JOIN tickets t ON t.id = v.ticket_id JOIN contractors c ON c.id = v.contractor_id
		WHERE v.started_at < ? AND (v.started_at >= ? OR v.ended_at IS NULL OR v.ended_at >= ? OR v.due_at >= ?)`
	args := []any{to, from, from, from}
	if orgID > 0 {
		q += ` AND t.org_id = ?`
		args = append(args, orgID)
	}
	var vs []ReportInvolvement
	if err := db.sel(ctx, &vs, q+` ORDER BY v.started_at, v.id`, args...); err != nil {
		return nil, fmt.Errorf("report involvements: %w", err)
	}
	return vs, nil
}
