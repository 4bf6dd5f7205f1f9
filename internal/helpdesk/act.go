package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// ViaWeb is the channel of an action taken in the web console.
const ViaWeb = "web"

// Action is a staff member's action on a ticket from outside mail (the web
// console): exactly what a reply to a notification would carry.
type Action struct {
	Desk     string // "" or the ticket's desk
	TicketID int64
	Agent    string // the staff member's address
	// Text is the reply: #command lines at the top exactly as by mail, then
	// the text for the customer ("" with commands only).
	Text  string
	Files []mailout.Attachment
	Via   string // ViaWeb when empty
}

// Result is what an Action did: the outcome and each command's result, as
// the confirmation mail would list them.
type Result struct {
	Outcome
	Results   []mailout.CommandResult
	Delivered bool // the text (or files) went to the customer
}

// Errors of Act that are the agent's to hear, not the server's.
var (
	// ErrNotAgent: the address is not an active agent or lead.
	ErrNotAgent = errors.New("not an active agent or lead")
	// ErrOwnRequest: the member takes part in the ticket as its customer.
	ErrOwnRequest = errors.New("the ticket is the member's own request")
	// ErrEmptyAction: no text, no command and no file.
	ErrEmptyAction = errors.New("nothing to do: write a reply, a note or a command")
)

// Act carries out a staff action in one transaction through the very path
// an agent's mail takes (agentReply: commands, the answer to the customer,
// the note), with the same permissions, recorded with the member's address
// and the channel (Action.Via). The results are returned instead of mailed.
func (s *Service) Act(ctx context.Context, a Action) (Result, error) {
	if strings.TrimSpace(a.Text) == "" && len(a.Files) == 0 {
		return Result{}, ErrEmptyAction
	}
	via := a.Via
	if via == "" {
		via = ViaWeb
	}
	now := s.now().UTC()
	var res Result
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		member, err := tx.StaffByEmail(ctx, a.Agent)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotAgent
		} else if err != nil {
			return err
		}
		if !member.Active || (member.Role != store.StaffAgent && member.Role != store.StaffLead) {
			return ErrNotAgent
		}
		t, err := tx.Ticket(ctx, a.TicketID)
		if err != nil {
			return fmt.Errorf("ticket #%d: %w", a.TicketID, err)
		}
		if a.Desk != "" && a.Desk != t.Desk {
			return fmt.Errorf("ticket #%d is not on desk %s: %w", t.ID, a.Desk, store.ErrNotFound)
		}
		d, err := s.desk(t.Desk)
		if err != nil {
			return err
		}
		part, err := tx.AddParticipant(ctx, t.ID, member.Email, member.Name, "agent", now)
		if err != nil {
			return err
		}
		if part.Role != "agent" {
			return ErrOwnRequest
		}
		_, domain, _ := strings.Cut(d.SupportAddress, "@")
		msg := &mailmsg.Message{
			MessageID: strings.Trim(mailout.NewMessageID(domain), "<>"),
			From:      &mailmsg.Address{Name: member.Name, Email: member.Email},
			Subject:   "Re: " + mailout.TicketToken(t.ID) + " " + t.Subject,
			Text:      strings.ReplaceAll(a.Text, "\r\n", "\n"),
			Date:      now,
		}
		exts := s.parseOpts.RiskyExtensions
		if exts == nil {
			exts = mailmsg.DefaultRiskyExtensions()
		}
		for _, f := range a.Files {
			ma := mailmsg.Attachment{Filename: f.Filename, ContentType: f.ContentType, Data: f.Data, Size: int64(len(f.Data))}
			ma.Risky, ma.RiskReason = mailmsg.RiskyAttachment(f.Filename, f.ContentType, f.Data, exts)
			msg.Attachments = append(msg.Attachments, ma)
		}
		in := &intake{deskTx: s.deskTx(tx, d, now), msg: msg, raw: &store.RawMessage{}, via: via, quiet: true}
		out, err := in.agentReply(ctx, t, member, part)
		if err != nil {
			return err
		}
		res = Result{Outcome: out, Results: in.results, Delivered: in.delivered}
		return tx.AddEvent(ctx, t.ID, now, "staff_action", member.Email,
			fmt.Sprintf("via %s: %d result(s), delivered %v", via, len(in.results), in.delivered))
	})
	if err != nil {
		return Result{}, err
	}
	s.queued()
	return res, nil
}

// staffVia is the channel of this intake's staff changes (mail unless set).
func (in *intake) staffVia() string {
	if in.via != "" {
		return in.via
	}
	return ViaMail
}
