package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
)

// RouteKind is what intake does with a message. Triage decides it, read-only;
// one handler per route acts on it (see docs/architecture.md).
type RouteKind string

// The routes, in the order triage tries them.
const (
	RouteUnusable     RouteKind = "unusable"     // no parse, no From: quarantined, the sender told when possible
	RouteLoop         RouteKind = "loop"         // our own mail came back: recorded, never answered
	RouteBounce       RouteKind = "bounce"       // a delivery status notification: recorded on its ticket
	RouteSpam         RouteKind = "spam"         // the MX marked it as spam, or it fails DMARC: kept, never answered
	RouteStaff        RouteKind = "staff"        // mail from staff or to an agent's reply address: acted on or refused
	RouteBlocked      RouteKind = "blocked"      // a blocked sender: refused with a notice
	RouteReply        RouteKind = "reply"        // a reply on ticket #N
	RouteAuto         RouteKind = "auto"         // automatic mail about no ticket: recorded, never answered
	RouteRegistration RouteKind = "registration" // a connection request with its table
	RouteNew          RouteKind = "new"          // a new request, with the rules' decision
)

// Route is triage's verdict on one message.
type Route struct {
	Kind   RouteKind
	Detail string // why, for people (the dry run's trail, the log)
	// TicketID: the ticket a reply or staff mail is about; Linked: the closed
	// ticket a new request follows (a reply after the reopen window).
	TicketID, Linked int64
	Staff            staffVerdict
	Block            store.Block
	Registration     *regform.Request
	Contractor       *contractorRoute // RouteContractor: whose mail, on which involvement
	// Decision is the rules' decision: on a new request (after overrule), or
	// on a reply (only blocking and offensive language decide there).
	Decision rules.Decision
	sender   senderContext
}

// triage decides what a parsed message is, reading but never writing: intake
// and `otvet rules test` both call it, so the dry run cannot drift.
func (in *intake) triage(ctx context.Context, perr error) (Route, error) {
	m := in.msg
	switch {
	case perr != nil || m == nil:
		reason := "unparseable"
		if perr != nil {
			reason = perr.Error()
		}
		return Route{Kind: RouteUnusable, Detail: reason}, nil
	case m.OwnLoop || (m.From != nil && in.s.support[strings.ToLower(m.From.Email)]):
		return Route{Kind: RouteLoop, Detail: "our own mail came back: recorded, never answered"}, nil
	case m.Bounce != nil:
		return Route{Kind: RouteBounce, Detail: "a delivery status notification: recorded on the ticket whose mail bounced"}, nil
	case m.From == nil || m.From.Email == "":
		return Route{Kind: RouteUnusable, Detail: "no usable From address: " + strconvQuote(m.FromRaw)}, nil
	case !mailout.Deliverable(strings.ToLower(m.From.Email)):
		// No answer could ever be composed to it: kept, never a participant.
		return Route{Kind: RouteUnusable, Detail: "the sender's address cannot be answered: " + strconvQuote(m.From.Email)}, nil
	case m.Spam:
		return Route{Kind: RouteSpam, Detail: "marked as spam by the mail server (" + m.SpamReason + "): kept, never answered"}, nil
	case dmarcFails(m, in.desk.Auth.TrustedAuthServID):
		return Route{Kind: RouteSpam, Detail: "fails DMARC for its From domain (trusted Authentication-Results): kept, never answered"}, nil
	}
	if v, isStaff, err := in.staffVerdict(ctx); err != nil || isStaff {
		return Route{Kind: RouteStaff, TicketID: v.ticketID(), Staff: v, Detail: v.explain()}, err
	}
	if r, isContractor, err := in.triageContractor(ctx); err != nil || isContractor {
		return r, err
	}
	sc, err := in.lookupSender(ctx, m.From.Email)
	if err != nil {
		return Route{}, err
	}
	if !in.s.regs.Rules.Blocked.Disabled && !m.Auto {
		b, err := in.block(ctx)
		if err != nil {
			return Route{}, err
		}
		if b.Scope != "" {
			// The rules still run: a security incident passes every block.
			dec, err := in.decideRules(ctx, sc)
			if err != nil {
				return Route{}, err
			}
			return Route{Kind: RouteBlocked, Block: b, sender: sc, Decision: dec, Detail: b.Scope + ": " + b.Reason}, nil
		}
	}
	ticketID, err := in.match(ctx)
	if err != nil {
		return Route{}, err
	}
	if ticketID != 0 {
		return in.triageReply(ctx, ticketID, sc)
	}
	if m.Auto {
		return Route{Kind: RouteAuto, Detail: "automatic mail (" + m.AutoReason + "): recorded, never answered"}, nil
	}
	return in.triageNew(ctx, sc, 0)
}

// triageReply routes mail that belongs to a ticket: a reply, or — after the
// reopen window of a closed ticket — a new request following it.
func (in *intake) triageReply(ctx context.Context, ticketID int64, sc senderContext) (Route, error) {
	m := in.msg
	t, err := in.tx.Ticket(ctx, ticketID)
	if err != nil {
		return Route{}, err
	}
	if closedStatus(t.Status) && !m.Auto && t.ClosedAt.Valid && in.now.Sub(t.ClosedAt.Time) > in.s.reopen {
		_, outsider, err := in.standing(ctx, t)
		if err != nil {
			return Route{}, err
		}
		linked := t.ID
		if outsider {
			linked = 0 // an outsider learns nothing of the old ticket
		}
		return in.triageNew(ctx, sc, linked)
	}
	// An agent of the ticket is never the customer side: without the
	// agent's own token (staff mail, decided above) the mail is forged.
	if p, err := in.tx.Participant(ctx, t.ID, m.From.Email); err == nil && p.Role == "agent" {
		v := refused("security_forged_sender", t.ID, p.Email, mailout.SecAgentNoToken)
		return Route{Kind: RouteStaff, TicketID: t.ID, Staff: v, Detail: v.explain()}, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Route{}, err
	}
	r := Route{Kind: RouteReply, TicketID: t.ID, sender: sc, Detail: fmt.Sprintf("a reply on ticket #%d", t.ID)}
	if m.Auto {
		r.Detail = fmt.Sprintf("automatic mail (%s) on ticket #%d: recorded, never answered", m.AutoReason, t.ID)
		r.Decision = rules.Decision{Outcome: OutcomeIgnore}
		return r, nil
	}
	if r.Decision, err = in.decideRulesOn(ctx, sc, true); err != nil {
		return Route{}, err
	}
	return r, nil
}

// triageNew routes a new request: a connection request with its table, or
// an ordinary request with the rules' decision.
func (in *intake) triageNew(ctx context.Context, sc senderContext, linked int64) (Route, error) {
	if linked == 0 && in.isForm() {
		req, err := regform.Parse(in.msg)
		switch {
		case err == nil:
			return Route{Kind: RouteRegistration, Registration: req, sender: sc,
				Detail: fmt.Sprintf("a connection request: %s, %d people", req.Organisation.Name, len(req.People))}, nil
		case !errors.Is(err, regform.ErrNoTable):
			return Route{}, err
		}
	}
	dec, err := in.decideRules(ctx, sc)
	if err != nil {
		return Route{}, err
	}
	in.overrule(&dec)
	r := Route{Kind: RouteNew, Linked: linked, Decision: dec, sender: sc, Detail: "a new request"}
	if linked != 0 {
		r.Detail = fmt.Sprintf("a new request following closed ticket #%d (its reopen window has passed)", linked)
	}
	return r, nil
}

func closedStatus(s string) bool {
	return s == store.StatusResolved || s == store.StatusClosed || s == store.StatusRejected
}

// OutcomeIgnore is what `rules test` reports for mail intake records without
// applying the regulations: our own mail, bounces, automatic mail, staff mail.
const OutcomeIgnore rules.Outcome = "no-rules"

// OutcomeContractor is what `rules test` reports for a contractor's mail.
const OutcomeContractor rules.Outcome = "contractor"

// OutcomeRegistration is what `rules test` reports for a connection request.
const OutcomeRegistration rules.Outcome = "registration"

// explainRoute turns a route into the decision `otvet rules test` shows: the
// rules' own decision where they decide, else what intake does, as one step.
func explainRoute(r Route) rules.Decision {
	step := func(outcome rules.Outcome) rules.Decision {
		return rules.Decision{Outcome: outcome, Trail: []rules.Step{{Rule: string(r.Kind), Result: "fired", Detail: r.Detail}}}
	}
	switch r.Kind {
	case RouteNew:
		return r.Decision
	case RouteReply:
		if r.Decision.Outcome == OutcomeIgnore {
			return rules.Decision{Outcome: OutcomeIgnore, Trail: []rules.Step{{Rule: "auto", Result: "fired", Detail: r.Detail}}}
		}
		d := r.Decision
		if d.Outcome == "" {
			d.Outcome = rules.OutcomeOpen
		}
		d.Trail = append([]rules.Step{{Rule: "reply", Result: "fired", Detail: r.Detail}}, d.Trail...)
		return d
	case RouteBlocked:
		d := step(rules.OutcomeReject)
		d.Reason, d.Rule = rules.ReasonBlocked, "blocked"
		return d
	case RouteRegistration:
		return step(OutcomeRegistration)
	case RouteAuto:
		return step(OutcomeIgnore)
	case RouteContractor:
		return step(OutcomeContractor)
	}
	return step(OutcomeIgnore)
}

// dmarcFails reports whether the trusted server's Authentication-Results —
// only the topmost header counts, as for staff mail — says dmarc=fail.
func dmarcFails(m *mailmsg.Message, trusted string) bool {
	if trusted == "" || len(m.AuthResults) == 0 || !strings.EqualFold(m.AuthResults[0].AuthServID, trusted) {
		return false
	}
	for _, mt := range m.AuthResults[0].Methods {
		if mt.Method == "dmarc" && mt.Result == "fail" {
			return true
		}
	}
	return false
}
