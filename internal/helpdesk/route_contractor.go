package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/replytext"
	"github.com/otvet/otvet/internal/store"
)

// Contractors' mail: the handler of RouteContractor (docs/contractors.md).

// RouteContractor: mail from a contractor, or to a contractor's signed reply
// address. Decided after staff mail and before blocking.
const RouteContractor RouteKind = "contractor"

// DispContractor is the raw disposition of a contractor's mail.
const DispContractor = "contractor"

// contractorRoute is triage's verdict on a contractor's mail.
type contractorRoute struct {
	contractor  *store.Contractor
	involvement *store.Involvement // nil: about no known ticket
}

// triageContractor decides, read-only, whether the message is a contractor's:
// to a contractor's signed reply address (only from that contractor's
// addresses or domains; anyone else is refused as a forged sender), or from
// a contractor's address (threaded or with [#N] on a ticket it was passed,
// or else about no known ticket).
func (in *intake) triageContractor(ctx context.Context) (Route, bool, error) {
	m := in.msg
	from := strings.ToLower(m.From.Email)
	if ticketID, partID, ok := in.tokenOf(); ok {
		p, err := in.tx.ParticipantByID(ctx, partID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Route{}, false, err
		}
		if err == nil && p.TicketID == ticketID && p.Role == store.RoleContractor {
			v, err := in.tx.InvolvementByParticipant(ctx, p.ID)
			if err != nil {
				return Route{}, false, err
			}
			k, err := in.tx.ContractorByID(ctx, v.ContractorID)
			if err != nil {
				return Route{}, false, err
			}
			if !k.Serves(from) {
				sv := refused("security_forged_contractor", ticketID, "", mailout.SecContractorForged, k.Name, from)
				return Route{Kind: RouteStaff, TicketID: ticketID, Staff: sv, Detail: sv.explain()}, true, nil
			}
			return in.contractorRoute(k, v), true, nil
		}
	}
	k, err := in.tx.ContractorOf(ctx, from)
	if errors.Is(err, store.ErrNotFound) {
		return Route{}, false, nil
	} else if err != nil {
		return Route{}, false, err
	}
	ref, err := in.referencedTicket(ctx)
	if err != nil {
		return Route{}, false, err
	}
	if ref != 0 {
		if v, err := in.tx.OpenInvolvement(ctx, ref, k.ID); err == nil {
			return in.contractorRoute(k, v), true, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return Route{}, false, err
		}
		// Passed before and recalled: still the contractor's answer on it.
		vs, err := in.tx.InvolvementsOf(ctx, ref)
		if err != nil {
			return Route{}, false, err
		}
		for i := len(vs) - 1; i >= 0; i-- {
			if vs[i].ContractorID == k.ID {
				return in.contractorRoute(k, &vs[i]), true, nil
			}
		}
	}
	return Route{Kind: RouteContractor, Contractor: &contractorRoute{contractor: k},
		Detail: fmt.Sprintf("mail from contractor %s about no known ticket: kept, agents told, nothing opened", k.Name)}, true, nil
}

func (in *deskTx) contractorRoute(k *store.Contractor, v *store.Involvement) Route {
	return Route{Kind: RouteContractor, TicketID: v.TicketID, Contractor: &contractorRoute{contractor: k, involvement: v},
		Detail: fmt.Sprintf("contractor %s on ticket #%d: stored as third_party, agents told, never sent to the customer", k.Name, v.TicketID)}
}

// contractorMail stores a contractor's answer on its ticket and tells the
// agents; the customer hears of it only from an agent (or, when asked for,
// that an answer came).
func (in *intake) contractorMail(ctx context.Context, r Route) (Outcome, error) {
	m := in.msg
	k := r.Contractor.contractor
	author := contractorName(k) + " <" + strings.ToLower(m.From.Email) + ">"
	v := r.Contractor.involvement
	if v == nil {
		out := Outcome{Disposition: DispContractor, Note: "contractor mail about no known ticket"}
		if err := in.event(ctx, 0, "contractor_mail_unmatched", author+": "+strconvQuote(m.Subject)); err != nil {
			return Outcome{}, err
		}
		if m.Auto {
			return out, nil
		}
		agents, err := in.tx.ActiveAgents(ctx)
		if err != nil {
			return Outcome{}, err
		}
		for _, s := range agents {
			data := mailout.AgentNotifyData{Kind: mailout.NotifyContractorUnknown, Subject: m.Subject, SubjectToken: "[" + k.Name + "]",
				Requester: author, Author: author, Text: replytext.Extract(m.Text).Reply,
				DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
			if err := in.queueInternal(ctx, nil, mailout.Address{Name: s.Name, Email: s.Email}, mailout.TmplAgentNotify, data); err != nil {
				return Outcome{}, err
			}
		}
		return out, nil
	}
	t, err := in.tx.Ticket(ctx, v.TicketID)
	if err != nil {
		return Outcome{}, err
	}
	if err := in.storeThirdParty(ctx, t.ID); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Disposition: DispContractor, TicketID: t.ID}
	if m.Auto {
		out.Note = m.AutoReason
		return out, in.event(ctx, t.ID, "contractor_auto_reply", author+": "+m.AutoReason)
	}
	first := !v.AnsweredAt.Valid
	if first {
		var business = in.now.Sub(v.StartedAt)
		if cal := in.s.contractorCalendar(in.desk, k, in.now); cal != nil {
			business = cal.Between(v.StartedAt, in.now)
		}
		if err := in.tx.AnswerInvolvement(ctx, v.ID, in.now, business); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.lc().apply(ctx, t, Change{Event: EvContractorAnswered, Actor: strings.ToLower(m.From.Email), Via: ViaMail,
		Note: "contractor " + k.Name}); err != nil {
		return Outcome{}, err
	}
	if err := in.notifyAgents(ctx, t, mailout.NotifyContractorAnswer, author, replytext.Extract(m.Text).Reply); err != nil {
		return Outcome{}, err
	}
	if first && v.TellAnswer && !v.EndedAt.Valid {
		if err := in.tellRequester(ctx, t, k, mailout.ContractorAnswered); err != nil {
			return Outcome{}, err
		}
	}
	return out, nil
}

// storeThirdParty records the contractor's message on the ticket (direction
// third_party: never part of what the customer is sent).
func (in *intake) storeThirdParty(ctx context.Context, ticketID int64) error {
	return in.storeAs(ctx, ticketID, store.DirThirdParty)
}
