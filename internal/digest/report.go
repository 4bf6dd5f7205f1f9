package digest

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// Source is what reports read from the store.
type Source interface {
	StreamReportTickets(ctx context.Context, f store.ReportFilter, fn func(*store.ReportTicket) error) error
	StaffSecurityEvents(ctx context.Context, from, to time.Time, orgID int64, limit int) ([]store.ReportEvent, int, error)
	BouncedAddresses(ctx context.Context, from, to time.Time, orgID int64) ([]store.BouncedAddress, error)
	OutboxGivenUp(ctx context.Context, from, to time.Time) ([]store.Outgoing, error)
	ReportInvolvements(ctx context.Context, from, to time.Time, orgID int64) ([]store.ReportInvolvement, error)
	ReportAnnouncements(ctx context.Context, from, to time.Time, orgID int64) ([]store.ReportAnnouncement, error)
	ReportSuggestions(ctx context.Context, from, to time.Time, orgID int64) ([]store.ReportSuggestion, error)
	KBTitles(ctx context.Context, ids []int64) (map[int64]string, error)
	Ticket(ctx context.Context, id int64) (*store.Ticket, error)
	OrgByID(ctx context.Context, id int64) (*store.Org, error)
}

// AtRiskWithin is how close to its due time (in business time) an open
// ticket is listed as at risk.
const AtRiskWithin = 2 * time.Hour

// Reporter computes reports. It is safe for concurrent use.
type Reporter struct {
	src   Source
	setup *Setup
}

// NewReporter returns a reporter over src with the desks' calendars and levels.
func NewReporter(src Source, setup *Setup) (*Reporter, error) {
	if src == nil || setup == nil || setup.Default == nil {
		return nil, errors.New("digest: a reporter needs a source and a setup with a default calendar")
	}
	return &Reporter{src: src, setup: setup}, nil
}

// Params select a report.
type Params struct {
	// From and To bound the period [From, To).
	From, To time.Time
	// Now is the time of the report: figures are as of min(To, Now). Zero
	// means To.
	Now time.Time
	// OrgID > 0 restricts everything to one client organisation and leaves
	// out what is internal to the operator (Agents, Refused).
	OrgID int64
	// ChartFrom is the first day of the daily series (default From; the
	// daily digest charts the last two weeks).
	ChartFrom time.Time
	// Limit caps each list (breaches, at risk, oldest, ...); 0 means 20.
	// Counts are never capped.
	Limit int
	// Rows keeps every ticket of the period in Report.Rows (for the CSV).
	Rows bool
}

// Metric is one SLA metric over a group of tickets received in the period,
// as of the report's instant.
type Metric struct {
	Target   time.Duration // the group's target; 0 when the group mixes targets
	Met      int           // stopped within target
	Breached int           // past due: stopped late, or still open beyond target
	Pending  int           // neither yet
	times    []time.Duration
	// Median and P90 of the business time to the stop, over the stopped
	// clocks (met or breached); valid when Stopped() > 0.
	Median, P90 time.Duration
}

// Stopped is how many clocks of the group were stopped.
func (m Metric) Stopped() int { return len(m.times) }

// Compliance is Met / (Met + Breached) in percent; ok is false when no
// ticket has been decided.
func (m Metric) Compliance() (pct float64, ok bool) {
	if m.Met+m.Breached == 0 {
		return 0, false
	}
	return 100 * float64(m.Met) / float64(m.Met+m.Breached), true
}

// Group is the figures of a support level, an organisation, an information
// system or everything.
type Group struct {
	Name     string // level, organisation or system name, or "" for the total
	OrgID    int64
	Received int
	// Resolved is how many of the tickets received in the period were
	// resolved by the report's instant.
	Resolved      int
	FirstResponse Metric
	Resolution    Metric
}

// Breach is a clock that went past its target during the period.
type Breach struct {
	Ticket   TicketLine
	Metric   sla.Metric
	At       time.Time     // when the target was exceeded
	Over     time.Duration // business time beyond the target as of the report
	Stopped  bool          // the clock has stopped (answered/resolved late)
	Target   time.Duration
	Business time.Duration // elapsed business time
}

// TicketLine is a ticket as lists show it.
type TicketLine struct {
	ID           int64
	Subject      string
	Organisation string
	OrgID        int64
	Agent        string
	Status       string
	Level        string
	Priority     string
	Created      time.Time
	Age          time.Duration // business time since it was opened, as of the report
	Metric       sla.Metric    // at-risk lists: the metric close to due
	Remaining    time.Duration // at-risk lists: business time left
	Due          time.Time     // at-risk lists: the due instant
}

// ReasonCount counts deferred or rejected tickets by reason code.
type ReasonCount struct {
	Status, Reason, Clause string
	Count                  int
}

// AgentLoad is one agent's work ("" = unassigned).
type AgentLoad struct {
	Agent                              string
	Open, Received, Resolved, Breaches int
}

// Day is one day of the daily series.
type Day struct {
	Date               workcal.Date
	Received, Resolved int
	FirstResponse      Metric // of the tickets received that day
}

// Row is one ticket in the CSV of the period.
type Row struct {
	TicketLine
	Channel                   string
	Closed, FirstResponseAt   time.Time
	ResolvedAt                time.Time
	FirstResponse, Resolution figure
}

// Report is every figure of a period.
type Report struct {
	From, To, At time.Time
	Location     *time.Location
	OrgID        int64
	OrgName      string
	Received     int
	Resolved     int
	OpenAtEnd    int
	ByChannel    map[string]int
	Total        Group
	Levels, Orgs []Group
	// Systems groups the tickets received in the period by their
	// information system ("" last: none); nil when none of them has one.
	Systems []Group
	// Contractors is each contractor's work in the period
	// (contractors.go); nil when no ticket was with one.
	Contractors   []ContractorGroup
	Breaches      []Breach
	BreachCount   int
	AtRisk        []TicketLine
	OldestOpen    []TicketLine
	OldestWaiting []TicketLine
	Reasons       []ReasonCount
	Agents        []AgentLoad
	VisitDay      workcal.Date
	Visits        []TicketLine
	Incidents     []TicketLine
	Refused       []store.ReportEvent
	RefusedCount  int
	Bounces       []store.BouncedAddress
	GivenUp       []GivenUp // outgoing mail the outbox gave up (givenup.go)
	GivenUpCount  int
	// Announcements are the notices and maintenance mailings sent in the
	// period (announcements.go); an organisation's only those that reached
	// its people.
	Announcements []Announcement
	// KB is what the knowledge base's suggestions did; nil when none was made.
	KB          *KBFigures
	Days        []Day
	Rows        []Row
	TicketsRead int
}

// waitingStates are shown in the "oldest waiting" list rather than "oldest open".
func waiting(status string) bool {
	return status == store.StatusWaiting || status == store.StatusDeferred
}

func closedBy(t *store.ReportTicket, at time.Time) bool {
	return t.ClosedAt.Valid && !t.ClosedAt.Time.After(at)
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// Report computes the report for p. Tickets are streamed once; lists are
// capped at p.Limit, counts are not.
func (r *Reporter) Report(ctx context.Context, p Params) (*Report, error) {
	if !p.From.Before(p.To) {
		return nil, fmt.Errorf("digest: empty period %s – %s", p.From.Format(time.RFC3339), p.To.Format(time.RFC3339))
	}
	at := p.To
	if !p.Now.IsZero() && p.Now.Before(at) {
		at = p.Now
	}
	chartFrom := p.From
	if !p.ChartFrom.IsZero() && p.ChartFrom.Before(p.From) {
		chartFrom = p.ChartFrom
	}
	loc := r.setup.Default.Location()
	rep := &Report{From: p.From, To: p.To, At: at, Location: loc, OrgID: p.OrgID, ByChannel: map[string]int{}}
	if p.OrgID > 0 {
		o, err := r.src.OrgByID(ctx, p.OrgID)
		if err != nil {
			return nil, fmt.Errorf("digest: organisation %d: %w", p.OrgID, err)
		}
		rep.OrgName = o.Name
	}
	// The visits of the next working day from when the digest is made: a
	// digest sent late (after downtime, or a weekly one on Tuesday) lists
	// the plan of a day still ahead (today's while the desk is open), never
	// that of a day already past.
	visitFrom := p.To
	if p.Now.After(visitFrom) {
		visitFrom = p.Now
	}
	visit := workcal.DateOf(r.setup.Default.NextOpen(visitFrom).In(loc))
	rep.VisitDay = visit
	visitStr := visit.String()

	days := newDays(chartFrom, p.To, loc)
	levels := map[string]*Group{}
	orgs := map[int64]*Group{}
	systems := map[string]*Group{}
	agents := map[string]*AgentLoad{}
	reasons := map[[2]string]int{}
	if p.Limit <= 0 {
		p.Limit = 20
	}
	// Lists keep only their first entries in order while streaming.
	breaches := newTop(p.Limit, func(a, b Breach) int {
		return cmp.Or(cmp.Compare(b.Over, a.Over), cmp.Compare(a.Ticket.ID, b.Ticket.ID))
	})
	atRisk := newTop(p.Limit, func(a, b TicketLine) int {
		return cmp.Or(cmp.Compare(a.Remaining, b.Remaining), cmp.Compare(a.ID, b.ID))
	})
	byAge := func(a, b TicketLine) int { return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID)) }
	oldOpen, oldWait := newTop(min(p.Limit, 5), byAge), newTop(min(p.Limit, 5), byAge)
	byID := func(a, b TicketLine) int { return cmp.Compare(a.ID, b.ID) }
	visits, incidents := newTop(p.Limit*5, byID), newTop(p.Limit, byID)

	filter := store.ReportFilter{From: p.From, To: p.To, Since: chartFrom, OrgID: p.OrgID}
	err := r.stream(ctx, filter,
		func(t *store.ReportTicket) {
			if t.CreatedAt.After(at) {
				return
			}
			rep.TicketsRead++
			cal := r.setup.Default
			if c, ok := r.setup.Calendars[t.Desk]; ok {
				cal = c
			}
			lvl := r.setup.Levels[t.SupportLevel]
			fr := evaluate(t.SLAFirstResponse, cal, t.CreatedAt, t.FirstResponseAt, t.ClosedAt, lvl.FirstResponse, at)
			res := evaluate(t.SLAResolution, cal, t.CreatedAt, t.ResolvedAt, t.ClosedAt, lvl.Resolution, at)
			line := TicketLine{ID: t.ID, Subject: t.Subject, Organisation: t.OrgName, OrgID: t.OrgID, Agent: t.Assignee,
				Status: t.Status, Level: t.SupportLevel, Priority: t.Priority, Created: t.CreatedAt}
			received := in(t.CreatedAt, p.From, p.To)
			open := !closedBy(t, at)
			if open {
				line.Age = cal.Between(t.CreatedAt, at)
			} else {
				line.Age = cal.Between(t.CreatedAt, t.ClosedAt.Time)
			}
			resolvedAt, resolved := resolvedTime(t)
			resolvedIn := resolved && in(resolvedAt, p.From, at)

			if d := days.at(t.CreatedAt); d != nil {
				d.Received++
				d.FirstResponse.add(fr)
			}
			if resolved && !resolvedAt.After(at) {
				if d := days.at(resolvedAt); d != nil {
					d.Resolved++
				}
			}
			// The agent's line is made when the ticket first counts for it
			// (received, resolved, open, or a breach in the period).
			var load *AgentLoad
			loadOf := func() *AgentLoad {
				if load == nil {
					if load = agents[t.Assignee]; load == nil {
						load = &AgentLoad{Agent: t.Assignee}
						agents[t.Assignee] = load
					}
				}
				return load
			}
			if t.Assignee != "" {
				loadOf()
			}
			if received {
				rep.Received++
				rep.ByChannel[t.Channel]++
				loadOf().Received++
				for _, g := range []*Group{&rep.Total, group(levels, t.SupportLevel, 0), group(orgs, t.OrgID, t.OrgName), group(systems, t.System, 0)} {
					g.Received++
					if resolved && !resolvedAt.After(at) {
						g.Resolved++
					}
					g.FirstResponse.add(fr)
					g.Resolution.add(res)
				}
				if t.Status == store.StatusDeferred || t.Status == store.StatusRejected || (t.Status == store.StatusClosed && t.Reason != "") {
					reasons[[2]string{t.Status, t.Reason}]++
				}
			}
			if resolvedIn {
				rep.Resolved++
				loadOf().Resolved++
			}
			if open {
				rep.OpenAtEnd++
				loadOf().Open++
				if waiting(t.Status) {
					oldWait.add(line)
				} else {
					oldOpen.add(line)
				}
				if t.PlannedFor == visitStr {
					visits.add(line)
				}
				if l, ok := risk(line, cal, at, fr, res); ok {
					atRisk.add(l)
				}
			}
			if t.Priority == store.PriorityIncident && (received || open) {
				incidents.add(line)
			}
			for _, m := range []struct {
				name sla.Metric
				f    figure
			}{{sla.FirstResponse, fr}, {sla.Resolution, res}} {
				if m.f.breached && in(m.f.breachAt, p.From, p.To) && !m.f.breachAt.After(at) {
					rep.BreachCount++
					loadOf().Breaches++
					breaches.add(Breach{Ticket: line, Metric: m.name, At: m.f.breachAt,
						Over: m.f.elapsed - m.f.target, Stopped: m.f.stopped, Target: m.f.target, Business: m.f.elapsed})
				}
			}
			if p.Rows && (received || open || resolvedIn) {
				row := Row{TicketLine: line, Channel: t.Channel, FirstResponse: fr, Resolution: res}
				// As of the report's instant: what happened later is not shown.
				until := func(v sql.NullTime) time.Time {
					if !v.Valid || v.Time.After(at) {
						return time.Time{}
					}
					return v.Time
				}
				row.Closed, row.FirstResponseAt, row.ResolvedAt = until(t.ClosedAt), until(t.FirstResponseAt), until(t.ResolvedAt)
				rep.Rows = append(rep.Rows, row)
			}
		})
	if err != nil {
		return nil, err
	}
	rep.Total.finish()
	rep.Levels = sortedGroups(levels, func(a, b *Group) int { return cmp.Compare(a.Name, b.Name) })
	rep.Orgs = sortedGroups(orgs, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(b2i(a.Name == ""), b2i(b.Name == "")), cmp.Compare(a.Name, b.Name), cmp.Compare(a.OrgID, b.OrgID))
	})
	if _, none := systems[""]; len(systems) > 1 || (len(systems) == 1 && !none) {
		rep.Systems = sortedGroups(systems, func(a, b *Group) int {
			return cmp.Or(cmp.Compare(b2i(a.Name == ""), b2i(b.Name == "")), cmp.Compare(a.Name, b.Name))
		})
	}
	for i := range rep.Levels {
		if lv, ok := r.setup.Levels[rep.Levels[i].Name]; ok {
			rep.Levels[i].FirstResponse.Target, rep.Levels[i].Resolution.Target = lv.FirstResponse, lv.Resolution
		}
	}
	rep.Breaches, rep.AtRisk, rep.OldestOpen, rep.OldestWaiting = breaches.list, atRisk.list, oldOpen.list, oldWait.list
	rep.Visits, rep.Incidents = visits.list, incidents.list
	for k, n := range reasons {
		rep.Reasons = append(rep.Reasons, ReasonCount{Status: k[0], Reason: k[1], Clause: r.setup.Clauses[k[1]], Count: n})
	}
	slices.SortFunc(rep.Reasons, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(a.Status, b.Status), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	for _, a := range agents {
		if p.OrgID > 0 {
			break // the load of the operator's staff is internal
		}
		if a.Open+a.Received+a.Resolved+a.Breaches > 0 {
			rep.Agents = append(rep.Agents, *a)
		}
	}
	slices.SortFunc(rep.Agents, func(a, b AgentLoad) int {
		return cmp.Or(cmp.Compare(b2i(a.Agent == ""), b2i(b.Agent == "")), cmp.Compare(b.Open, a.Open), cmp.Compare(a.Agent, b.Agent))
	})
	for i := range days.list {
		days.list[i].FirstResponse.finish()
	}
	rep.Days = days.list
	slices.SortFunc(rep.Rows, func(a, b Row) int { return cmp.Compare(a.ID, b.ID) })

	// Refused staff commands and security events are the operator's
	// internal matter: an organisation's report leaves them out.
	if p.OrgID == 0 {
		if rep.Refused, rep.RefusedCount, err = r.src.StaffSecurityEvents(ctx, p.From, at, 0, p.Limit); err != nil {
			return nil, err
		}
	}
	if rep.Bounces, err = r.src.BouncedAddresses(ctx, p.From, at, p.OrgID); err != nil {
		return nil, err
	}
	if rep.GivenUp, rep.GivenUpCount, err = r.givenUp(ctx, p.From, at, p.OrgID, p.Limit); err != nil {
		return nil, err
	}
	if rep.Contractors, err = r.contractors(ctx, p, at); err != nil {
		return nil, err
	}
	if rep.Announcements, err = r.announcements(ctx, p.From, at, p.OrgID); err != nil {
		return nil, err
	}
	if rep.KB, err = r.kbFigures(ctx, p.From, at, p.OrgID); err != nil {
		return nil, err
	}
	return rep, nil
}

// stream reads the tickets in one goroutine and hands them, in batches and
// in order, to consume in this one: reading rows and computing figures take
// about the same time, so a report takes half as long on two cores.
func (r *Reporter) stream(ctx context.Context, f store.ReportFilter, consume func(*store.ReportTicket)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const size = 256
	batches := make(chan []store.ReportTicket, 4)
	errc := make(chan error, 1)
	go func() {
		defer close(batches)
		defer func() {
			if p := recover(); p != nil {
				errc <- fmt.Errorf("digest: reading tickets panicked: %v", p)
			}
		}()
		send := func(b []store.ReportTicket) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		batch := make([]store.ReportTicket, 0, size)
		err := r.src.StreamReportTickets(ctx, f, func(t *store.ReportTicket) error {
			batch = append(batch, *t)
			if len(batch) < size {
				return nil
			}
			err := send(batch)
			batch = make([]store.ReportTicket, 0, size)
			return err
		})
		if err == nil && len(batch) > 0 {
			err = send(batch)
		}
		errc <- err
	}()
	for b := range batches {
		for i := range b {
			consume(&b[i])
		}
	}
	return <-errc
}

// resolvedTime is when support resolved the ticket: resolved_at, or for
// tickets resolved before that column existed, closed_at of a resolved or
// closed ticket without a reason.
func resolvedTime(t *store.ReportTicket) (time.Time, bool) {
	if t.ResolvedAt.Valid {
		return t.ResolvedAt.Time, true
	}
	if t.ClosedAt.Valid && t.Reason == "" && (t.Status == store.StatusResolved || t.Status == store.StatusClosed) {
		return t.ClosedAt.Time, true
	}
	return time.Time{}, false
}

// risk reports an open ticket whose running clock is due within AtRiskWithin.
func risk(line TicketLine, cal *workcal.Calendar, at time.Time, fs ...figure) (TicketLine, bool) {
	found := false
	for i, f := range fs {
		if !f.ok || !f.running || f.breached || f.remaining() > AtRiskWithin {
			continue
		}
		if !found || f.remaining() < line.Remaining {
			line.Remaining = f.remaining()
			line.Metric = []sla.Metric{sla.FirstResponse, sla.Resolution}[i]
			line.Due = cal.Add(at, f.remaining())
			found = true
		}
	}
	return line, found
}

func (m *Metric) add(f figure) {
	if !f.ok {
		return
	}
	switch {
	case f.breached:
		m.Breached++
	case f.stopped:
		m.Met++
	default:
		m.Pending++
	}
	if f.stopped {
		m.times = append(m.times, f.elapsed)
	}
}

// finish computes the median (the mean of the two middle values for an
// even count) and the 90th percentile (nearest rank: the smallest value
// with at least 90 % of the values at or below it).
func (m *Metric) finish() {
	n := len(m.times)
	if n == 0 {
		return
	}
	slices.Sort(m.times)
	if n%2 == 1 {
		m.Median = m.times[n/2]
	} else {
		m.Median = (m.times[n/2-1] + m.times[n/2]) / 2
	}
	rank := (90*n + 99) / 100 // ceil(0.9 n)
	m.P90 = m.times[rank-1]
}

func group[K comparable](m map[K]*Group, key K, name any) *Group {
	g := m[key]
	if g == nil {
		g = &Group{}
		switch v := any(key).(type) {
		case string:
			g.Name = v
		case int64:
			g.OrgID = v
			g.Name, _ = name.(string)
		}
		m[key] = g
	}
	return g
}

func sortedGroups[K comparable](m map[K]*Group, less func(a, b *Group) int) []Group {
	gs := make([]*Group, 0, len(m))
	for _, g := range m {
		g.finish()
		gs = append(gs, g)
	}
	slices.SortFunc(gs, less)
	out := make([]Group, len(gs))
	for i, g := range gs {
		out[i] = *g
	}
	return out
}

func (g *Group) finish() {
	g.FirstResponse.finish()
	g.Resolution.finish()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// top keeps the first n items in the order of cmp, in order.
type top[T any] struct {
	n    int
	cmp  func(a, b T) int
	list []T
}

func newTop[T any](n int, cmp func(a, b T) int) *top[T] { return &top[T]{n: n, cmp: cmp} }

func (t *top[T]) add(v T) {
	if len(t.list) == t.n && t.cmp(v, t.list[len(t.list)-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(t.list, v, t.cmp)
	if len(t.list) == t.n {
		t.list = t.list[:len(t.list)-1]
	}
	t.list = slices.Insert(t.list, i, v)
}

// days is the daily series, indexed by local date.
type days struct {
	loc   *time.Location
	first time.Time
	list  []Day
}

func newDays(from, to time.Time, loc *time.Location) *days {
	d := &days{loc: loc}
	f := from.In(loc)
	d.first = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	for t := d.first; t.Before(to) && len(d.list) < 400; t = t.AddDate(0, 0, 1) {
		d.list = append(d.list, Day{Date: workcal.DateOf(t)})
	}
	return d
}

func (d *days) at(t time.Time) *Day {
	t = t.In(d.loc)
	if t.Before(d.first) {
		return nil
	}
	// Civil days, whatever the DST changes in between.
	y, m, dd := t.Date()
	n := int(time.Date(y, m, dd, 12, 0, 0, 0, time.UTC).Sub(time.Date(d.first.Year(), d.first.Month(), d.first.Day(), 12, 0, 0, 0, time.UTC)).Hours() / 24)
	if n < 0 || n >= len(d.list) {
		return nil
	}
	return &d.list[n]
}
