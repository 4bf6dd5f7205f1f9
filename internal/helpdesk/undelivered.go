package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

// Undelivered tells the agents of a ticket (its assignee, or every active
// agent when it has none) that mail of the ticket to the customer was given
// up by the outbox: the relay refused it, or it could not be sent within
// outbox.give_up_after. It is outbox.Options.OnGiveUp, called once per row
// given up, and queues the notification in its own transaction. Mail to
// staff and mail of no ticket are left to the digest.
func (s *Service) Undelivered(ctx context.Context, o store.Outgoing) error {
	if !o.TicketID.Valid || mailout.ToStaff(o.Kind) {
		return nil
	}
	now := s.now().UTC()
	var told []string
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		told = nil
		t, err := tx.Ticket(ctx, o.TicketID.Int64)
		if errors.Is(err, store.ErrNotFound) {
			return nil // purged since
		} else if err != nil {
			return err
		}
		in, ok := s.ticketDesk(tx, t, now)
		if !ok {
			return nil
		}
		to, err := in.recipients(ctx, t, "")
		if err != nil {
			return err
		}
		if o.Kind == mailout.TmplAgentReply {
			// The agent who wrote the answer hears of it first, whoever has the ticket.
			if to, err = in.withAuthor(ctx, t, o, to); err != nil {
				return err
			}
		}
		data := in.undeliveredData(ctx, t, o)
		var notBefore time.Time
		if c := in.desk.Calendar; c != nil && t.Priority != store.PriorityIncident && !c.IsOpen(now) {
			notBefore = c.NextOpen(now)
		}
		for _, st := range to {
			p, err := tx.AddParticipant(ctx, t.ID, st.Email, st.Name, "agent", now)
			if err != nil {
				return err
			}
			if p.Role != "agent" {
				continue // a staff member who is also the customer here gets the customer's mail only
			}
			reply, err := s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID, p.TokenEpoch)
			if err != nil {
				return err
			}
			if err := in.compose(ctx, t, mailout.Address{Name: st.Name, Email: st.Email}, reply, mailout.TmplAgentNotify, data,
				sendOpts{autoSubmitted: "auto-generated", notBefore: notBefore}); err != nil {
				return err
			}
			told = append(told, st.Email)
		}
		detail := fmt.Sprintf("outbox #%d (%s to %s): no active agent to tell", o.ID, o.Kind, data.Undelivered.To)
		if len(told) > 0 {
			detail = fmt.Sprintf("outbox #%d (%s to %s): told %s", o.ID, o.Kind, data.Undelivered.To, strings.Join(told, ", "))
		}
		return tx.AddEvent(ctx, t.ID, now, "undelivered_notified", "system", detail)
	})
	if err != nil {
		return fmt.Errorf("tell agents of undelivered mail of ticket #%d: %w", o.TicketID.Int64, err)
	}
	if len(told) > 0 {
		s.log.Info("agents told of undelivered mail", "ticket", o.TicketID.Int64, "outbox_id", o.ID, "agents", told)
		s.queued()
	}
	return nil
}

// withAuthor puts the active agent who wrote the answer carried by o in
// front of to (once).
func (in *deskTx) withAuthor(ctx context.Context, t *store.Ticket, o store.Outgoing, to []store.Staff) ([]store.Staff, error) {
	author, err := in.tx.AuthorAt(ctx, t.ID, o.CreatedAt)
	if err != nil || author == "" {
		return to, err
	}
	st, err := in.tx.StaffByEmail(ctx, author)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !st.Active) {
		return to, nil
	} else if err != nil {
		return to, err
	}
	out := []store.Staff{*st}
	for _, s := range to {
		if !strings.EqualFold(s.Email, st.Email) {
			out = append(out, s)
		}
	}
	return out, nil
}

// undeliveredData is the agent_notify data of a NotifyUndelivered.
func (in *deskTx) undeliveredData(ctx context.Context, t *store.Ticket, o store.Outgoing) mailout.AgentNotifyData {
	reason, detail := outbox.GiveUpReason(o.LastError)
	u := &mailout.UndeliveredMail{OutboxID: o.ID, To: strings.ReplaceAll(o.Recipients, "\n", ", "), Subject: o.Subject,
		What: o.Kind, Reason: reason, Detail: clipText(detail, 300)}
	if reason == mailout.GiveUpExpired && o.GivenUpAt.Valid {
		since := o.CreatedAt
		if o.RequeuedAt.Valid {
			since = o.RequeuedAt.Time
		}
		u.Hours = int(o.GivenUpAt.Time.Sub(since) / time.Hour)
	}
	data := mailout.AgentNotifyData{
		Kind: mailout.NotifyUndelivered, TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
		Status: t.Status, Requester: t.RequesterEmail, Level: t.SupportLevel, Priority: t.Priority, Undelivered: u,
		DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress,
	}
	if t.RequesterName != "" {
		data.Requester = t.RequesterName + " <" + t.RequesterEmail + ">"
	}
	if t.OrgID.Valid {
		if org, err := in.tx.OrgByID(ctx, t.OrgID.Int64); err == nil {
			data.Organisation = org.Name
		}
	}
	return data
}

// clipText cuts s to at most n bytes on a rune boundary, marking the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
