package helpdesk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// The small routes: unusable, blocked and bounce.

// quarantine keeps an unusable message (the raw row stays), logs it, and tells
// the sender when there is an address to tell, and the agents when someone
// may be waiting for an answer.
func (in *intake) quarantine(ctx context.Context, reason string) (Outcome, error) {
	out := Outcome{Disposition: store.DispQuarantine, Note: reason}
	if err := in.event(ctx, 0, "message_quarantined", reason); err != nil {
		return out, err
	}
	to := ""
	if in.msg != nil && !in.msg.NullSender && !in.msg.Auto {
		to = in.msg.ReturnPath
	}
	if to == "" || in.s.isSupport(to) {
		return out, nil
	}
	limited, err := in.rateLimited(ctx, 0, to)
	if err != nil {
		return out, err
	}
	if err := in.tellAgentsQuarantined(ctx, reason, !limited); err != nil {
		return out, err
	}
	if limited {
		return out, nil
	}
	subject := ""
	if in.msg != nil {
		subject = in.msg.Subject
	}
	data := mailout.RejectedUnreadableData{
		Subject: subject, ReceivedAt: in.now.In(in.desk.Location).Format("02.01.2006 15:04"),
		DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress,
	}
	return out, in.queue(ctx, nil, mailout.Address{Email: to}, "", mailout.TmplRejectedUnreadable, data)
}

// tellAgentsQuarantined tells every active agent and lead that a message
// from a person did not become a request (rate-limited per agent like all
// automatic mail), with the commands to look at it, retry or drop it.
func (in *intake) tellAgentsQuarantined(ctx context.Context, reason string, senderTold bool) error {
	agents, err := in.tx.ActiveAgents(ctx)
	if err != nil {
		return err
	}
	data := mailout.QuarantinedData{ID: in.raw.ID, Reason: reason, SenderTold: senderTold,
		ReceivedAt: FormatLocal(in.now, in.desk.Location, in.desk.Language), DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
	if m := in.msg; m != nil {
		data.Subject = m.Subject
		if m.From != nil {
			data.From = strings.TrimSpace(m.From.Name + " <" + m.From.Email + ">")
		} else {
			data.From = m.ReturnPath
		}
	}
	for _, a := range agents {
		if limited, err := in.rateLimited(ctx, 0, a.Email); err != nil || limited {
			if err != nil {
				return err
			}
			continue
		}
		if err := in.compose(ctx, nil, mailout.Address{Name: a.Name, Email: a.Email}, "", mailout.TmplQuarantined, data,
			sendOpts{autoSubmitted: "auto-generated", rateCounted: true}); err != nil {
			return err
		}
	}
	return nil
}

// blocked refuses mail from a blocked sender, organisation, or everyone:
// the sender is told (rate-limited) and nothing else is done.
func (in *intake) blocked(ctx context.Context, r Route) (Outcome, error) {
	b := r.Block
	if r.Decision.Priority == store.PriorityIncident {
		// A security incident reaches the contacts even from a blocked sender.
		if err := in.alertIncident(ctx, nil, r.sender); err != nil {
			return Outcome{}, err
		}
	}
	out := Outcome{Disposition: store.DispBlocked, Note: "sender blocked: " + b.Scope}
	if err := in.event(ctx, 0, "blocked_sender_refused", in.msg.From.Email+" ("+b.Scope+")"); err != nil {
		return out, err
	}
	subject := strings.Join(strings.Fields(subjectToken.ReplaceAllString(in.msg.Subject, "")), " ")
	return out, in.notice(ctx, nil, mailout.TmplBlocked, mailout.NoticeData{Reason: "blocked", Subject: subject, Scope: b.Scope, Note: b.Reason})
}

// bounce records a delivery status notification on the ticket whose mail
// bounced — only when it refers to mail Otvet sent (its Message-ID), and only
// for recipients that mail had. Anything else (a forged or a stranger's DSN)
// is kept raw and ignored: its text reaches no ticket and no digest.
func (in *intake) bounce(ctx context.Context) (Outcome, error) {
	b := in.msg.Bounce
	out := Outcome{Disposition: store.DispBounce}
	var o *store.Outgoing
	if b.OriginalMessageID != "" {
		var err error
		o, err = in.tx.OutgoingByMessageID(ctx, b.OriginalMessageID)
		if errors.Is(err, store.ErrNotFound) {
			o = nil
		} else if err != nil {
			return out, err
		}
	}
	if o == nil {
		out.Note = "bounce of no mail we sent: ignored"
		return out, in.event(ctx, 0, "bounce_ignored", "refers to no mail Otvet sent: "+strconvQuote(b.OriginalMessageID))
	}
	outID, ticketID := o.ID, o.TicketID.Int64
	out.TicketID = ticketID
	sentTo := map[string]bool{}
	for _, r := range strings.Split(o.Recipients, "\n") {
		sentTo[strings.ToLower(strings.TrimSpace(r))] = true
	}
	var rcpts []mailmsg.BounceRecipient
	for _, r := range b.Recipients {
		if r.Email == "" || sentTo[strings.ToLower(r.Email)] {
			rcpts = append(rcpts, r)
		}
	}
	if len(rcpts) == 0 {
		if len(b.Recipients) > 0 {
			out.Note = "bounce for addresses our mail did not go to: ignored"
			return out, in.event(ctx, ticketID, "bounce_ignored", "names no recipient of the mail it refers to")
		}
		rcpts = []mailmsg.BounceRecipient{{}}
	}
	for _, r := range rcpts {
		if err := in.tx.InsertBounce(ctx, &store.Bounce{
			TicketID: sql.NullInt64{Int64: ticketID, Valid: ticketID != 0}, OutboxID: sql.NullInt64{Int64: outID, Valid: outID != 0},
			Recipient: strings.ToLower(r.Email), Status: r.Status, Diagnostic: r.Diagnostic, Permanent: b.Permanent, At: in.now,
		}); err != nil {
			return out, err
		}
		detail := fmt.Sprintf("%s %s %s", r.Email, r.Status, r.Diagnostic)
		if err := in.event(ctx, ticketID, "bounce", strings.TrimSpace(detail)); err != nil {
			return out, err
		}
	}
	return out, nil
}
