package helpdesk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/staffcmd"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// Third parties (regulation §4.7, docs/contractors.md): an agent passes a
// ticket to a contractor (#escalate), writes to it (#reply-contractor) and
// ends its involvement (#recall); the contractor's answers come back by
// route_contractor.go; its own clock runs on its hours (contractorTimers).

// DefaultThirdPartyClause is the clause cited when rules.clauses has no third_party.
const DefaultThirdPartyClause = "4.7"

// contractorCommand carries out #escalate, #reply-contractor and #recall:
// what to tell the agent, and whether it failed.
func (in *intake) contractorCommand(ctx context.Context, t *store.Ticket, agent *store.Staff, c staffcmd.Command) (mailout.Msg, bool, error) {
	switch c.Name {
	case staffcmd.Escalate:
		return in.escalate(ctx, t, agent, c)
	case staffcmd.ReplyContractor:
		v, k, err := in.involvementFor(ctx, t.ID, "")
		if err != nil || v == nil {
			return mailout.M(mailout.CmdNotWithContractor, ""), true, err
		}
		files, _ := in.agentFiles()
		if err := in.mailContractor(ctx, t, k, v, mailout.ContractorMessage, c.Text, "", files); err != nil {
			return mailout.Msg{}, false, err
		}
		return mailout.M(mailout.CmdContractorMessageSent, k.Name), false, nil
	case staffcmd.Recall:
		name := ""
		if len(c.Args) > 0 {
			name = c.Args[0]
		}
		v, k, err := in.involvementFor(ctx, t.ID, name)
		if err != nil || v == nil {
			return mailout.M(mailout.CmdNotWithContractor, ""), true, err
		}
		if err := in.tx.MarkInvolvement(ctx, v.ID, store.InvEnded, in.now); err != nil {
			return mailout.Msg{}, false, err
		}
		if err := in.lc().apply(ctx, t, Change{Event: EvRecalled, Actor: agent.Email, Via: ViaMail, Note: "contractor " + k.Name}); err != nil {
			return mailout.Msg{}, false, err
		}
		return mailout.M(mailout.CmdRecalled, k.Name), false, nil
	}
	return mailout.M(mailout.CmdUnknown), true, nil
}

// involvementFor is the ticket's latest open involvement (of the named
// contractor when name is given), nil when there is none.
func (in *deskTx) involvementFor(ctx context.Context, ticketID int64, name string) (*store.Involvement, *store.Contractor, error) {
	vs, err := in.tx.InvolvementsOf(ctx, ticketID)
	if err != nil {
		return nil, nil, err
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].EndedAt.Valid {
			continue
		}
		k, err := in.tx.ContractorByID(ctx, vs[i].ContractorID)
		if err != nil {
			return nil, nil, err
		}
		if name == "" || strings.EqualFold(k.Name, name) {
			return &vs[i], k, nil
		}
	}
	return nil, nil, nil
}

// escalate passes the ticket to a contractor: the request to the contractor,
// the involvement with its clock, the lifecycle event, the requester's notice.
func (in *intake) escalate(ctx context.Context, t *store.Ticket, agent *store.Staff, c staffcmd.Command) (mailout.Msg, bool, error) {
	if !Allowed(EvEscalated, t.Status) {
		return refusalWords(&NotAllowed{Event: EvEscalated, From: t.Status}), true, nil
	}
	k, err := in.tx.ContractorByName(ctx, c.Args[0])
	if errors.Is(err, store.ErrNotFound) || (err == nil && contractorMailbox(k) == "") {
		return mailout.M(mailout.CmdNoSuchContractor, c.Args[0]), true, nil
	} else if err != nil {
		return mailout.Msg{}, false, err
	}
	if v, err := in.tx.OpenInvolvement(ctx, t.ID, k.ID); err == nil && v != nil {
		return mailout.M(mailout.CmdAlreadyWithContractor, k.Name), true, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return mailout.Msg{}, false, err
	}
	addr := contractorMailbox(k)
	p, err := in.tx.AddParticipant(ctx, t.ID, addr, contractorName(k), store.RoleContractor, in.now)
	if err != nil {
		return mailout.Msg{}, false, err
	}
	target := time.Duration(k.ResponseMinutes) * time.Minute
	if target <= 0 {
		target = in.desk.FirstResponse
	}
	v := &store.Involvement{TicketID: t.ID, ContractorID: k.ID, ParticipantID: p.ID, Email: addr, StartedAt: in.now,
		TargetSeconds: int64(target / time.Second), StartedBy: agent.Email,
		TellAnswer: k.TellAnswer || (len(c.Args) > 1 && c.Args[1] == "tell-answer")}
	if cal := in.s.contractorCalendar(in.desk, k, in.now); cal != nil && target > 0 {
		v.DueAt = sql.NullTime{Time: cal.Add(in.now, target).UTC(), Valid: true}
	}
	if err := in.tx.AddInvolvement(ctx, v); err != nil {
		return mailout.Msg{}, false, err
	}
	question, err := in.tx.FirstMessageText(ctx, t.ID)
	if err != nil {
		return mailout.Msg{}, false, err
	}
	files, _ := in.agentFiles()
	if err := in.mailContractor(ctx, t, k, v, mailout.ContractorPassed, c.Text, question, files); err != nil {
		return mailout.Msg{}, false, err
	}
	if err := in.lc().apply(ctx, t, Change{Event: EvEscalated, Actor: agent.Email, Via: ViaMail, Note: "contractor " + k.Name}); err != nil {
		return mailout.Msg{}, false, err
	}
	if err := in.tellRequester(ctx, t, k, mailout.ContractorPassed); err != nil {
		return mailout.Msg{}, false, err
	}
	due := "—"
	if v.DueAt.Valid {
		due = FormatLocal(v.DueAt.Time, in.desk.Location, in.desk.Language)
	}
	return mailout.M(mailout.CmdEscalated, k.Name, addr, due), false, nil
}

// contractorMailbox is where requests to a contractor go: its first address
// that is not a domain ("" when it has none).
func contractorMailbox(k *store.Contractor) string {
	for _, a := range k.AddressList() {
		if !strings.HasPrefix(a, "@") {
			return a
		}
	}
	return ""
}

func contractorName(k *store.Contractor) string {
	if k.DisplayName != "" {
		return k.DisplayName
	}
	return k.Name
}

// mailContractor sends the contractor a request, a message or a reminder
// from the support address, with its own signed reply address (bound to the
// ticket and the contractor's participant row), [#N] and threading; nothing
// else of the ticket leaves: no other participant, no internal note.
func (in *deskTx) mailContractor(ctx context.Context, t *store.Ticket, k *store.Contractor, v *store.Involvement,
	kind, text, question string, files []mailout.Attachment) error {
	p, err := in.tx.ParticipantByID(ctx, v.ParticipantID)
	if err != nil {
		return err
	}
	d := in.desk
	data := mailout.ContractorData{Kind: kind, TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
		Contractor: contractorName(k), Question: question, Text: text, Clause: in.thirdPartyClause(),
		DeskName: d.DisplayName, SupportAddress: d.SupportAddress}
	if v.DueAt.Valid {
		data.Due = FormatLocal(v.DueAt.Time, d.Location, d.Language)
	}
	for _, f := range files {
		data.Files = append(data.Files, f.Filename+" ("+mailout.FormatSize(int64(len(f.Data)), d.Language)+")")
	}
	reply, err := in.s.signer.ReplyAddress(d.SupportAddress, t.ID, p.ID, p.TokenEpoch)
	if err != nil {
		return err
	}
	o := in.outgoing(t, mailout.TmplContractorRequest, data, mailout.Address{Name: p.Name, Email: p.Email})
	o.Attachments = files
	o.ReplyTo = &mailout.Address{Name: d.DisplayName, Email: reply}
	if kind == mailout.ContractorReminder {
		o.AutoSubmitted = "auto-generated"
	}
	if last, err := in.tx.LastMessageIDOf(ctx, t.ID, store.DirThirdParty, store.DirToThirdParty); err != nil {
		return err
	} else if last != "" {
		o.InReplyTo, o.References = last, []string{last}
	}
	row, b, err := in.enqueue(ctx, o, mailout.TmplContractorRequest, false)
	if err != nil {
		return err
	}
	return in.tx.InsertMessage(ctx, &store.Message{
		TicketID: t.ID, Direction: store.DirToThirdParty, MessageID: b.MessageID, FromAddr: strings.ToLower(d.From.Email),
		FromName: d.From.Name, ToAddrs: p.Email, Subject: b.Subject, BodyText: store.Text(b.Text), Auto: kind == mailout.ContractorReminder,
		OutboxID: sql.NullInt64{Int64: row.ID, Valid: true}, CreatedAt: in.now,
	})
}

// tellRequester sends the requester contractor_notice (passed or answered).
func (in *deskTx) tellRequester(ctx context.Context, t *store.Ticket, k *store.Contractor, kind string) error {
	p, err := in.tx.Participant(ctx, t.ID, t.RequesterEmail)
	if err != nil {
		return err
	}
	data := mailout.ContractorData{Kind: kind, TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
		Clause: in.thirdPartyClause(), DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
	if !k.HideName {
		data.Contractor = contractorName(k)
	}
	reply, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID, p.TokenEpoch)
	if err != nil {
		return err
	}
	return in.compose(ctx, t, mailout.Address{Name: p.Name, Email: p.Email}, reply, mailout.TmplContractorNotice, data,
		sendOpts{autoSubmitted: "auto-generated", record: true})
}

func (in *deskTx) thirdPartyClause() string {
	if c := in.s.regs.Clauses["third_party"]; c != "" {
		return c
	}
	return DefaultThirdPartyClause
}

// contractorCalendar is the business time of a contractor: its hours
// ("09:00-18:00") on the production calendar in the desk's zone, or the
// desk's own calendar when it has none (nil: no calendar, no due times).
func (s *Service) contractorCalendar(d *Desk, k *store.Contractor, now time.Time) Calendar {
	if d.Calendar == nil || k.Hours == "" {
		return d.Calendar
	}
	h, err := ParseHours(k.Hours)
	if err != nil {
		s.log.Warn("contractor hours unreadable; the desk's calendar is used", "contractor", k.Name, "hours", k.Hours, "err", err)
		return d.Calendar
	}
	y := now.In(d.Location).Year()
	c, err := workcal.New(workcal.Options{Location: d.Location, Hours: h, FirstYear: y - 1, LastYear: y + 3})
	if err != nil {
		s.log.Warn("contractor calendar", "contractor", k.Name, "err", err)
		return d.Calendar
	}
	return c
}

// ParseHours reads support hours written "09:00-18:00" (or with "–").
func ParseHours(s string) (workcal.Hours, error) {
	a, b, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), "–", "-"), "-")
	if !ok {
		return workcal.Hours{}, fmt.Errorf("hours %q: want HH:MM-HH:MM", s)
	}
	clock := func(x string) (time.Duration, error) {
		t, err := time.Parse("15:04", strings.TrimSpace(x))
		if err != nil {
			if strings.TrimSpace(x) == "24:00" {
				return 24 * time.Hour, nil
			}
			return 0, fmt.Errorf("hours %q: %w", s, err)
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
	}
	start, err := clock(a)
	if err != nil {
		return workcal.Hours{}, err
	}
	end, err := clock(b)
	if err != nil {
		return workcal.Hours{}, err
	}
	if start >= end {
		return workcal.Hours{}, fmt.Errorf("hours %q: the end must follow the start", s)
	}
	return workcal.Hours{Start: start, End: end}, nil
}

// contractorTimers runs the contractors' own clocks (the scheduler, Tick):
// when a contractor's response target comes unanswered, the contractor is
// reminded once; when it is breached — rules ContractorAlertAfter later in
// business time on the contractor's hours (tickets.contractor_alert_after,
// default 1h) and still unanswered — the ticket's agents are alerted once.
func (s *Service) contractorTimers(ctx context.Context, tx *store.Tx, now time.Time) (int, error) {
	due, err := tx.InvolvementsDue(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	// Read once per tick: the contractors, and their calendars per desk (zone).
	type deskContractor struct {
		desk string
		id   int64
	}
	cals := map[deskContractor]Calendar{}
	ks := map[int64]*store.Contractor{}
	for i := range due {
		v := &due[i]
		t, err := tx.Ticket(ctx, v.TicketID)
		if err != nil {
			return n, err
		}
		in, ok := s.ticketDesk(tx, t, now)
		if !ok {
			continue
		}
		k, ok := ks[v.ContractorID]
		if !ok {
			if k, err = tx.ContractorByID(ctx, v.ContractorID); err != nil {
				return n, err
			}
			ks[v.ContractorID] = k
		}
		acted := false
		if !v.RemindedAt.Valid {
			if err := in.mailContractor(ctx, t, k, v, mailout.ContractorReminder, "", "", nil); err != nil {
				return n, err
			}
			if err := tx.MarkInvolvement(ctx, v.ID, store.InvReminded, now); err != nil {
				return n, err
			}
			if err := tx.AddEvent(ctx, t.ID, now, "contractor_reminded", "system", k.Name+" <"+v.Email+">"); err != nil {
				return n, err
			}
			acted = true
		}
		key := deskContractor{t.Desk, k.ID}
		cal, ok := cals[key]
		if !ok {
			cal = s.contractorCalendar(in.desk, k, now)
			cals[key] = cal
		}
		if !v.BreachedAt.Valid && !now.Before(contractorAlertAt(cal, v.DueAt.Time, s.regs.ContractorAlertAfter)) {
			if err := tx.MarkInvolvement(ctx, v.ID, store.InvBreached, now); err != nil {
				return n, err
			}
			if err := tx.AddEvent(ctx, t.ID, now, "contractor_breached", "system", k.Name+" <"+v.Email+">"); err != nil {
				return n, err
			}
			if err := in.notifyWith(ctx, t, mailout.NotifyContractorBreach, "", k.Name+" <"+v.Email+">", "", notifyExtras{}); err != nil {
				return n, err
			}
			acted = true
		}
		if acted {
			n++
		}
	}
	return n, nil
}

// contractorAlertAt is when a contractor due at due is breached: after
// more business time on its calendar (wall time without one).
func contractorAlertAt(cal Calendar, due time.Time, after time.Duration) time.Time {
	if after <= 0 {
		return due
	}
	if cal == nil {
		return due.Add(after)
	}
	return cal.Add(due, after)
}

// ContractorPause is the reason recorded on the resolution clock paused
// while a contractor works (a level with with_contractor: pauses).
const ContractorPause = "contractor"

// pausesWithContractor reports whether the ticket's support level pauses
// the resolution clock while a contractor works (config
// support_levels[].with_contractor; default: it runs).
func (lc *lifecycle) pausesWithContractor(t *store.Ticket) bool {
	level := t.SupportLevel
	if level == "" {
		level = lc.desk.Level
	}
	return lc.s.regs.PauseWithContractor[level]
}

// heldByContractor reports whether the ticket's resolution clock must stay
// paused: its level pauses with a contractor and one is still involved.
func (lc *lifecycle) heldByContractor(ctx context.Context, t *store.Ticket) (bool, error) {
	if !lc.pausesWithContractor(t) {
		return false, nil
	}
	vs, err := lc.tx.InvolvementsOf(ctx, t.ID)
	if err != nil {
		return false, err
	}
	for _, v := range vs {
		if !v.EndedAt.Valid {
			return true, nil
		}
	}
	return false, nil
}

// contractorPause pauses the resolution clock of a ticket just passed to a
// contractor when its level says so (the lifecycle's escalated event).
func (lc *lifecycle) contractorPause(ctx context.Context, t *store.Ticket) error {
	if lc.desk.Calendar == nil || !lc.pausesWithContractor(t) {
		return nil
	}
	return lc.contractorClock(ctx, t, sla.EventPause, ContractorPause)
}

// contractorResume lets the resolution clock paused for a contractor count
// again when the involvement ended (#recall), unless another contractor
// still holds it or the ticket's state pauses it anyway (waiting, deferred:
// it resumes with the state).
func (lc *lifecycle) contractorResume(ctx context.Context, t *store.Ticket) error {
	if lc.desk.Calendar == nil || (t.Status != store.StatusOpen && t.Status != store.StatusPlanned) {
		return nil
	}
	if held, err := lc.heldByContractor(ctx, t); err != nil || held {
		return err
	}
	return lc.contractorClock(ctx, t, sla.EventResume, string(EvRecalled))
}

// contractorClock records a pause or resume on the resolution clock alone
// (a running clock is not resumed, a paused one not paused again).
func (lc *lifecycle) contractorClock(ctx context.Context, t *store.Ticket, kind sla.EventKind, reason string) error {
	fr, res, err := loadClocks(t, lc.desk.Calendar)
	if err != nil || res == nil || res.Stopped() {
		return err
	}
	if err := res.Record(sla.Event{Kind: kind, At: lc.now, Reason: reason}); errors.Is(err, sla.ErrTransition) {
		return nil
	} else if err != nil {
		return err
	}
	if err := storeClocks(t, fr, res); err != nil {
		return err
	}
	t.UpdatedAt = lc.now
	return lc.tx.SetTicketSLA(ctx, t)
}
