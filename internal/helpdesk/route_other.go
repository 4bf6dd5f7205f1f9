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
// the sender when there is an address to tell.
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
	if limited, err := in.rateLimited(ctx, 0, to); err != nil || limited {
		return out, err
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
	subject := strings.TrimSpace(subjectToken.ReplaceAllString(in.msg.Subject, ""))
	return out, in.notice(ctx, nil, mailout.TmplBlocked, mailout.NoticeData{Reason: "blocked", Subject: subject, Scope: b.Scope, Note: b.Reason})
}

// bounce records a delivery status notification on the ticket whose mail bounced.
func (in *intake) bounce(ctx context.Context) (Outcome, error) {
	b := in.msg.Bounce
	out := Outcome{Disposition: store.DispBounce}
	var outID, ticketID int64
	if b.OriginalMessageID != "" {
		o, err := in.tx.OutgoingByMessageID(ctx, b.OriginalMessageID)
		switch {
		case err == nil:
			outID, ticketID = o.ID, o.TicketID.Int64
		case !errors.Is(err, store.ErrNotFound):
			return out, err
		}
	}
	if ticketID == 0 {
		out.Note = "bounce of a message we do not know: " + b.OriginalMessageID
	}
	out.TicketID = ticketID
	rcpts := b.Recipients
	if len(rcpts) == 0 {
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
