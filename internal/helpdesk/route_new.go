package helpdesk

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

// New requests: the handler of RouteNew.

// open creates a new ticket from the message (linked to an old one when
// r.Linked != 0) with the outcome of the rules' decision triage made, and
// queues the one answer that outcome calls for.
func (in *intake) open(ctx context.Context, r Route) (Outcome, error) {
	m, d := in.msg, in.desk
	sc, dec, linked := r.sender, r.Decision, r.Linked
	subject := ticketSubject(m)
	name := m.From.Name
	if sc.user != nil && sc.user.FullName != "" {
		name = sc.user.FullName
	} else if dec.Identity != nil && dec.Identity.FullName != "" && name == "" {
		name = dec.Identity.FullName
	}
	t := &store.Ticket{
		Desk: d.Name, Status: store.StatusOpen, Channel: in.channel(), Subject: subject,
		RequesterEmail: strings.ToLower(m.From.Email), RequesterName: name,
		LinkedTicketID: sql.NullInt64{Int64: linked, Valid: linked != 0}, CreatedAt: in.now, UpdatedAt: in.now,
		Priority: store.PriorityNormal, Suggestions: strings.Join(dec.OutOfScope, ","),
	}
	if dec.Priority == store.PriorityIncident {
		t.Priority = store.PriorityIncident
	}
	if sc.org != nil {
		t.OrgID = sql.NullInt64{Int64: sc.org.ID, Valid: true}
	}
	var err error
	if t.System, err = in.detectSystem(ctx, sc); err != nil {
		return Outcome{}, err
	}
	var tg Targets
	t.SupportLevel, tg = in.targets(t.Priority, sc)
	switch dec.Outcome {
	case rules.OutcomeReject:
		t.Status, t.Reason, t.ClosedAt = store.StatusRejected, dec.Reason, sql.NullTime{Time: in.now, Valid: true}
	case rules.OutcomeUnidentified:
		// No SLA clock runs until the sender is identified; the request waits.
		t.Status, t.Reason, t.Missing = store.StatusUnidentified, dec.Reason, strings.Join(dec.Missing, ",")
		if c := d.Calendar; c != nil {
			t.ResumeAt = sql.NullTime{Time: c.Add(in.now, time.Duration(in.s.regs.IdentifyWaitDays)*d.DayLength).UTC(), Valid: true}
		}
	case rules.OutcomeDefer:
		t.Status, t.Reason = store.StatusDeferred, dec.Reason
		if dec.Window != nil {
			// Held by this window: its end, or its removal, releases the request.
			t.ResumeAt = sql.NullTime{Time: dec.Window.To.UTC(), Valid: true}
			t.HoldWindowID = sql.NullInt64{Int64: dec.Window.ID, Valid: true}
		}
		if err := in.lc().startClocks(t, tg); err != nil {
			return Outcome{}, err
		}
	default:
		t.Missing = strings.Join(dec.Missing, ",")
		if err := in.lc().startClocks(t, tg); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.tx.CreateTicket(ctx, t); err != nil {
		return Outcome{}, err
	}
	p, err := in.tx.AddParticipant(ctx, t.ID, m.From.Email, name, "requester", in.now)
	if err != nil {
		return Outcome{}, err
	}
	if err := in.addColleagues(ctx, t); err != nil {
		return Outcome{}, err
	}
	if err := in.storeMessage(ctx, t.ID); err != nil {
		return Outcome{}, err
	}
	detail := ""
	if linked != 0 {
		detail = fmt.Sprintf("follows #%d", linked)
	}
	if err := in.event(ctx, t.ID, "ticket_opened", detail); err != nil {
		return Outcome{}, err
	}
	if err := in.recordDecision(ctx, t.ID, dec); err != nil {
		return Outcome{}, err
	}
	if err := in.selfIdentify(ctx, dec, sc, t.ID); err != nil {
		return Outcome{}, err
	}
	if t.Status == store.StatusDeferred {
		if err := in.lc().changeClocks(ctx, t, sla.EventPause, dec.Reason); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.answerOutcome(ctx, t, p, linked, dec); err != nil {
		return Outcome{}, err
	}
	if t.Priority == store.PriorityIncident {
		if err := in.alertIncident(ctx, t, sc); err != nil {
			return Outcome{}, err
		}
	}
	if t.Status == store.StatusOpen || t.Reason == rules.ReasonOffensive {
		// Agents hear of an offensive request too: staff may reopen it.
		if err := in.notifyAgents(ctx, t, mailout.NotifyNew, t.RequesterName, in.msg.Text); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{Disposition: store.DispTicket, TicketID: t.ID, Note: dec.Reason}, nil
}

// overrule applies what intake knows beyond the rules to their decision on
// a new request. `otvet rules test` calls it too, so it explains what intake does.
func (in *intake) overrule(dec *rules.Decision) {
	if dec.Priority == store.PriorityIncident && dec.Outcome == rules.OutcomeDefer {
		// A security incident never waits, maintenance or not.
		dec.Trail = append(dec.Trail, rules.Step{Rule: "incident", Result: "fired", Detail: "an incident is not deferred: " + dec.Reason})
		dec.Outcome, dec.Reason, dec.Rule, dec.Window = rules.OutcomeOpen, "", "", nil
	}
	if in.fetched.Truncated && !in.hasText() && dec.Outcome == rules.OutcomeDefer && dec.Reason == rules.ReasonUnclear {
		// An oversized message without a text part: the too-large notice asks for the text.
		dec.Trail = append(dec.Trail, rules.Step{Rule: "unclear", Result: "skipped", Detail: "an oversized message without text: the too-large notice asks for the text"})
		dec.Outcome, dec.Reason, dec.Rule = rules.OutcomeOpen, "", ""
	}
	if dec.Outcome == rules.OutcomeOpen && len(dec.Missing) > 0 {
		if kept, why := in.checklist(*dec); why != "" {
			dec.Trail = append(dec.Trail, rules.Step{Rule: rules.RuleQuality, Result: rules.ResultFired,
				Detail: "the checklist fits " + why + "; asked: " + strings.Join(kept, ", ")})
			dec.Missing = kept
		}
	}
}

// answerOutcome queues the one answer a new ticket's outcome calls for.
func (in *intake) answerOutcome(ctx context.Context, t *store.Ticket, p *store.Participant, linked int64, dec rules.Decision) error {
	switch {
	case dec.Outcome == rules.OutcomeReject && dec.Reason == "offensive":
		return in.notice(ctx, t, mailout.TmplOffensive, mailout.NoticeData{Reason: dec.Reason})
	case dec.Outcome == rules.OutcomeUnidentified:
		return in.notice(ctx, t, mailout.TmplIdentify, mailout.NoticeData{Reason: dec.Reason, Missing: dec.Missing})
	case dec.Outcome == rules.OutcomeDefer && dec.Window != nil:
		return in.notice(ctx, t, mailout.TmplMaintenance, mailout.NoticeData{Reason: dec.Reason, System: dec.Window.System,
			Until: FormatLocal(dec.Window.To, in.desk.Location, in.desk.Language), Note: dec.Window.Note})
	case dec.Outcome == rules.OutcomeDefer:
		return in.notice(ctx, t, mailout.TmplUnclear, mailout.NoticeData{Reason: dec.Reason})
	}
	var missing []string
	if !in.s.regs.Rules.Quality.Disabled {
		missing = dec.Missing
	}
	kind, data := in.ackData(t, linked, missing)
	if ack, ok := data.(mailout.AckData); ok {
		arts, err := in.suggestArticles(ctx, t)
		if err != nil {
			return err
		}
		if len(arts) > 0 {
			ack.Articles, ack.KBClause = arts, in.kbClauseText()
		}
		data = ack
	}
	return in.autoReply(ctx, t, p, kind, data)
}

// channel is how the request came in.
func (in *intake) channel() string {
	if in.phone {
		return "phone"
	}
	return "email"
}

// checklist adapts the §4.4 checklist items a new request lacks (the
// rules' quality step) to its kind, and says why ("" when it keeps them): a
// question — one that asks without reporting a failure, or one about a law —
// is asked for no steps or screenshot of an error; a phone call for no
// screenshot; a security incident for neither (its acknowledgement tells the
// client to stop using the workstation instead). docs/rules.md (quality).
func (in *intake) checklist(dec rules.Decision) ([]string, string) {
	drop := map[string]bool{}
	var why []string
	switch {
	case dec.Priority == store.PriorityIncident:
		drop[rules.CheckSteps], drop[rules.CheckScreenshot] = true, true
		why = append(why, "an incident")
	case slices.Contains(dec.OutOfScope, "legislation") || dec.Question:
		drop[rules.CheckSteps], drop[rules.CheckScreenshot] = true, true
		why = append(why, "a question")
	}
	if in.phone {
		drop[rules.CheckScreenshot] = true
		why = append(why, "a phone call")
	}
	out := []string{}
	for _, m := range dec.Missing {
		if !drop[m] {
			out = append(out, m)
		}
	}
	if len(out) == len(dec.Missing) {
		return dec.Missing, ""
	}
	return out, strings.Join(why, ", ")
}

// DefaultIncidentClause is the agreement's clause on security incidents
// cited when rules.clauses has no incident.
const DefaultIncidentClause = "3.9"

func (in *deskTx) incidentClause() string {
	if c := in.s.regs.Clauses["incident"]; c != "" {
		return c
	}
	return DefaultIncidentClause
}
