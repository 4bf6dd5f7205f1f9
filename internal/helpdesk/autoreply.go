package helpdesk

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

// hours tells whether the request came outside working time, and when work starts.
type hours struct {
	outOfHours bool
	start      time.Time
}

func (in *deskTx) workHours() hours {
	c := in.desk.Calendar
	if c == nil || c.IsOpen(in.now) {
		return hours{}
	}
	return hours{outOfHours: true, start: c.NextOpen(in.now)}
}

func (in *deskTx) formatDue(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return FormatLocal(t.Time, in.desk.Location, in.desk.Language)
}

func (in *deskTx) formatStart(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(in.desk.Location).Format(in.text(mailout.LayoutDateAtTime))
}

// FormatLocal formats an instant for a person in the desk's zone:
// "27.12.2024 16:00 (Иркутск)".
func FormatLocal(t time.Time, loc *time.Location, lang string) string {
	l := t.In(loc)
	return l.Format("02.01.2006 15:04") + " (" + ZoneLabel(loc, lang, l) + ")"
}

// ZoneLabel names a desk's zone the way people in Russia say it (the
// catalogue's zone names), else as its offset from UTC.
func ZoneLabel(loc *time.Location, lang string, at time.Time) string {
	if n, ok := mailout.Lookup(lang, mailout.ZoneKey(loc.String())); ok {
		return n
	}
	_, off := at.Zone()
	return fmt.Sprintf("UTC%+d", off/3600)
}

// ackData picks the acknowledgement of a new ticket and fills it.
func (in *intake) ackData(t *store.Ticket, linked int64, missing []string) (string, any) {
	h := in.workHours()
	d := in.desk
	if in.fetched.Truncated {
		return mailout.TmplTooLarge, in.tooLargeData(t) // oversized.go
	}
	var dropped []mailout.DroppedFile
	for _, a := range in.attachments() {
		if a.Dropped {
			dropped = append(dropped, mailout.DroppedFile{Name: a.Filename, Size: mailout.FormatSize(a.Size, d.Language), Reason: mailout.DropTooLarge,
				Limit: in.attachmentLimit(a)})
		}
	}
	if linked != 0 {
		return mailout.TmplNewAfterClosed, mailout.NewAfterClosedData{
			TicketNumber: t.ID, OldTicketNumber: linked, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
			DeskName: d.DisplayName, DueFirstResponse: in.formatDue(t.FirstResponseDue), OutOfHours: h.outOfHours,
			WorkStartsAt: in.formatStart(h.start), Dropped: dropped, SupportAddress: d.SupportAddress,
		}
	}
	return mailout.TmplAck, mailout.AckData{
		TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID), DeskName: d.DisplayName,
		DueFirstResponse: in.formatDue(t.FirstResponseDue), OutOfHours: h.outOfHours, WorkStartsAt: in.formatStart(h.start),
		Dropped: dropped, SupportAddress: d.SupportAddress, Missing: missing, Incident: t.Priority == store.PriorityIncident,
		QualityClause: in.s.regs.Clauses["quality"], IncidentClause: in.incidentClause(),
	}
}

// autoReply queues an automatic answer to a participant, unless the message
// itself was automatic or the recipient already got too many this hour.
func (in *intake) autoReply(ctx context.Context, t *store.Ticket, p *store.Participant, tmpl string, data any) error {
	if in.msg != nil && in.msg.Auto {
		return nil
	}
	return in.deskTx.autoReply(ctx, t, p, tmpl, data, in.thread())
}

// autoReply queues an automatic message to a participant with their signed
// reply address, threaded to th, unless they already got too many this hour.
func (in *deskTx) autoReply(ctx context.Context, t *store.Ticket, p *store.Participant, tmpl string, data any, th threading) error {
	if limited, err := in.rateLimited(ctx, t.ID, p.Email); err != nil || limited {
		return err
	}
	reply, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID, p.TokenEpoch)
	if err != nil {
		return err
	}
	return in.queue(ctx, t, mailout.Address{Name: p.Name, Email: p.Email}, reply, tmpl, data, th)
}

// rateLimited reports (and records) that a recipient already got
// auto_reply.max_per_hour automatic messages in the last hour.
func (in *deskTx) rateLimited(ctx context.Context, ticketID int64, rcpt string) (bool, error) {
	if in.s.autoMax <= 0 {
		return false, nil
	}
	n, err := in.tx.CountAutoSince(ctx, strings.ToLower(rcpt), in.now.Add(-time.Hour))
	if err != nil {
		return false, fmt.Errorf("count auto-replies: %w", err)
	}
	n += in.mail.pendingAuto(rcpt) // queued in this transaction, not written yet (mailwork.go)
	if n < in.s.autoMax {
		return false, nil
	}
	return true, in.event(ctx, ticketID, "auto_reply_suppressed",
		fmt.Sprintf("%s already got %d automatic messages in the last hour", rcpt, n))
}

// sendOpts say what kind of mail compose makes.
type sendOpts struct {
	autoSubmitted string    // "auto-replied" for answers to incoming mail, "auto-generated" otherwise
	thread        threading // In-Reply-To/References: the message being answered
	rateCounted   bool      // counts towards auto_reply.max_per_hour
	record        bool      // part of the ticket's conversation
	notBefore     time.Time // do not send before (working hours), zero: now
	attachments   []mailout.Attachment
	headers       map[string]string
}

// threading is what an answer refers to: the message it answers.
type threading struct {
	inReplyTo  string
	references []string
}

// thread is the threading of an answer to the message being processed.
func (in *intake) thread() threading {
	if in.msg == nil || in.msg.MessageID == "" {
		return threading{}
	}
	return threading{inReplyTo: in.msg.MessageID, references: append(append([]string{}, in.msg.References...), in.msg.MessageID)}
}

// queueInternal sends a template to staff (e.g. the security contacts): not a
// reply to the incoming message, not rate-limited, not part of the conversation.
func (in *deskTx) queueInternal(ctx context.Context, t *store.Ticket, to mailout.Address, tmpl string, data any) error {
	return in.compose(ctx, t, to, "", tmpl, data, sendOpts{autoSubmitted: "auto-generated"})
}

// queue renders a template, composes the mail with its Message-ID fixed now,
// and stores it in the outbox (and in the ticket's conversation): an automatic
// answer to the message being processed.
func (in *intake) queue(ctx context.Context, t *store.Ticket, to mailout.Address, replyTo, tmpl string, data any) error {
	return in.deskTx.queue(ctx, t, to, replyTo, tmpl, data, in.thread())
}

// queue renders an automatic answer threaded to th (none for a scheduled
// change), composes it and stores it in the outbox and the conversation.
func (in *deskTx) queue(ctx context.Context, t *store.Ticket, to mailout.Address, replyTo, tmpl string, data any, th threading) error {
	return in.compose(ctx, t, to, replyTo, tmpl, data, sendOpts{autoSubmitted: "auto-replied", thread: th, rateCounted: true, record: true})
}

// outgoing starts the desk's mail (mailout.Outgoing) to recipients: from
// the desk's sender, in its language, dated now, with the loop header and the
// ticket's number (t may be nil).
func (in *deskTx) outgoing(t *store.Ticket, tmpl string, data any, to ...mailout.Address) mailout.Outgoing {
	d := in.desk
	_, domain, _ := strings.Cut(d.SupportAddress, "@")
	o := mailout.Outgoing{Lang: d.Language, Template: tmpl, Data: data, From: d.From, To: to, IDDomain: domain,
		Date: in.now, Loop: d.Name}
	if t != nil {
		o.Ticket = t.ID
	}
	return o
}

// enqueue builds o and inserts it into the outbox as kind (counted towards
// auto_reply.max_per_hour when auto); the first recipient is the rate key.
func (in *deskTx) enqueue(ctx context.Context, o mailout.Outgoing, kind string, auto bool) (*store.Outgoing, mailout.Built, error) {
	b, err := mailout.BuildWith(in.s.tmpl, o)
	if err != nil {
		return nil, b, fmt.Errorf("%s: %w", kind, err)
	}
	row := in.outboxRow(o, b, kind, auto)
	if err := in.tx.InsertOutgoing(ctx, row); err != nil {
		return nil, b, err
	}
	return row, b, nil
}

// outboxRow is the outbox row of built mail o, its message packed as
// stored (beside the database writer when composed there: mailwork.go).
func (in *deskTx) outboxRow(o mailout.Outgoing, b mailout.Built, kind string, auto bool) *store.Outgoing {
	return &store.Outgoing{
		Desk: in.desk.Name, TicketID: sql.NullInt64{Int64: o.Ticket, Valid: o.Ticket != 0}, Kind: kind, MessageID: b.MessageID,
		EnvelopeFrom: b.EnvelopeFrom, Recipients: strings.Join(b.Recipients, "\n"), RcptKey: b.Recipients[0],
		Auto: auto, Subject: b.Subject, Raw: b.Raw, NextAttemptAt: b.NextAttemptAt, CreatedAt: in.now, Packed: in.s.db.Pack(b.Raw),
	}
}

func (in *deskTx) compose(ctx context.Context, t *store.Ticket, to mailout.Address, replyTo, tmpl string, data any, opts sendOpts) error {
	d := in.desk
	o := in.outgoing(t, tmpl, data, to)
	o.AutoSubmitted, o.Attachments, o.NotBefore, o.Headers = opts.autoSubmitted, opts.attachments, opts.notBefore, opts.headers
	if replyTo != "" {
		o.ReplyTo = &mailout.Address{Name: d.DisplayName, Email: replyTo}
	}
	o.InReplyTo, o.References = opts.thread.inReplyTo, opts.thread.references
	var (
		b   mailout.Built
		row *store.Outgoing
		msg *store.Message // as the conversation keeps it (opts.record)
	)
	var ticket int64 // read here: the writer goes on changing t
	if t != nil && opts.record {
		ticket = t.ID
	}
	work := func() error { // beside the writer (mailwork.go)
		var err error
		if b, err = mailout.BuildWith(in.s.tmpl, o); err != nil {
			return fmt.Errorf("%s: %w", tmpl, err)
		}
		row = in.outboxRow(o, b, tmpl, opts.rateCounted)
		if ticket != 0 {
			msg = &store.Message{
				TicketID: ticket, Direction: store.DirOut, MessageID: b.MessageID, FromAddr: strings.ToLower(d.From.Email),
				FromName: d.From.Name, ToAddrs: strings.ToLower(to.Email), Subject: b.Subject, BodyText: store.Text(b.Text),
				Auto: true, CreatedAt: in.now,
			}
			msg.Prep = in.s.db.PrepareMessage(msg)
		}
		return nil
	}
	finish := func(ctx context.Context) error {
		if err := in.tx.InsertOutgoing(ctx, row); err != nil {
			return err
		}
		if msg == nil {
			return nil
		}
		msg.OutboxID = sql.NullInt64{Int64: row.ID, Valid: true}
		return in.tx.InsertMessage(ctx, msg)
	}
	var rateKey string
	if opts.rateCounted {
		rateKey = to.Email
	}
	return in.mail.queue(ctx, rateKey, work, finish)
}

// clockJSON serialises an SLA clock for the ticket row ("" for none).
func clockJSON(c *sla.Clock) (string, error) {
	if c == nil {
		return "", nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode SLA clock: %w", err)
	}
	return string(b), nil
}

func (in *intake) attachments() []mailmsg.Attachment {
	if in.msg == nil {
		return nil
	}
	return in.msg.Attachments
}
