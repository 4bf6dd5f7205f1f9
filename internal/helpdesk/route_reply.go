package helpdesk

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/replytext"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
)

// Replies: the handler of RouteReply.

// reply appends the message to its ticket, reopening a closed one.
func (in *intake) reply(ctx context.Context, r Route) (Outcome, error) {
	m := in.msg
	t, err := in.tx.Ticket(ctx, r.TicketID)
	if err != nil {
		return Outcome{}, err
	}
	closed := closedStatus(t.Status)
	// An outsider (neither a participant nor of the requester's organisation)
	// who holds a ticket's reply address or Message-ID is recorded, but
	// changes nothing and learns nothing about the ticket.
	participant, outsider, err := in.standing(ctx, t)
	if err != nil {
		return Outcome{}, err
	}
	if !participant {
		if err := in.addSender(ctx, t, outsider); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.storeMessage(ctx, t.ID); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Disposition: store.DispReply, TicketID: t.ID}
	if m.Auto {
		out.Note = m.AutoReason
		return out, in.event(ctx, t.ID, "auto_reply_received", m.AutoReason)
	}
	if outsider {
		// Agents see it (the user may have written from a personal
		// address); the sender is told nothing.
		out.Note = "from outside the requester's organisation: recorded, agents told"
		author := m.From.Name + " <" + m.From.Email + "> " + in.text(mailout.OutsideRequesterOrg)
		return out, in.notifyAgents(ctx, t, mailout.NotifyReply, author, replytext.Extract(m.Text).Reply)
	}
	if t.Kind == store.KindRegistration {
		if err := in.registrationFollowUp(ctx, t); err != nil {
			return Outcome{}, err
		}
	}
	if in.fetched.Truncated {
		if err := in.tooLarge(ctx, t); err != nil {
			return Outcome{}, err
		}
	}
	if rejected, err := in.offensiveReply(ctx, t, closed, r.Decision); err != nil || rejected {
		out.Note = rules.ReasonOffensive
		return out, err
	}
	if err := in.recomputeMissing(ctx, t); err != nil {
		return Outcome{}, err
	}
	switch {
	case t.Status == store.StatusResolved && rules.Gratitude(replytext.Extract(m.Text).Reply):
		// A short thanks after resolution: recorded, the ticket stays resolved.
		out.Note = "thanks after resolution"
		return out, in.tx.AddEvent(ctx, t.ID, in.now, "thanked", strings.ToLower(m.From.Email), "the customer thanked support (mail)")
	case closed:
		if err := in.lc().apply(ctx, t, Change{Event: EvReopened, Actor: m.From.Email, Via: ViaMail, Note: "the customer replied"}); err != nil {
			return Outcome{}, err
		}
		if err := in.ackBackAtWork(ctx, t, false); err != nil {
			return Outcome{}, err
		}
		out.Reopened = true
	case t.Status == store.StatusUnidentified:
		return out, in.identifyReply(ctx, t)
	case t.Status == store.StatusWaiting || t.Status == store.StatusDeferred:
		// The user answered: the ticket is back with support and its clocks run again.
		was := t.Status
		if err := in.lc().apply(ctx, t, Change{Event: EvResumed, Actor: m.From.Email, Via: ViaMail, Note: "the customer replied"}); err != nil {
			return Outcome{}, err
		}
		if was == store.StatusDeferred {
			// A deferred request (unclear, maintenance) is taken up again: told, with its due time.
			if err := in.ackBackAtWork(ctx, t, true); err != nil {
				return Outcome{}, err
			}
		}
	default:
		if err := in.tx.TouchTicket(ctx, t.ID, in.now); err != nil {
			return Outcome{}, err
		}
		if err := in.tx.AddEvent(ctx, t.ID, in.now, "replied", strings.ToLower(m.From.Email), "the customer replied (mail)"); err != nil {
			return Outcome{}, err
		}
	}
	if fresh, err := in.tx.Ticket(ctx, t.ID); err == nil && (fresh.Status == store.StatusOpen || fresh.Status == store.StatusPlanned) {
		text := replytext.Extract(m.Text).Reply
		if err := in.notifyAgents(ctx, fresh, mailout.NotifyReply, m.From.Name+" <"+m.From.Email+">", text); err != nil {
			return Outcome{}, err
		}
	} else if err != nil {
		return Outcome{}, err
	}
	return out, nil
}

// ackBackAtWork is the one rule for a customer's reply that brings a ticket
// back to work (a closed one reopened, a deferred one taken up again): the
// sender is acknowledged with the new due time.
func (in *intake) ackBackAtWork(ctx context.Context, t *store.Ticket, wasDeferred bool) error {
	p, err := in.tx.Participant(ctx, t.ID, in.msg.From.Email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	h := in.workHours()
	// The next answer due: the first response when none was given yet (an
	// unclear or maintenance-held request taken up), else the resolution.
	due := t.ResolutionDue
	if !t.FirstResponseAt.Valid && t.FirstResponseDue.Valid {
		due = t.FirstResponseDue
	}
	data := mailout.ReopenedData{
		TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID), DeskName: in.desk.DisplayName,
		DueResponse: in.formatDue(due), OutOfHours: h.outOfHours, WorkStartsAt: in.formatStart(h.start),
		SupportAddress: in.desk.SupportAddress, WasDeferred: wasDeferred,
	}
	return in.autoReply(ctx, t, p, mailout.TmplReopened, data)
}

// offensiveReply applies the offensive-language rule (§4.6.3) to a reply: a
// ticket still being worked on is rejected, a closed one is not reopened;
// either way the sender is told why, citing the clause, and the agents are
// told (staff may reopen). It reports whether the rule fired.
func (in *intake) offensiveReply(ctx context.Context, t *store.Ticket, closed bool, dec rules.Decision) (bool, error) {
	if in.s.regs.Rules.Offensive.Disabled || len(dec.Offensive) == 0 {
		return false, nil
	}
	if err := in.recordDecision(ctx, t.ID, dec); err != nil {
		return false, err
	}
	if err := in.event(ctx, t.ID, "offensive_reply", in.msg.From.Email+": "+strings.Join(dec.Offensive, ", ")); err != nil {
		return false, err
	}
	if !closed {
		if err := in.lc().apply(ctx, t, Change{Event: EvRejected, Reason: rules.ReasonOffensive, Actor: in.msg.From.Email, Via: ViaMail, Note: "offensive reply"}); err != nil {
			return false, err
		}
	}
	if err := in.notice(ctx, t, mailout.TmplOffensive, mailout.NoticeData{Reason: rules.ReasonOffensive}); err != nil {
		return false, err
	}
	return true, in.notifyAgents(ctx, t, mailout.NotifyReply, in.msg.From.Name+" <"+in.msg.From.Email+">", replytext.Extract(in.msg.Text).Reply)
}

// tooLarge tells a participant that their reply was over the size limit.
func (in *intake) tooLarge(ctx context.Context, t *store.Ticket) error {
	p, err := in.tx.Participant(ctx, t.ID, in.msg.From.Email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	kind, data := in.ackData(t, 0, nil)
	return in.autoReply(ctx, t, p, kind, data)
}

// recomputeMissing takes off the ticket's checklist (tickets.missing) what
// the customer's follow-up brings — a screenshot attached, the steps
// described, a phone number — so that agents (the notification's «Запросить»
// line, the console) ask only for what is still missing; an event records
// the change. Identification items (unidentified tickets) are the
// identification path's.
func (in *intake) recomputeMissing(ctx context.Context, t *store.Ticket) error {
	if t.Missing == "" || t.Status == store.StatusUnidentified || t.Kind == store.KindRegistration {
		return nil
	}
	lacks := rules.Quality(in.msg)
	was := splitList(t.Missing)
	var still, brought []string
	for _, item := range was {
		checklist := item == rules.CheckQuestion || item == rules.CheckSteps || item == rules.CheckScreenshot || item == rules.CheckContacts
		if !checklist || slices.Contains(lacks, item) {
			still = append(still, item)
		} else {
			brought = append(brought, item)
		}
	}
	if len(brought) == 0 {
		return nil
	}
	t.Missing = strings.Join(still, ",")
	if err := in.tx.SetTicketField(ctx, t.ID, store.FieldMissing, t.Missing, in.now); err != nil {
		return err
	}
	detail := "brought: " + strings.Join(brought, ", ")
	if len(still) > 0 {
		detail += "; still missing: " + strings.Join(still, ", ")
	}
	return in.event(ctx, t.ID, "missing_updated", detail)
}
