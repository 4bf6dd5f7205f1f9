package helpdesk

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/staffcmd"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// apply executes one authenticated staff command on a ticket and says how it went.
// answered: the reply also carried text for the customer.
func (in *intake) apply(ctx context.Context, t *store.Ticket, agent *store.Staff, c staffcmd.Command, answered bool) (mailout.CommandResult, error) {
	res := mailout.CommandResult{Command: c.Raw}
	ok := func(key mailout.Key, args ...any) (mailout.CommandResult, error) {
		res.OK, res.Message = true, in.text(key, args...)
		return res, in.tx.AddEvent(ctx, t.ID, in.now, "command_"+string(c.Name), agent.Email, c.Raw)
	}
	fail := func(key mailout.Key, args ...any) (mailout.CommandResult, error) {
		res.Message = in.text(key, args...)
		return res, in.tx.AddEvent(ctx, t.ID, in.now, "command_failed", agent.Email, c.Raw+": "+mailout.Text("en", key, args...))
	}
	// change asks the lifecycle; a change it refuses is told to the agent.
	change := func(ch Change) (refused bool, err error) {
		ch.Actor, ch.Via = agent.Email, in.staffVia()
		err = in.lc().apply(ctx, t, ch)
		var na *NotAllowed
		if errors.As(err, &na) {
			why := refusalWords(na)
			res, err = fail(why.Key, why.Args...)
			return true, err
		}
		return false, err
	}
	closed := t.Status == store.StatusResolved || t.Status == store.StatusClosed || t.Status == store.StatusRejected
	switch c.Name {
	case staffcmd.Note:
		to, err := in.notifyNote(ctx, t, agent, c.Text)
		if err != nil {
			return res, err
		}
		if len(to) == 0 {
			return ok(mailout.CmdNoteKept)
		}
		return ok(mailout.CmdNoteSent, strings.Join(to, ", "))

	case staffcmd.Wait:
		if closed {
			return fail(mailout.CmdClosedReopenFirst)
		}
		if !answered {
			return fail(mailout.CmdWaitNeedsText)
		}
		if refused, err := change(Change{Event: EvWaited, Note: "waiting for the customer"}); refused || err != nil {
			return res, err
		}
		return ok(mailout.CmdWaitSent)

	case staffcmd.Defer, staffcmd.Reject:
		reason := c.Args[0]
		ev, tmpl, done := EvDeferred, mailout.TmplDeferred, mailout.CmdDeferred
		if c.Name == staffcmd.Reject {
			ev, tmpl, done = EvRejected, mailout.TmplRejected, mailout.CmdRejected
		}
		if refused, err := change(Change{Event: ev, Reason: reason}); refused || err != nil {
			return res, err
		}
		if err := in.noticeRequester(ctx, t, tmpl, mailout.NoticeData{Reason: reason, Note: c.Text}); err != nil {
			return res, err
		}
		if c.Name == staffcmd.Reject && t.Kind == store.KindRegistration {
			if err := in.tx.DecideRegistration(ctx, t.ID, store.RegRejected, sql.NullInt64{}, agent.Email, in.now); err != nil {
				return res, err
			}
		}
		return ok(done, mailout.Word(in.desk.Language, mailout.WordReasonShort, reason), in.s.regs.Clauses[reason])

	case staffcmd.Resolve, staffcmd.Close:
		status := store.StatusResolved
		ch := Change{Event: EvResolved, Until: in.lc().autoCloseAt()}
		if c.Name == staffcmd.Close {
			status, ch = store.StatusClosed, Change{Event: EvClosed}
			if !t.ResolvedAt.Valid && t.Status != store.StatusRejected {
				// Closed by support without a separate resolution: resolved now.
				if err := in.tx.SetTicketField(ctx, t.ID, store.FieldResolvedAt, in.now, in.now); err != nil {
					return res, err
				}
				t.ResolvedAt = sql.NullTime{Time: in.now, Valid: true}
			}
		}
		if refused, err := change(ch); refused || err != nil {
			return res, err
		}
		if status == store.StatusResolved && !answered {
			if err := in.noticeRequester(ctx, t, mailout.TmplResolved, mailout.NoticeData{Days: in.s.closeDays}); err != nil {
				return res, err
			}
		}
		if status == store.StatusResolved {
			return ok(mailout.CmdResolved)
		}
		return ok(mailout.CmdClosed)

	case staffcmd.Reopen:
		if !closed && t.Status != store.StatusDeferred && t.Status != store.StatusWaiting {
			return fail(mailout.CmdAlreadyOpen)
		}
		ev := EvResumed
		if closed {
			ev = EvReopened
		}
		if refused, err := change(Change{Event: ev, Note: "reopened by staff"}); refused || err != nil {
			return res, err
		}
		return ok(mailout.CmdReopened)

	case staffcmd.Assign, staffcmd.Take:
		who := agent.Email
		if c.Name == staffcmd.Assign {
			who = c.Args[0]
		}
		target, err := in.tx.StaffByEmail(ctx, who)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (!target.Active || target.Role == store.StaffManager)) {
			return fail(mailout.CmdNotActiveAgent, who)
		} else if err != nil {
			return res, err
		}
		if target.Email != agent.Email && agent.Role != store.StaffLead {
			return fail(mailout.CmdOnlyLeadAssigns)
		}
		if err := in.tx.SetTicketField(ctx, t.ID, store.FieldAssignee, target.Email, in.now); err != nil {
			return res, err
		}
		t.Assignee = target.Email
		if target.Email != agent.Email {
			if err := in.notifyAgents(ctx, t, mailout.NotifyAssigned, agent.Name+" <"+agent.Email+">", ""); err != nil {
				return res, err
			}
		}
		return ok(mailout.CmdAssigned, target.Email)

	case staffcmd.Level:
		lvl := c.Args[0]
		tg, found := in.s.regs.Levels[lvl]
		if !found {
			return fail(mailout.CmdNoSuchLevel, lvl)
		}
		if err := in.tx.SetTicketField(ctx, t.ID, store.FieldSupportLevel, lvl, in.now); err != nil {
			return res, err
		}
		t.SupportLevel = lvl
		if err := in.retarget(ctx, t, tg); err != nil {
			return res, err
		}
		if t.Status == store.StatusPlanned && t.PlannedFor != "" {
			// The visit day stays the resolution target.
			if day, ok := in.dayOf(t.PlannedFor); ok {
				if err := in.planResolution(ctx, t, day.close); err != nil {
					return res, err
				}
			}
		}
		return ok(mailout.CmdLevelSet, lvl)

	case staffcmd.System:
		// A field, not a state: no lifecycle change; ok writes the audit event.
		if err := in.tx.SetTicketField(ctx, t.ID, store.FieldSystem, c.Args[0], in.now); err != nil {
			return res, err
		}
		t.System = c.Args[0]
		if t.System == "" {
			return ok(mailout.CmdSystemCleared)
		}
		return ok(mailout.CmdSystemSet, t.System)

	case staffcmd.Queue:
		key, args, err := in.queueOf(ctx, agent)
		if err != nil {
			return res, err
		}
		return ok(key, args...)

	case staffcmd.Search:
		key, args, err := in.searchFor(ctx, c.Args[0])
		if err != nil {
			return res, err
		}
		return ok(key, args...)

	case staffcmd.Morning:
		key, err := in.switchMorning(ctx, agent, c.Args[0] == "on")
		if err != nil {
			return res, err
		}
		return ok(key)

	case staffcmd.Priority:
		if err := in.tx.SetTicketField(ctx, t.ID, store.FieldPriority, c.Args[0], in.now); err != nil {
			return res, err
		}
		return ok(mailout.CmdPrioritySet, c.Args[0])

	case staffcmd.Plan:
		if closed {
			return fail(mailout.CmdClosedReopenFirst)
		}
		day, problem := in.planDay(c.Args[0])
		if !problem.IsZero() {
			return fail(problem.Key, problem.Args...)
		}
		if refused, err := change(Change{Event: EvPlanned, Note: "visit planned for " + day.date}); refused || err != nil {
			return res, err
		}
		if err := in.tx.SetTicketField(ctx, t.ID, store.FieldPlannedFor, day.date, in.now); err != nil {
			return res, err
		}
		t.PlannedFor = day.date
		if err := in.planResolution(ctx, t, day.close); err != nil {
			return res, err
		}
		when := day.open.In(in.desk.Location).Format("02.01.2006")
		until := FormatLocal(day.close, in.desk.Location, in.desk.Language)
		return ok(mailout.CmdPlanned, when, until)

	case staffcmd.Approve:
		summary, err := in.approveRegistration(ctx, t, agent.Email, approvalOf(c))
		var refused *RegistrationRefused
		if errors.As(err, &refused) {
			return fail(refused.Why.Key, refused.Why.Args...)
		} else if errors.Is(err, errNotRegistration) {
			return fail(mailout.CmdNotPendingRequest)
		} else if err != nil {
			return res, err
		}
		if refused, err := change(Change{Event: EvResolved, Note: "connection request approved"}); refused || err != nil {
			return res, err
		}
		return ok(mailout.CmdApproved, summary)

	case staffcmd.Escalate, staffcmd.ReplyContractor, staffcmd.Recall:
		// Third parties (contractor.go).
		msg, failed, err := in.contractorCommand(ctx, t, agent, c)
		if err != nil {
			return res, err
		}
		if failed {
			return fail(msg.Key, msg.Args...)
		}
		return ok(msg.Key, msg.Args...)

	case staffcmd.Article, staffcmd.Canned:
		// Their text went into the answer (kb.go expandReply).
		key, args := in.applyKB(c)
		return ok(key, args...)

	case staffcmd.SendFiles:
		// Read by agentFiles; this says what it let through.
		key, args := in.sendFilesResult()
		return ok(key, args...)

	case staffcmd.Merge:
		n, _ := strconv.ParseInt(c.Args[0], 10, 64)
		into, err := in.tx.Ticket(ctx, n)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (into.Desk != t.Desk || into.ID == t.ID)) {
			return fail(mailout.CmdCannotMerge, n)
		} else if err != nil {
			return res, err
		}
		if into.MergedInto.Valid || into.Status == store.StatusClosed || into.Status == store.StatusRejected {
			return fail(mailout.CmdMergeIntoClosed, n)
		}
		// Organisations are walled: a merge never lets one see another's ticket.
		if same, err := in.sameOrg(ctx, t.RequesterEmail, into.RequesterEmail); err != nil {
			return res, err
		} else if !same && !strings.EqualFold(t.RequesterEmail, into.RequesterEmail) {
			return fail(mailout.CmdMergeOtherOrg, n)
		}
		if refused, err := change(Change{Event: EvMerged, Into: n}); refused || err != nil {
			return res, err
		}
		moved, err := in.merge(ctx, t, into, agent)
		if err != nil {
			return res, err
		}
		return ok(mailout.CmdMerged, n, moved)
	}
	return fail(mailout.CmdUnknown)
}

// retarget rebuilds a ticket's clocks from their history with new targets.
func (in *deskTx) retarget(ctx context.Context, t *store.Ticket, tg Targets) error {
	if in.desk.Calendar == nil {
		return nil
	}
	fr, res, err := loadClocks(t, in.desk.Calendar)
	if err != nil {
		return err
	}
	re := func(c *sla.Clock, target time.Duration) (*sla.Clock, error) {
		if c == nil {
			return nil, nil
		}
		return sla.Replay(c.Metric(), target, c.WarnPercent(), c.Events(), in.desk.Calendar)
	}
	if fr, err = re(fr, tg.FirstResponse); err != nil {
		return err
	}
	if res, err = re(res, tg.Resolution); err != nil {
		return err
	}
	if err := storeClocks(t, fr, res); err != nil {
		return err
	}
	t.UpdatedAt = in.now
	return in.tx.SetTicketSLA(ctx, t)
}

type planned struct {
	date        string // YYYY-MM-DD in the desk's zone
	open, close time.Time
}

// planDay turns a #plan argument into a working day of the desk that has not
// ended yet; otherwise it says what is wrong (a zero problem when nothing is).
func (in *deskTx) planDay(arg string) (day planned, problem mailout.Msg) {
	loc := in.desk.Location
	today := in.now.In(loc)
	d, ok := staffcmd.ResolveDate(arg, today)
	if !ok {
		return planned{}, mailout.M(mailout.PlanUnreadableDate, arg)
	}
	date := d.Format("02.01.2006")
	if y, m, dd := today.Date(); d.Before(time.Date(y, m, dd, 0, 0, 0, 0, loc)) {
		return planned{}, mailout.M(mailout.PlanDayPast, date)
	}
	day, working := in.dayOf(d.Format("2006-01-02"))
	if !working {
		return planned{}, mailout.M(mailout.PlanDayOff, date, day.open.In(loc).Format("02.01.2006"))
	}
	if !day.close.After(in.now) {
		return planned{}, mailout.M(mailout.PlanDayOver, date)
	}
	return day, mailout.Msg{}
}

// dayOf gives the working hours of a date (YYYY-MM-DD) in the desk's zone;
// working is false for a day off, and then open is the next working day's opening.
func (in *deskTx) dayOf(date string) (day planned, working bool) {
	loc := in.desk.Location
	start, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return planned{}, false
	}
	c := in.desk.Calendar
	if c == nil {
		return planned{date: date, open: start, close: start.AddDate(0, 0, 1)}, true
	}
	open := c.NextOpen(start)
	close := c.Add(open, in.desk.DayLength)
	if dc, ok := c.(interface {
		Day(workcal.Date) (workcal.DayInfo, error)
	}); ok {
		if info, err := dc.Day(workcal.DateOf(open)); err == nil && !info.Close.IsZero() {
			close = info.Close
		}
	}
	working = open.In(loc).Format("2006-01-02") == date
	return planned{date: open.In(loc).Format("2006-01-02"), open: open, close: close}, working
}

// planResolution makes the end of the planned working day the ticket's
// resolution target. The resolution clock (resumed if it was paused) is
// rebuilt with the business time used so far plus the business time left
// until then, so the clock and resolution_due agree and every later clock
// change keeps the day.
func (in *deskTx) planResolution(ctx context.Context, t *store.Ticket, close time.Time) error {
	cal := in.desk.Calendar
	if cal == nil {
		t.ResolutionDue = sql.NullTime{Time: close.UTC(), Valid: true}
		return in.tx.SetTicketField(ctx, t.ID, store.FieldResolutionDue, close.UTC(), in.now)
	}
	fr, res, err := loadClocks(t, cal)
	if err != nil {
		return err
	}
	switch {
	case res == nil:
		if res, err = in.lc().startClock(sla.Resolution, 0); err != nil {
			return err
		}
	case res.Stopped():
		t.ResolutionDue = sql.NullTime{Time: close.UTC(), Valid: true}
		return in.tx.SetTicketField(ctx, t.ID, store.FieldResolutionDue, close.UTC(), in.now)
	default:
		if evs := res.Events(); evs[len(evs)-1].Kind == sla.EventPause {
			if err := res.Record(sla.Event{Kind: sla.EventResume, At: in.now, Reason: "visit planned"}); err != nil {
				return err
			}
		}
	}
	target := res.Elapsed(in.now) + cal.Between(in.now, close)
	if res, err = sla.Replay(sla.Resolution, target, res.WarnPercent(), res.Events(), cal); err != nil {
		return err
	}
	if err := storeClocks(t, fr, res); err != nil {
		return err
	}
	t.UpdatedAt = in.now
	return in.tx.SetTicketSLA(ctx, t)
}

// noticeRequester sends a staff decision's template to the requester.
func (in *deskTx) noticeRequester(ctx context.Context, t *store.Ticket, tmpl string, data mailout.NoticeData) error {
	p, err := in.tx.Participant(ctx, t.ID, t.RequesterEmail)
	if err != nil {
		return err
	}
	data.TicketNumber, data.SubjectToken, data.Subject = t.ID, mailout.TicketToken(t.ID), t.Subject
	data.DeskName, data.SupportAddress = in.desk.DisplayName, in.desk.SupportAddress
	if data.Clause == "" {
		data.Clause = in.s.regs.Clauses[data.Reason]
	}
	reply, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID, p.TokenEpoch)
	if err != nil {
		return err
	}
	return in.compose(ctx, t, mailout.Address{Name: p.Name, Email: p.Email}, reply, tmpl, data,
		sendOpts{autoSubmitted: "auto-generated", record: true})
}
