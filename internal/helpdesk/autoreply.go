package helpdesk

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

type dueTimes struct {
	first, resolution sql.NullTime
	clocks            [2]*sla.Clock // first response, resolution; nil without a target
	outOfHours        bool
	start             time.Time // when work starts, if outOfHours
}

// dueTimes starts a new request's SLA clocks and computes their deadlines in business time.
func (in *intake) dueTimes() dueTimes {
	c := in.desk.Calendar
	if c == nil {
		return dueTimes{}
	}
	var d dueTimes
	start := func(m sla.Metric, target time.Duration) (*sla.Clock, sql.NullTime) {
		if target <= 0 {
			return nil, sql.NullTime{}
		}
		clock := sla.Start(m, target, in.now, c)
		due, ok := clock.Due()
		return clock, sql.NullTime{Time: due.UTC(), Valid: ok}
	}
	d.clocks[0], d.first = start(sla.FirstResponse, in.desk.FirstResponse)
	d.clocks[1], d.resolution = start(sla.Resolution, in.desk.Resolution)
	if !c.IsOpen(in.now) {
		d.outOfHours = true
		d.start = c.NextOpen(in.now)
	}
	return d
}

func (in *intake) formatDue(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return FormatLocal(t.Time, in.desk.Location, in.desk.Language)
}

func (in *intake) formatStart(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	l := t.In(in.desk.Location)
	if in.desk.Language == "en" {
		return l.Format("02.01.2006 at 15:04")
	}
	return l.Format("02.01.2006 в 15:04")
}

// FormatLocal formats an instant for a person in the desk's zone:
// "27.12.2024 16:00 (Иркутск)".
func FormatLocal(t time.Time, loc *time.Location, lang string) string {
	l := t.In(loc)
	return l.Format("02.01.2006 15:04") + " (" + ZoneLabel(loc, lang, l) + ")"
}

// ZoneLabel names a desk's zone the way people in Russia say it.
func ZoneLabel(loc *time.Location, lang string, at time.Time) string {
	names := map[string][2]string{
		"Europe/Kaliningrad": {"Калининград", "Kaliningrad"},
		"Europe/Moscow":      {"Москва", "Moscow"},
		"Europe/Samara":      {"Самара", "Samara"},
		"Asia/Yekaterinburg": {"Екатеринбург", "Yekaterinburg"},
		"Asia/Omsk":          {"Омск", "Omsk"},
		"Asia/Novosibirsk":   {"Новосибирск", "Novosibirsk"},
		"Asia/Krasnoyarsk":   {"Красноярск", "Krasnoyarsk"},
		"Asia/Irkutsk":       {"Иркутск", "Irkutsk"},
		"Asia/Yakutsk":       {"Якутск", "Yakutsk"},
		"Asia/Vladivostok":   {"Владивосток", "Vladivostok"},
		"Asia/Magadan":       {"Магадан", "Magadan"},
		"Asia/Kamchatka":     {"Камчатка", "Kamchatka"},
	}
	if n, ok := names[loc.String()]; ok {
		if lang == "en" {
			return n[1]
		}
		return n[0]
	}
	_, off := at.Zone()
	return fmt.Sprintf("UTC%+d", off/3600)
}

// ackData picks the acknowledgement of a new ticket and fills it.
func (in *intake) ackData(t *store.Ticket, linked int64, due dueTimes) (string, any) {
	d := in.desk
	if in.fetched.Truncated {
		return mailout.TmplTooLarge, mailout.TooLargeData{
			TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
			Size: mailout.FormatSize(in.fetched.Size, d.Language), Limit: mailout.FormatSize(in.s.maxMessage, d.Language),
			DeskName: d.DisplayName, SupportAddress: d.SupportAddress,
		}
	}
	var dropped []mailout.DroppedFile
	for _, a := range in.msg.Attachments {
		if a.Dropped {
			dropped = append(dropped, mailout.DroppedFile{Name: a.Filename, Size: mailout.FormatSize(a.Size, d.Language), Reason: mailout.DropTooLarge})
		}
	}
	if linked != 0 {
		return mailout.TmplNewAfterClosed, mailout.NewAfterClosedData{
			TicketNumber: t.ID, OldTicketNumber: linked, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
			DeskName: d.DisplayName, DueFirstResponse: in.formatDue(due.first), OutOfHours: due.outOfHours,
			WorkStartsAt: in.formatStart(due.start), Dropped: dropped, SupportAddress: d.SupportAddress,
		}
	}
	return mailout.TmplAck, mailout.AckData{
		TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID), DeskName: d.DisplayName,
		DueFirstResponse: in.formatDue(due.first), OutOfHours: due.outOfHours, WorkStartsAt: in.formatStart(due.start),
		Dropped: dropped, SupportAddress: d.SupportAddress,
	}
}

// autoReply queues an automatic answer to a participant, unless the message
// itself was automatic or the recipient already got too many this hour.
func (in *intake) autoReply(ctx context.Context, t *store.Ticket, p *store.Participant, tmpl string, data any) error {
	if in.msg.Auto {
		return nil
	}
	if in.s.autoMax > 0 {
		n, err := in.tx.CountAutoSince(ctx, strings.ToLower(p.Email), in.now.Add(-time.Hour))
		if err != nil {
			return fmt.Errorf("count auto-replies: %w", err)
		}
		if n >= in.s.autoMax {
			return in.event(ctx, t.ID, "auto_reply_suppressed",
				fmt.Sprintf("%s already got %d automatic messages in the last hour", p.Email, n))
		}
	}
	reply, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID)
	if err != nil {
		return err
	}
	return in.queue(ctx, t, mailout.Address{Name: p.Name, Email: p.Email}, reply, tmpl, data)
}

// queue renders a template, composes the mail with its Message-ID fixed now,
// and stores it in the outbox (and in the ticket's conversation).
func (in *intake) queue(ctx context.Context, t *store.Ticket, to mailout.Address, replyTo, tmpl string, data any) error {
	d := in.desk
	r, err := in.s.tmpl.Render(d.Language, tmpl, data)
	if err != nil {
		return fmt.Errorf("render %s: %w", tmpl, err)
	}
	_, domain, _ := strings.Cut(d.SupportAddress, "@")
	m := mailout.Mail{
		From: mailout.Address{Name: d.DisplayName, Email: d.SupportAddress}, To: []mailout.Address{to},
		Subject: r.Subject, Text: r.Text, HTML: r.HTML, MessageID: mailout.NewMessageID(domain), Date: in.now,
		AutoSubmitted: "auto-replied", Headers: map[string]string{LoopHeader: d.Name},
	}
	if replyTo != "" {
		m.ReplyTo = &mailout.Address{Name: d.DisplayName, Email: replyTo}
	}
	if in.msg != nil && in.msg.MessageID != "" {
		m.InReplyTo = in.msg.MessageID
		m.References = append(append([]string{}, in.msg.References...), in.msg.MessageID)
	}
	var ticketID int64
	if t != nil {
		ticketID = t.ID
		m.Headers["X-Otvet-Ticket"] = fmt.Sprint(t.ID)
	}
	raw, err := mailout.Compose(m)
	if err != nil {
		return fmt.Errorf("compose %s: %w", tmpl, err)
	}
	o := &store.Outgoing{
		Desk: d.Name, TicketID: sql.NullInt64{Int64: ticketID, Valid: ticketID != 0}, Kind: tmpl, MessageID: m.MessageID,
		EnvelopeFrom: d.SupportAddress, Recipients: strings.ToLower(to.Email), RcptKey: strings.ToLower(to.Email),
		Auto: true, Subject: r.Subject, Raw: raw, NextAttemptAt: in.now, CreatedAt: in.now,
	}
	if err := in.tx.InsertOutgoing(ctx, o); err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	return in.tx.InsertMessage(ctx, &store.Message{
		TicketID: t.ID, Direction: store.DirOut, MessageID: m.MessageID, FromAddr: strings.ToLower(d.SupportAddress),
		FromName: d.DisplayName, ToAddrs: strings.ToLower(to.Email), Subject: r.Subject, BodyText: r.Text,
		Auto: true, OutboxID: sql.NullInt64{Int64: o.ID, Valid: true}, CreatedAt: in.now,
	})
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
