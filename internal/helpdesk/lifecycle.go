package helpdesk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

// Event is a change in a ticket's life. Every change of a ticket's state is
// one of these, made by lifecycle.apply and recorded as an audit event of the
// same name; nothing else writes a ticket's status.
type Event string

// The lifecycle's events (the audit vocabulary of state changes).
const (
	EvWaited     Event = "waited"     // support asked the customer for something: the clocks pause
	EvResumed    Event = "resumed"    // the customer answered, or a deferral ended: the clocks run again
	EvDeferred   Event = "deferred"   // put aside (unclear, maintenance, a reason code): the clocks pause
	EvPlanned    Event = "planned"    // a visit is planned for a working day
	EvRejected   Event = "rejected"   // refused with a reason code: both clocks stop
	EvResolved   Event = "resolved"   // support resolved it: both clocks stop; it closes by itself later
	EvReopened   Event = "reopened"   // a resolved, closed or rejected ticket is worked on again: its clocks count again
	EvClosed     Event = "closed"     // closed for good: both clocks stop
	EvMerged     Event = "merged"     // closed into another ticket, which later mail reaches
	EvIdentified Event = "identified" // an unidentified sender identified themselves: the clocks start
	// A contractor (§4.7, contractor.go): the ticket keeps its state.
	EvEscalated          Event = "escalated"           // passed to a contractor: the requester is told, which is the first response
	EvRecalled           Event = "recalled"            // the contractor's involvement ended
	EvContractorAnswered Event = "contractor_answered" // the contractor answered on the ticket (audit only)
)

// clockEffect is what a transition does to the SLA clocks.
type clockEffect int

const (
	clocksKeep    clockEffect = iota
	clocksPause               // both running clocks pause
	clocksResume              // paused clocks resume (started when the ticket has none)
	clocksStop                // both clocks stop: the first response is settled too
	clocksReopen              // stopped clocks count again (first response only when none was given)
	clocksStart               // clocks start now with the ticket's targets
	clocksRespond             // the first response is given: the first-response clock stops; resolution runs on
	// A contractor (contractor.go): the first response is given; the
	// resolution clock pauses when the ticket's level says so.
	clocksEscalate
	clocksRecall // the resolution clock paused for a contractor counts again (when the state counts)
)

func (e clockEffect) String() string {
	return [...]string{"—", "pause", "resume", "stop both", "reopen", "start", "first response given",
		"first response given; resolution pauses if the level says so", "resolution resumes if paused for the contractor"}[e]
}

// transition is one row of the lifecycle table.
type transition struct {
	event  Event
	from   []string
	to     string
	clocks clockEffect
}

// transitions is the lifecycle: which event may happen in which state, the
// state it leads to, and its effect on the clocks. docs/architecture.md shows
// the same table (a test keeps them equal).
func transitions() []transition {
	const (
		unidentified = store.StatusUnidentified
		open         = store.StatusOpen
		waiting      = store.StatusWaiting
		deferred     = store.StatusDeferred
		planned      = store.StatusPlanned
		resolved     = store.StatusResolved
		rejected     = store.StatusRejected
		closed       = store.StatusClosed
	)
	return []transition{
		{EvIdentified, []string{unidentified}, open, clocksStart},
		{EvWaited, []string{open, planned, waiting}, waiting, clocksPause},
		{EvResumed, []string{waiting, deferred}, open, clocksResume},
		{EvDeferred, []string{open, waiting, planned, deferred}, deferred, clocksPause},
		{EvPlanned, []string{open, waiting, deferred, planned}, planned, clocksResume},
		{EvRejected, []string{unidentified, open, waiting, deferred, planned}, rejected, clocksStop},
		{EvResolved, []string{open, waiting, deferred, planned}, resolved, clocksStop},
		{EvReopened, []string{resolved, closed, rejected}, open, clocksReopen},
		{EvClosed, []string{unidentified, open, waiting, deferred, planned, resolved, rejected}, closed, clocksStop},
		{EvMerged, []string{open, waiting, deferred, planned, resolved}, closed, clocksStop},
		// The contractor events keep the ticket's state ("" in the table: unchanged).
		{EvEscalated, []string{open, waiting, deferred, planned}, "", clocksEscalate},
		{EvRecalled, []string{unidentified, open, waiting, deferred, planned, resolved, rejected, closed}, "", clocksRecall},
		{EvContractorAnswered, []string{unidentified, open, waiting, deferred, planned, resolved, rejected, closed}, "", clocksKeep},
	}
}

// LifecycleTable renders the lifecycle as a Markdown table (docs/architecture.md).
func LifecycleTable() string {
	var b strings.Builder
	b.WriteString("| event | from | to | SLA clocks |\n|---|---|---|---|\n")
	for _, tr := range transitions() {
		to := "`" + tr.to + "`"
		if tr.to == "" {
			to = "(unchanged)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", tr.event, "`"+strings.Join(tr.from, "`, `")+"`", to, tr.clocks)
	}
	return b.String()
}

// Change is one lifecycle change asked of a ticket.
type Change struct {
	Event  Event
	Reason string    // reason code: why deferred, rejected or closed
	Until  time.Time // deferred: resumes by itself then; resolved: closes by itself then (zero: no timer)
	Window int64     // deferred for maintenance: the window that holds it
	Into   int64     // merged: the ticket it now points to
	// Targets start the clocks of an identified request (nil: the desk's).
	Targets *Targets
	Actor   string // the agent's address, or "system"
	Via     string // mail, cli, scheduler, web
	Note    string // for the audit trail
}

// Channels a change comes through.
const (
	ViaMail      = "mail"
	ViaCLI       = "cli"
	ViaScheduler = "scheduler"
)

// NotAllowed is a change the lifecycle refuses in the ticket's state.
type NotAllowed struct {
	Event Event
	From  string
}

func (e *NotAllowed) Error() string {
	return fmt.Sprintf("%s is not possible for a ticket that is %s", e.Event, e.From)
}

// Allowed reports whether ev may happen to a ticket in status from.
func Allowed(ev Event, from string) bool {
	_, ok := lookupTransition(ev, from)
	return ok
}

func lookupTransition(ev Event, from string) (transition, bool) {
	for _, tr := range transitions() {
		if tr.event == ev {
			return tr, slices.Contains(tr.from, from)
		}
	}
	return transition{}, false
}

// lifecycle changes tickets inside one transaction: it is the one owner of a
// ticket's state, its clocks, its holds and the audit event of each change.
type lifecycle struct {
	s    *Service
	tx   *store.Tx
	desk *Desk
	now  time.Time
}

func (s *Service) lifecycle(tx *store.Tx, d *Desk, now time.Time) *lifecycle {
	return &lifecycle{s: s, tx: tx, desk: d, now: now}
}

// apply makes the change c to t (updated in place) or refuses it with *NotAllowed.
func (lc *lifecycle) apply(ctx context.Context, t *store.Ticket, c Change) error {
	tr, ok := lookupTransition(c.Event, t.Status)
	if !ok {
		return &NotAllowed{Event: c.Event, From: t.Status}
	}
	if tr.to == "" {
		// An event that keeps the state (a contractor's): clocks and audit only.
		if err := lc.clocks(ctx, t, tr.clocks, c); err != nil {
			return err
		}
		return lc.record(ctx, t.ID, c, t.Status)
	}
	st := store.State{Status: tr.to}
	switch c.Event {
	case EvDeferred, EvRejected, EvClosed:
		st.Reason = c.Reason
	}
	if !c.Until.IsZero() {
		st.ResumeAt = sql.NullTime{Time: c.Until.UTC(), Valid: true}
	}
	if c.Window != 0 {
		st.HoldWindowID = sql.NullInt64{Int64: c.Window, Valid: true}
	}
	if c.Event == EvWaited {
		if at, ok := lc.waitTimer(time.Time{}); ok {
			st.ResumeAt = sql.NullTime{Time: at, Valid: true}
		}
	}
	was := t.Status
	if err := lc.tx.SetTicketState(ctx, t.ID, st, lc.now); err != nil {
		return err
	}
	t.Status, t.Reason, t.ResumeAt, t.HoldWindowID, t.WaitRemindedAt = st.Status, st.Reason, st.ResumeAt, st.HoldWindowID, sql.NullTime{}
	if err := lc.clocks(ctx, t, tr.clocks, c); err != nil {
		return err
	}
	switch c.Event {
	case EvResolved:
		if !t.ResolvedAt.Valid {
			t.ResolvedAt = sql.NullTime{Time: lc.now, Valid: true}
			if err := lc.tx.SetTicketField(ctx, t.ID, store.FieldResolvedAt, lc.now, lc.now); err != nil {
				return err
			}
		}
	case EvReopened:
		if t.ResolvedAt.Valid {
			// Resolved no more: reports count it again when it is.
			t.ResolvedAt = sql.NullTime{}
			if err := lc.tx.SetTicketField(ctx, t.ID, store.FieldResolvedAt, sql.NullTime{}, lc.now); err != nil {
				return err
			}
		}
	case EvMerged:
		t.MergedInto = sql.NullInt64{Int64: c.Into, Valid: true}
		if err := lc.tx.SetTicketField(ctx, t.ID, store.FieldMergedInto, c.Into, lc.now); err != nil {
			return err
		}
	}
	return lc.record(ctx, t.ID, c, was+" → "+t.Status)
}

// record writes the audit event of a change.
func (lc *lifecycle) record(ctx context.Context, ticketID int64, c Change, what string) error {
	detail := what
	for _, s := range []string{c.Reason, c.Note} {
		if s != "" {
			detail += "; " + s
		}
	}
	if c.Into != 0 {
		detail += fmt.Sprintf("; into #%d", c.Into)
	}
	if c.Window != 0 {
		detail += fmt.Sprintf("; maintenance window #%d", c.Window)
	}
	if c.Via != "" {
		detail += " (" + c.Via + ")"
	}
	actor := c.Actor
	if actor == "" {
		actor = "system"
	}
	return lc.tx.AddEvent(ctx, ticketID, lc.now, string(c.Event), actor, detail)
}

// clocks applies a transition's effect to the ticket's SLA clocks.
func (lc *lifecycle) clocks(ctx context.Context, t *store.Ticket, e clockEffect, c Change) error {
	why := c.Reason
	if why == "" {
		why = string(c.Event)
	}
	switch e {
	case clocksPause:
		return lc.changeClocks(ctx, t, sla.EventPause, why)
	case clocksResume:
		return lc.changeClocks(ctx, t, sla.EventResume, why)
	case clocksStop:
		return lc.stopClocks(ctx, t, sla.FirstResponse, sla.Resolution)
	case clocksReopen:
		return lc.reopenClocks(ctx, t, why)
	case clocksRespond:
		return lc.firstResponse(ctx, t)
	case clocksEscalate:
		if err := lc.firstResponse(ctx, t); err != nil {
			return err
		}
		return lc.contractorPause(ctx, t)
	case clocksRecall:
		return lc.contractorResume(ctx, t)
	case clocksStart:
		tg := Targets{lc.desk.FirstResponse, lc.desk.Resolution}
		if c.Targets != nil {
			tg = *c.Targets
		}
		if err := lc.startClocks(t, tg); err != nil {
			return err
		}
		t.UpdatedAt = lc.now
		return lc.tx.SetTicketSLA(ctx, t)
	}
	return nil
}

// waitTimer is when a ticket waiting for the customer since now is reminded
// (reminded false), or closed after the reminder at from (reminded true);
// ok is false when the desk has no calendar or the timer is off.
func (lc *lifecycle) waitTimer(from time.Time) (time.Time, bool) {
	c, w := lc.desk.Calendar, lc.s.wait
	if c == nil {
		return time.Time{}, false
	}
	if from.IsZero() {
		switch {
		case w.ReminderDays > 0:
			return c.Add(lc.now, time.Duration(w.ReminderDays)*lc.desk.DayLength).UTC(), true
		case w.CloseDays > 0:
			return c.Add(lc.now, time.Duration(w.CloseDays)*lc.desk.DayLength).UTC(), true
		}
		return time.Time{}, false
	}
	if w.CloseDays <= 0 {
		return time.Time{}, false
	}
	left := w.CloseDays - max(w.ReminderDays, 0)
	return c.Add(from, time.Duration(max(left, 1))*lc.desk.DayLength).UTC(), true
}

// startClocks starts a ticket's SLA clocks now and fills its due times.
func (lc *lifecycle) startClocks(t *store.Ticket, tg Targets) error {
	if lc.desk.Calendar == nil {
		return nil
	}
	fr, err := lc.startClock(sla.FirstResponse, tg.FirstResponse)
	if err != nil {
		return err
	}
	res, err := lc.startClock(sla.Resolution, tg.Resolution)
	if err != nil {
		return err
	}
	return storeClocks(t, fr, res)
}

// startClock starts one SLA clock now on the desk's calendar, warning at the
// desk's WarnPercent.
func (lc *lifecycle) startClock(m sla.Metric, target time.Duration) (*sla.Clock, error) {
	c := sla.Start(m, target, lc.now, lc.desk.Calendar)
	if p := lc.desk.WarnPercent; p != 0 {
		if err := c.SetWarnPercent(p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// changeClocks applies pause or resume to a ticket's clocks and saves them.
// Stopped clocks are left alone; a ticket without clocks gets them started on resume.
func (lc *lifecycle) changeClocks(ctx context.Context, t *store.Ticket, kind sla.EventKind, reason string) error {
	if lc.desk.Calendar == nil {
		return nil
	}
	fr, res, err := loadClocks(t, lc.desk.Calendar)
	if err != nil {
		return err
	}
	if fr == nil && res == nil {
		if kind != sla.EventResume {
			return nil
		}
		if err := lc.startClocks(t, lc.s.targetsOf(lc.desk, t.Priority, t.SupportLevel)); err != nil {
			return err
		}
	} else {
		held := false
		if kind == sla.EventResume {
			if held, err = lc.heldByContractor(ctx, t); err != nil {
				return err
			}
		}
		for _, c := range []*sla.Clock{fr, res} {
			if c == nil || c.Stopped() || (c == res && held) {
				continue // a contractor's pause outlasts the state's (contractor.go)
			}
			err := c.Record(sla.Event{Kind: kind, At: lc.now, Reason: reason})
			if err != nil && !errors.Is(err, sla.ErrTransition) {
				return err
			}
		}
		if err := storeClocks(t, fr, res); err != nil {
			return err
		}
	}
	t.UpdatedAt = lc.now
	return lc.tx.SetTicketSLA(ctx, t)
}

// stopClocks stops the given clocks of a ticket (a first response given, a
// ticket resolved, rejected, merged or closed).
func (lc *lifecycle) stopClocks(ctx context.Context, t *store.Ticket, metrics ...sla.Metric) error {
	if lc.desk.Calendar == nil {
		return nil
	}
	fr, res, err := loadClocks(t, lc.desk.Calendar)
	if err != nil {
		return err
	}
	changed := false
	for _, m := range metrics {
		c := fr
		if m == sla.Resolution {
			c = res
		}
		if c == nil || c.Stopped() {
			continue
		}
		if err := c.Stop(lc.now); err != nil && !errors.Is(err, sla.ErrTransition) {
			return err
		}
		changed = true
	}
	if !changed {
		return nil
	}
	if err := storeClocks(t, fr, res); err != nil {
		return err
	}
	t.UpdatedAt = lc.now
	return lc.tx.SetTicketSLA(ctx, t)
}

// reopenClocks makes a reopened ticket's stopped clocks count again: the
// resolution clock always, the first-response clock only when no first
// response was ever given (a request rejected unanswered and reopened).
func (lc *lifecycle) reopenClocks(ctx context.Context, t *store.Ticket, reason string) error {
	if lc.desk.Calendar == nil {
		return nil
	}
	fr, res, err := loadClocks(t, lc.desk.Calendar)
	if err != nil {
		return err
	}
	if fr == nil && res == nil {
		return lc.changeClocks(ctx, t, sla.EventResume, reason)
	}
	for _, c := range []*sla.Clock{fr, res} {
		if c == nil || (c == fr && t.FirstResponseAt.Valid) {
			continue
		}
		kind := sla.EventReopen
		if !c.Stopped() {
			kind = sla.EventResume // paused (a deferred ticket rejected before the stop existed)
		}
		if err := c.Record(sla.Event{Kind: kind, At: lc.now, Reason: reason}); err != nil && !errors.Is(err, sla.ErrTransition) {
			return err
		}
	}
	if held, err := lc.heldByContractor(ctx, t); err != nil {
		return err
	} else if held && res != nil && !res.Stopped() {
		if err := res.Record(sla.Event{Kind: sla.EventPause, At: lc.now, Reason: ContractorPause}); err != nil && !errors.Is(err, sla.ErrTransition) {
			return err
		}
	}
	if err := storeClocks(t, fr, res); err != nil {
		return err
	}
	t.UpdatedAt = lc.now
	return lc.tx.SetTicketSLA(ctx, t)
}

// autoCloseAt is when a ticket resolved now closes by itself unless the
// customer replies (zero: never, or no calendar).
func (lc *lifecycle) autoCloseAt() time.Time {
	if lc.desk.Calendar == nil || lc.s.closeDays <= 0 {
		return time.Time{}
	}
	return lc.desk.Calendar.Add(lc.now, time.Duration(lc.s.closeDays)*lc.desk.DayLength).UTC()
}

// statusWords names a status for people: the catalogue's word of kind
// mailout.WordStatus (as every template's {{word "status" …}}), the code
// itself for a status it does not know.
func statusWords(status string) mailout.Msg {
	k := mailout.Key(mailout.WordStatus + "." + status)
	if _, ok := mailout.Lookup("ru", k); ok {
		return mailout.M(k)
	}
	return mailout.M(mailout.Verbatim, status)
}

// refusalWords says to an agent why the lifecycle refused a change.
func refusalWords(na *NotAllowed) mailout.Msg {
	switch {
	case na.From == store.StatusResolved && na.Event == EvResolved:
		return mailout.M(mailout.RefusedAlreadyDone)
	case na.From == store.StatusResolved || na.From == store.StatusClosed || na.From == store.StatusRejected:
		return mailout.M(mailout.CmdClosedReopenFirst)
	}
	return mailout.M(mailout.RefusedNotNow, statusWords(na.From))
}

// firstResponse settles the first-response clock (the requester was told)
// and records when, once; the resolution clock runs on.
func (lc *lifecycle) firstResponse(ctx context.Context, t *store.Ticket) error {
	if t.FirstResponseAt.Valid {
		return nil
	}
	if err := lc.stopClocks(ctx, t, sla.FirstResponse); err != nil {
		return err
	}
	t.FirstResponseAt = sql.NullTime{Time: lc.now, Valid: true}
	return lc.tx.SetTicketField(ctx, t.ID, store.FieldFirstResponseAt, lc.now, lc.now)
}
