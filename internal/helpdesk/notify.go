package helpdesk

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// notifyAgents mails the ticket's assignee, or every active agent when it is
// unassigned, with a Reply-To signed for that ticket and that agent. Outside working hours the mail waits in the
// outbox for the next opening, unless the ticket is an incident.
func (in *intake) notifyAgents(ctx context.Context, t *store.Ticket, kind, author, text string) error {
	return in.notifyWith(ctx, t, kind, "", author, text, in.extras())
}

// notifyExtras is what a notification carries from the message it is about:
// its files and the knowledge-base articles its acknowledgement named.
type notifyExtras struct {
	attachments []mailmsg.Attachment
	articles    []mailout.ArticleRef
	// An oversized message: what was not received, and the sentence saying so.
	notReceived []string
	cut         string
	// about: the message as stored, whose text the notification repeats,
	// and aboutRaw its raw message's bytes when that holds the files the
	// notification attaches: its body is stored packed against them
	// (store.PackAgainstText).
	about    *store.Message
	aboutRaw []byte
}

func (in *intake) extras() notifyExtras {
	return notifyExtras{attachments: in.attachments(), articles: in.suggested, notReceived: in.notReceivedLines(), cut: in.cutNote(),
		about: in.stored, aboutRaw: in.rawWithFiles()}
}

// rawWithFiles is the raw message's bytes when the stored message's files
// were found in it (store.FindInRaw), else nil.
func (in *intake) rawWithFiles() []byte {
	if in.stored == nil || in.raw == nil || !in.stored.RawID.Valid || in.stored.RawID.Int64 != in.raw.ID {
		return nil
	}
	for _, p := range in.inRaw {
		if p.Found() {
			return in.raw.Data
		}
	}
	return nil
}

// notifyMetric tells agents of an SLA warning or breach of one metric. A
// breach is escalated: the leads hear of it as well as the assignee.
func (in *deskTx) notifyMetric(ctx context.Context, t *store.Ticket, kind, metric string) error {
	to, err := in.recipients(ctx, t, "")
	if err != nil {
		return err
	}
	if kind == mailout.NotifyBreach {
		all, err := in.tx.ActiveAgents(ctx)
		if err != nil {
			return err
		}
		for _, s := range all {
			if s.Role == store.StaffLead && !slices.ContainsFunc(to, func(x store.Staff) bool { return strings.EqualFold(x.Email, s.Email) }) {
				to = append(to, s)
			}
		}
	}
	_, err = in.send(ctx, t, to, kind, metric, "", "", "", notifyExtras{})
	return err
}

// notifyNote copies an internal note to colleagues: to the assignee when
// someone else has the ticket, otherwise (unassigned, or the author is the
// assignee) to every other active agent and lead. It returns who got it.
func (in *deskTx) notifyNote(ctx context.Context, t *store.Ticket, author *store.Staff, text string) ([]string, error) {
	to, err := in.recipients(ctx, t, author.Email)
	if err != nil {
		return nil, err
	}
	return in.send(ctx, t, to, mailout.NotifyNote, "", author.Name+" <"+author.Email+">", text, author.Email, notifyExtras{})
}

// notifyWith tells the ticket's agents (recipients) of kind, with what the
// message it is about carries (x; zero for a scheduled change).
func (in *deskTx) notifyWith(ctx context.Context, t *store.Ticket, kind, metric, author, text string, x notifyExtras) error {
	to, err := in.recipients(ctx, t, "")
	if err != nil {
		return err
	}
	_, err = in.send(ctx, t, to, kind, metric, author, text, "", x)
	return err
}

// recipients is who hears about a ticket: its assignee when active (and not
// notAssignee), otherwise every active agent and lead.
func (in *deskTx) recipients(ctx context.Context, t *store.Ticket, notAssignee string) ([]store.Staff, error) {
	if t.Assignee != "" && !strings.EqualFold(t.Assignee, notAssignee) {
		s, err := in.tx.StaffByEmail(ctx, t.Assignee)
		if err == nil && s.Active {
			return []store.Staff{*s}, nil
		}
	}
	return in.tx.ActiveAgents(ctx)
}

// send mails a notification to each of to (but except), each with a Reply-To
// signed for that ticket and that agent, and returns who got it.
func (in *deskTx) send(ctx context.Context, t *store.Ticket, to []store.Staff, kind, metric, author, text, except string, x notifyExtras) ([]string, error) {
	if len(to) == 0 {
		return nil, nil
	}
	var notBefore time.Time
	if c := in.desk.Calendar; c != nil && t.Priority != store.PriorityIncident && !c.IsOpen(in.now) {
		notBefore = c.NextOpen(in.now)
	}
	data := mailout.AgentNotifyData{
		Kind: kind, Metric: metric, TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID), Status: t.Status,
		Requester: t.RequesterEmail, Level: t.SupportLevel, Priority: t.Priority, Author: author, Text: text,
		Suggestions: splitList(t.Suggestions), Missing: splitList(t.Missing), Articles: x.articles,
		DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress,
	}
	data.Requester = in.named(ctx, t.RequesterName+" <"+t.RequesterEmail+">")
	data.Author = in.named(ctx, author)
	if t.OrgID.Valid {
		if o, err := in.tx.OrgByID(ctx, t.OrgID.Int64); err == nil {
			data.Organisation = o.Name
		}
	}
	if t.FirstResponseDue.Valid && !t.FirstResponseAt.Valid {
		data.Due = in.formatDue(t.FirstResponseDue)
	} else if t.ResolutionDue.Valid {
		data.Due = in.formatDue(t.ResolutionDue)
	}
	var files []mailout.Attachment
	if kind != mailout.NotifyNote {
		for _, a := range x.attachments {
			if a.Risky && !a.Dropped {
				// Listed with a warning, not attached: it stays on the ticket (risky.go).
				data.Risky = append(data.Risky, in.riskyFile(a))
				continue
			}
			if !a.Dropped && a.Data != nil {
				files = append(files, mailout.Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
			}
			s := a.Filename + " (" + mailout.FormatSize(a.Size, in.desk.Language) + ")"
			if a.Dropped {
				s += " — " + in.text(mailout.AttachmentDropped)
			}
			data.Attachments = append(data.Attachments, s)
		}
		data.Attachments = append(data.Attachments, x.notReceived...)
		data.Cut = x.cut
	}
	o := in.outgoing(t, mailout.TmplAgentNotify, data)
	o.AutoSubmitted, o.NotBefore, o.Attachments = "auto-generated", notBefore, files
	if kind == mailout.NotifyNote {
		o.Headers = map[string]string{notifyHeader: mailout.NotifyNote} // a reply to it is a note too
	}
	var (
		sent  []string
		heads []notifyHead
	)
	for _, s := range to {
		if strings.EqualFold(s.Email, except) {
			continue
		}
		p, err := in.tx.AddParticipant(ctx, t.ID, s.Email, s.Name, "agent", in.now)
		if err != nil {
			return sent, err
		}
		if p.Role != "agent" {
			continue // a staff member who is also the customer here gets the customer's mail only
		}
		reply, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID, p.TokenEpoch)
		if err != nil {
			return sent, err
		}
		heads = append(heads, notifyHead{to: mailout.Address{Name: s.Name, Email: s.Email},
			replyTo: &mailout.Address{Name: in.desk.DisplayName, Email: reply}})
		sent = append(sent, s.Email)
	}
	if len(heads) == 0 {
		return sent, nil
	}
	// One notification per event: rendered and composed once (beside the
	// writer: mailwork.go), its body stored once; each agent's row holds
	// only its own head.
	var (
		body   []byte
		textOf int64 // the stored message whose text body was packed against
		rows   []*store.Outgoing
	)
	work := func() error {
		shared, err := mailout.BuildShared(in.s.tmpl, o)
		if err != nil {
			return fmt.Errorf("%s: %w", mailout.TmplAgentNotify, err)
		}
		var text string // none: packed as any mail is
		if a := x.about; a != nil && a.ID != 0 {
			text = aboutText(a)
		}
		var against bool
		if body, against = in.s.db.PackAgainstText(shared.Body(), text, x.aboutRaw); against {
			textOf = x.about.ID
		}
		for _, h := range heads {
			b, err := shared.Head(h.to, h.replyTo)
			if err != nil {
				return fmt.Errorf("%s: %w", mailout.TmplAgentNotify, err)
			}
			rows = append(rows, in.outboxRow(o, b, mailout.TmplAgentNotify, false))
		}
		return nil
	}
	finish := func(ctx context.Context) error {
		bodyID, err := in.tx.InsertPackedBody(ctx, body, textOf)
		if err != nil {
			return err
		}
		for _, row := range rows {
			row.BodyID = sql.NullInt64{Int64: bodyID, Valid: true}
			if err := in.tx.InsertOutgoing(ctx, row); err != nil {
				return err
			}
		}
		return nil
	}
	return sent, in.mail.queue(ctx, "", work, finish)
}

// aboutText is the text of a stored message as the database gives it back,
// or "" when that could differ from what is in memory (the database puts
// U+FFFD for a NUL; PostgreSQL refuses invalid UTF-8).
func aboutText(m *store.Message) string {
	s := string(m.BodyText)
	if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
		return ""
	}
	return s
}

// notifyHead is one agent's head of a shared notification: To, and the
// Reply-To signed for them.
type notifyHead struct {
	to      mailout.Address
	replyTo *mailout.Address
}

// named puts the name the directory knows (a user's full name, else a staff
// member's) before the address in a line naming a person, "Name <email>"
// possibly followed by more words, so that quote headers read «Пётр
// Петров <petrov@…> пишет:» rather than «<petrov@…> пишет:». The name in
// the line stays when the directory knows none; a line without an address
// (a bare name) is kept as it is.
func (in *deskTx) named(ctx context.Context, line string) string {
	return renamePerson(line, func(email string) string { return in.personName(ctx, email) })
}

// renamePerson is named with the directory's names from known.
func renamePerson(line string, known func(email string) string) string {
	open := strings.IndexByte(line, '<')
	end := strings.IndexByte(line, '>')
	if open < 0 || end < open {
		return line
	}
	name, email, rest := strings.TrimSpace(line[:open]), strings.TrimSpace(line[open+1:end]), line[end+1:]
	if email == "" {
		return strings.TrimSpace(name + rest) // no address (a phone request without one)
	}
	if k := known(email); k != "" {
		name = k
	}
	if name == "" {
		return "<" + email + ">" + rest
	}
	return name + " <" + email + ">" + rest
}

// personName is the directory's name for an address: a user's full name,
// else a staff member's name; "" when it knows none.
func (in *deskTx) personName(ctx context.Context, email string) string {
	if u, err := in.tx.UserByEmail(ctx, email); err == nil && strings.TrimSpace(u.FullName) != "" {
		return strings.TrimSpace(u.FullName)
	}
	if s, err := in.tx.StaffByEmail(ctx, email); err == nil && strings.TrimSpace(s.Name) != "" {
		return strings.TrimSpace(s.Name)
	}
	return ""
}
