package digest

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// ContractorGroup is one contractor's work in a period (docs/contractors.md,
// docs/digest.md), from its involvements' own clocks (business time on the
// contractor's hours, stored when it answered).
type ContractorGroup struct {
	ID          int64  // 0 in an organisation's report: the contractors whose name is hidden, together
	Name        string // the handle agents write ("" when hidden)
	DisplayName string // what the requester is told ("" = Name)
	HideName    bool
	// Passed is how many requests went to the contractor in the period.
	Passed int
	// Response is the contractor's first answer to those requests as of the
	// report's instant: met (answered within its target), breached
	// (answered late, or unanswered past its due time), pending (neither
	// yet); a request recalled or closed before its due time unanswered
	// counts in none. Median and P90 are over the answered ones.
	Response Metric
	// Open is how many requests (of any period) await the contractor's
	// answer at the report's instant: not answered, not recalled, the
	// ticket not closed.
	Open int
	// Breaches is how many due times passed unanswered during the period
	// (requests of any period).
	Breaches int
}

// Label is the name a report shows: the display name, else the handle.
func (g ContractorGroup) Label() string { return cmp.Or(g.DisplayName, g.Name) }

// contractors computes each contractor's figures of the period [p.From,
// p.To) as of at. An organisation's report (p.OrgID > 0) reads its own
// tickets' involvements only and puts the contractors whose name the
// requesters are not told together, without a name.
func (r *Reporter) contractors(ctx context.Context, p Params, at time.Time) ([]ContractorGroup, error) {
	vs, err := r.src.ReportInvolvements(ctx, p.From, at, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("digest: contractors: %w", err)
	}
	by := map[int64]*ContractorGroup{}
	// by is whether an instant had come by the report's instant.
	byAt := func(v sql.NullTime) bool { return v.Valid && !v.Time.After(at) }
	before := func(v sql.NullTime, t time.Time) bool { return v.Valid && !v.Time.After(t) }
	for _, v := range vs {
		if v.StartedAt.After(at) {
			continue
		}
		key := v.ContractorID
		if p.OrgID > 0 && v.HideName {
			key = 0
		}
		g := by[key]
		if g == nil {
			g = &ContractorGroup{ID: key, Name: v.Contractor, DisplayName: v.DisplayName, HideName: v.HideName}
			if key == 0 {
				g.Name, g.DisplayName = "", ""
			}
			by[key] = g
		}
		answered, ended, closed := byAt(v.AnsweredAt), byAt(v.EndedAt), byAt(v.TicketClosedAt)
		target := time.Duration(v.TargetSeconds) * time.Second
		due, hasDue := v.DueAt.Time, v.DueAt.Valid
		// A due time passed unanswered: the request was neither answered,
		// recalled, nor its ticket closed by then.
		missed := hasDue && !due.After(at) && !before(v.AnsweredAt, due) && !before(v.EndedAt, due) && !before(v.TicketClosedAt, due)
		if in(v.StartedAt, p.From, p.To) {
			g.Passed++
			switch {
			case answered:
				took := time.Duration(v.ResponseSeconds.Int64) * time.Second
				g.Response.times = append(g.Response.times, took)
				if target > 0 && took > target {
					g.Response.Breached++
				} else {
					g.Response.Met++
				}
			case missed:
				g.Response.Breached++
			case !ended && !closed:
				g.Response.Pending++
			}
		}
		if !answered && !ended && !closed {
			g.Open++
		}
		if missed && in(due, p.From, p.To) {
			g.Breaches++
		}
	}
	var out []ContractorGroup
	for _, g := range by {
		if g.Passed+g.Open+g.Breaches == 0 {
			continue
		}
		g.Response.finish()
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b ContractorGroup) int {
		return cmp.Or(cmp.Compare(b2i(a.ID == 0), b2i(b.ID == 0)), cmp.Compare(a.Label(), b.Label()), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
