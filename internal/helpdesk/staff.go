package helpdesk

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/replytext"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/staffcmd"
	"github.com/otvet/otvet/internal/store"
)

// Dispositions of staff mail.
const (
	DispStaff   = "staff"   // an authenticated agent's reply or commands
	DispRefused = "refused" // looked like staff mail but was not authenticated: nothing done
)

// Security settings of staff mail (per desk).
type StaffAuth struct {
	// RequireAuthResults: an agent's reply must also carry a DKIM or DMARC
	// pass for its From domain in an Authentication-Results header added by TrustedAuthServID.
	RequireAuthResults bool
	TrustedAuthServID  string
	// ShowAgentAddress puts the agent's own address in Reply-To of answers
	// to customers (off: customers only ever see the support address).
	ShowAgentAddress bool
}

// tokenOf finds a valid signed reply token among the message's recipients
// (To, Cc, Delivered-To); invalid tokens are logged and skipped.
func (in *intake) tokenOf() (ticketID, participantID int64, found bool) {
	ticketID, participantID, _, found = in.signedToken()
	return ticketID, participantID, found
}

// signedToken is tokenOf with the token's epoch: whether it is still the
// participant's (store.Participant.TokenEpoch) is staffVerdict's to check.
func (in *intake) signedToken() (ticketID, participantID, epoch int64, found bool) {
	m := in.msg
	var addrs []string
	for _, a := range append(append([]mailmsg.Address{}, m.To...), m.Cc...) {
		addrs = append(addrs, a.Email)
	}
	addrs = append(addrs, m.DeliveredTo...)
	for _, a := range addrs {
		tok, ok := mailout.TokenFromAddress(a, in.desk.SupportAddress)
		if !ok {
			continue
		}
		if t, p, e, ok := in.s.signer.Verify(tok); ok {
			return t, p, e, true
		}
		in.s.log.Warn("reply address with an invalid token", "desk", in.desk.Name, "address", a)
	}
	return 0, 0, 0, false
}

// staffVerdict is triage's verdict on staff mail: an authenticated agent's
// reply to act on, or a refusal (with whom to tell and why).
type staffVerdict struct {
	ticket *store.Ticket      // the ticket the agent's token is for (nil: none)
	staff  *store.Staff       // the authenticated agent
	agent  *store.Participant // the agent's participant row the token names
	own    bool               // to the member's own command address, no ticket (morning.go)
	// A refusal: the security event kind, whom to tell, and why.
	refuse    string
	refTicket int64
	tell      string
	reason    mailout.Msg
}

func (v staffVerdict) ticketID() int64 {
	if v.refuse != "" {
		return v.refTicket
	}
	if v.ticket != nil {
		return v.ticket.ID
	}
	return 0
}

func (v staffVerdict) explain() string {
	if v.refuse != "" {
		return "staff mail refused (" + v.refuse + "): " + v.reason.In("en")
	}
	if v.own {
		return fmt.Sprintf("mail of %s %s to their own command address: its commands are acted on", v.staff.Role, v.staff.Email)
	}
	return fmt.Sprintf("a reply of agent %s on ticket #%d: its commands and text are acted on", v.staff.Email, v.ticket.ID)
}

func refused(kind string, ticketID int64, tell string, key mailout.Key, args ...any) staffVerdict {
	return staffVerdict{refuse: kind, refTicket: ticketID, tell: tell, reason: mailout.M(key, args...)}
}

// staffVerdict decides mail that claims to come from staff: a known staff
// address, or a reply to an agent's signed address. isStaff is false for
// ordinary mail (a customer's, or a staff member's fresh request).
func (in *intake) staffVerdict(ctx context.Context) (v staffVerdict, isStaff bool, err error) {
	m := in.msg
	from := strings.ToLower(m.From.Email)
	staff, err := in.tx.StaffByEmail(ctx, from)
	if errors.Is(err, store.ErrNotFound) {
		staff = nil
	} else if err != nil {
		return v, false, err
	}
	// A former (disabled) staff address is staff mail too: it never acts,
	// and it is never taken for a customer's reply.
	former := staff
	disabled := staff != nil && !staff.Active
	if disabled {
		staff = nil
	}
	ticketID, partID, epoch, hasToken := in.signedToken()
	if hasToken && ticketID == 0 {
		return in.deskVerdict(ctx, from, partID, epoch) // a member's own command address (morning.go)
	}
	var agent, own *store.Participant
	if hasToken {
		p, err := in.tx.ParticipantByID(ctx, partID)
		switch {
		case err == nil && p.TicketID == ticketID && p.Role == "agent":
			agent = p
		case err == nil && p.TicketID == ticketID && p.Email == from:
			own = p // a staff member's own request: their customer address
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return v, false, err
		}
	}
	if agent == nil && (former == nil || (own != nil && staff != nil)) {
		return v, false, nil // a customer, or active staff replying on a request of their own
	}
	if agent == nil {
		// A current or former staff address without its agent token: a
		// command, or mail about a ticket (a customer's reply address, the
		// threading, a [#N]), is never acted on and never taken as the
		// customer's; a fresh message is an ordinary request.
		cmds, _, errs := staffcmd.Parse(replytext.Extract(m.Text).Reply)
		refTicket := int64(0)
		if hasToken {
			refTicket = ticketID
		} else if refTicket, err = in.referencedTicket(ctx); err != nil {
			return v, false, err
		}
		if len(cmds) == 0 && len(errs) == 0 && refTicket == 0 {
			return v, false, nil
		}
		return refused("security_no_token", refTicket, former.Email,
			mailout.SecNoToken), true, nil
	}
	t, err := in.tx.Ticket(ctx, ticketID)
	if err != nil {
		return v, false, err
	}
	switch {
	case epoch != agent.TokenEpoch:
		// Issued before `otvet staff revoke` raised the agent's epoch: refused
		// whoever sends it, and the agent (at their own address) is told.
		return refused("security_revoked_token", t.ID, agent.Email,
			mailout.SecRevokedToken, t.ID), true, nil
	case t.Desk != in.desk.Name:
		return refused("security_wrong_desk", t.ID, agent.Email,
			mailout.SecWrongDesk), true, nil
	case disabled && from == agent.Email:
		// The agent's own address, but the account was disabled: not a forgery.
		return refused("security_agent_disabled", t.ID, agent.Email,
			mailout.SecAgentDisabled), true, nil
	case staff == nil || from != agent.Email:
		// The token was made for another agent, or the From is forged or not staff.
		return refused("security_forged_sender", t.ID, agent.Email,
			mailout.SecForgedSender, agent.Email, from), true, nil
	case staff.Role != store.StaffAgent && staff.Role != store.StaffLead:
		// The token outlived the agent's role (now a manager): it acts no more.
		return refused("security_not_agent", t.ID, agent.Email,
			mailout.SecNotAgent, staff.Role), true, nil
	}
	if ref, err := in.referencedTicket(ctx); err != nil {
		return v, false, err
	} else if ref != 0 && ref != t.ID {
		return refused("security_replayed_token", t.ID, agent.Email,
			mailout.SecReplayedToken, t.ID, ref), true, nil
	}
	if a := in.desk.Auth; a.RequireAuthResults && !authPass(m, a.TrustedAuthServID, from) {
		return refused("security_auth_failed", t.ID, agent.Email,
			mailout.SecAuthFailed), true, nil
	}
	return staffVerdict{ticket: t, staff: staff, agent: agent}, true, nil
}

// staffMail handles staff mail as triage decided it.
func (in *intake) staffMail(ctx context.Context, v staffVerdict) (Outcome, error) {
	if v.refuse != "" {
		return in.refuse(ctx, v)
	}
	if v.own {
		return in.ownMail(ctx, v.staff)
	}
	if in.msg.Auto {
		return Outcome{Disposition: DispStaff, TicketID: v.ticket.ID, Note: "automatic reply from staff ignored"},
			in.event(ctx, v.ticket.ID, "staff_auto_reply_ignored", v.staff.Email)
	}
	return in.agentReply(ctx, v.ticket, v.staff, v.agent)
}

// referencedTicket is the ticket the message's threading headers or subject point at (0: none).
func (in *intake) referencedTicket(ctx context.Context) (int64, error) {
	m := in.msg
	refs := append(append([]string{}, m.References...), m.InReplyTo...)
	if id, err := in.tx.TicketByMessageIDs(ctx, in.desk.Name, refs); err != nil || id != 0 {
		return id, err
	}
	if sm := subjectToken.FindStringSubmatch(m.Subject); sm != nil {
		var id int64
		fmt.Sscan(sm[1], &id)
		if _, err := in.tx.Ticket(ctx, id); err == nil {
			return id, nil
		}
	}
	return 0, nil
}

// authPass checks the trusted server's Authentication-Results for a DKIM or
// DMARC pass of the From domain. Only the topmost header counts, and only when
// the trusted server added it: the receiving MTA puts its verdict on top, so a
// header a sender forged always sits below it (RFC 8601 §5).
func authPass(m *mailmsg.Message, trusted, from string) bool {
	_, domain, _ := strings.Cut(from, "@")
	if trusted == "" || len(m.AuthResults) == 0 || !strings.EqualFold(m.AuthResults[0].AuthServID, trusted) {
		return false
	}
	for _, mt := range m.AuthResults[0].Methods {
		if mt.Result != "pass" {
			continue
		}
		switch mt.Method {
		case "dmarc":
			if strings.EqualFold(mt.Props["header.from"], domain) {
				return true
			}
		case "dkim":
			if strings.EqualFold(mt.Props["header.d"], domain) {
				return true
			}
		}
	}
	return false
}

// refuse records an unauthenticated staff message as a security event, tells
// the staff member concerned, and delivers nothing to the customer. Automatic
// mail (out-of-office, Auto-Submitted) is recorded but never answered, and a
// staff address gets at most auto_reply.max_per_hour refusals an hour, so two
// auto-responders cannot loop.
func (in *intake) refuse(ctx context.Context, v staffVerdict) (Outcome, error) {
	ticketID, tell, kind := v.refTicket, v.tell, v.refuse
	reason := v.reason.In(in.desk.Language)
	detail := fmt.Sprintf("from %s: %s", in.msg.From.Email, reason)
	if err := in.event(ctx, ticketID, kind, detail); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Disposition: DispRefused, TicketID: ticketID, Note: kind}
	if in.msg.Auto {
		in.s.log.Info("automatic staff mail refused without an answer", "desk", in.desk.Name, "ticket", ticketID,
			"from", in.msg.From.Email, "reason", kind)
		return out, in.event(ctx, ticketID, "staff_auto_reply_ignored", detail+" (automatic mail: "+in.msg.AutoReason+")")
	}
	if err := in.event(ctx, ticketID, "command_refused", detail); err != nil {
		return Outcome{}, err
	}
	in.s.log.Warn("staff message refused", "desk", in.desk.Name, "ticket", ticketID, "from", in.msg.From.Email, "reason", kind)
	if tell == "" {
		return out, nil
	}
	if limited, err := in.rateLimited(ctx, ticketID, tell); err != nil || limited {
		return out, err
	}
	data := mailout.CommandResultData{TicketNumber: ticketID, Subject: in.msg.Subject, SubjectToken: mailout.TicketToken(ticketID),
		Refused: true, Reason: reason, DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
	var t *store.Ticket
	if ticketID != 0 {
		var err error
		if t, err = in.tx.Ticket(ctx, ticketID); err != nil {
			return Outcome{}, err
		}
		data.Subject = t.Subject
	}
	// Counted like an automatic answer: the hourly cap applies to refusals.
	if err := in.compose(ctx, t, mailout.Address{Email: tell}, "", mailout.TmplCommandResult, data,
		sendOpts{autoSubmitted: "auto-replied", rateCounted: true}); err != nil {
		return Outcome{}, err
	}
	return out, nil
}

// agentReply applies an authenticated agent's reply: commands first, then the
// text (and the attached files) goes to the customer (unless it is an internal
// note), then the agent gets the commands' results with a Reply-To signed for
// that agent and ticket, so that they can go on by replying to it.
func (in *intake) agentReply(ctx context.Context, t *store.Ticket, agent *store.Staff, part *store.Participant) (Outcome, error) {
	reply := replytext.Extract(in.msg.Text).Reply
	cmds, body, perrs := staffcmd.Parse(reply)
	body = strings.TrimSpace(body)
	var results []mailout.CommandResult
	for _, pe := range perrs {
		results = append(results, mailout.CommandResult{Command: pe.Raw, Message: pe.Text(in.desk.Language)})
	}
	if len(perrs) > 0 {
		// Held: a mistyped command line may sit above an internal remark.
		// Nothing goes to the customer and nothing is carried out; the text
		// is kept as a note.
		return in.holdReply(ctx, t, agent, part, reply, results)
	}
	noteThread, err := in.repliesToNote(ctx)
	if err != nil {
		return Outcome{}, err
	}
	if noteThread && !slices.ContainsFunc(cmds, func(c staffcmd.Command) bool { return c.Name == staffcmd.Note }) {
		// A reply to a colleague's note is a note, for colleagues only.
		cmds = append([]staffcmd.Command{{Name: staffcmd.Note, Text: body, Raw: "#note"}}, cmds...)
		body = ""
		results = append(results, mailout.CommandResult{Message: in.text(mailout.CmdNoteThread)})
	}
	note := false
	publicText := body
	for _, c := range cmds {
		if c.Name == staffcmd.Note || c.Name == staffcmd.Escalate || c.Name == staffcmd.ReplyContractor {
			note = true // for colleagues or a contractor: nothing (text or files) goes to the customer
		}
		if c.Name == staffcmd.Wait && c.Text != "" {
			publicText = strings.TrimSpace(c.Text + "\n\n" + publicText)
		}
	}
	// #шаблон and #статья put their text into the answer (kb.go).
	publicText, held := in.expandReply(t, cmds, publicText)
	if len(held) > 0 {
		return in.holdReply(ctx, t, agent, part, reply, append(results, held...))
	}
	if !note && publicText != "" {
		// A colleague answered since the mail this agent replied to was
		// sent: hold the answer, so the customer never gets two answers
		// that contradict each other; replying to the confirmation sends it.
		if c, err := in.collision(ctx, t, agent); err != nil {
			return Outcome{}, err
		} else if c != nil {
			held := mailout.CommandResult{Message: in.text(mailout.CmdCollision, c.FromName+" <"+c.FromAddr+">",
				FormatLocal(c.CreatedAt, in.desk.Location, in.desk.Language), quote(string(c.BodyText)))}
			return in.holdReplyAs(ctx, t, agent, part, reply, append(results, held), "agent_reply_collision", "")
		}
	}
	if !note && publicText != "" && Allowed(EvResolved, t.Status) &&
		slices.ContainsFunc(cmds, func(c staffcmd.Command) bool { return c.Name == staffcmd.Resolve }) {
		// An answer that resolves the request says so (no separate notice).
		publicText += "\n\n" + in.resolvedLine()
	}
	// Store what the agent wrote, with its files: a note stays internal.
	dir, text := store.DirOut, publicText
	if note {
		dir = store.DirNote
		for _, c := range cmds {
			if c.Name == staffcmd.Note {
				text = c.Text
			}
		}
	}
	files, skipped := in.agentFiles()
	if text != "" || note || len(files) > 0 {
		if err := in.storeAgentMessage(ctx, t, agent, dir, text); err != nil {
			return Outcome{}, err
		}
	}
	delivered := false
	if !note && (publicText != "" || len(files) > 0) {
		err := in.answerCustomer(ctx, t, agent, publicText, files)
		switch {
		case errors.Is(err, mailout.ErrInvalidMessage):
			// No mail can be composed (a requester's address from before
			// intake checked them): the agent hears of it at once.
			results = append(results, mailout.CommandResult{Message: in.text(mailout.CmdAnswerNotComposed, err.Error())})
			if err := in.event(ctx, t.ID, "agent_reply_failed", err.Error()); err != nil {
				return Outcome{}, err
			}
		case err != nil:
			return Outcome{}, err
		default:
			delivered = true
		}
	}
	if !note {
		results = append(results, skipped...)
	}
	for _, c := range cmds {
		r, err := in.apply(ctx, t, agent, c, publicText != "" && !note)
		if err != nil {
			return Outcome{}, err
		}
		results = append(results, r)
		if fresh, err := in.tx.Ticket(ctx, t.ID); err == nil {
			*t = *fresh
		} else {
			return Outcome{}, err
		}
	}
	if err := in.event(ctx, t.ID, "agent_replied", fmt.Sprintf("%s: %d command(s), %d file(s), delivered %v", agent.Email, len(cmds), len(files), delivered)); err != nil {
		return Outcome{}, err
	}
	if in.quiet {
		in.results, in.delivered = results, delivered
		return Outcome{Disposition: DispStaff, TicketID: t.ID}, nil
	}
	if len(results) > 0 {
		data := mailout.CommandResultData{TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
			Results: results, Delivered: delivered, DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
		replyTo, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, part.ID, part.TokenEpoch)
		if err != nil {
			return Outcome{}, err
		}
		if err := in.compose(ctx, t, mailout.Address{Name: agent.Name, Email: agent.Email}, replyTo, mailout.TmplCommandResult, data,
			sendOpts{autoSubmitted: "auto-generated"}); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{Disposition: DispStaff, TicketID: t.ID}, nil
}

// holdReply keeps an agent's reply as an internal note, carries out none of
// its commands, and sends the agent the reason with their signed address to
// reply again.
func (in *intake) holdReply(ctx context.Context, t *store.Ticket, agent *store.Staff, part *store.Participant, text string,
	results []mailout.CommandResult) (Outcome, error) {
	return in.holdReplyAs(ctx, t, agent, part, text, results, "agent_reply_held", mailout.CmdHeld)
}

// holdReplyAs is holdReply recorded as kind, with why (a catalogue key, or
// "" when results already say it) added to the agent's confirmation.
func (in *intake) holdReplyAs(ctx context.Context, t *store.Ticket, agent *store.Staff, part *store.Participant, text string,
	results []mailout.CommandResult, kind string, why mailout.Key) (Outcome, error) {
	if err := in.storeAgentMessage(ctx, t, agent, store.DirNote, strings.TrimSpace(text)); err != nil {
		return Outcome{}, err
	}
	if why != "" {
		results = append(results, mailout.CommandResult{Message: in.text(why)})
	}
	if err := in.event(ctx, t.ID, kind, agent.Email); err != nil {
		return Outcome{}, err
	}
	if in.quiet {
		in.results = results
		return Outcome{Disposition: DispStaff, TicketID: t.ID, Note: kind}, nil
	}
	data := mailout.CommandResultData{TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
		Results: results, DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
	replyTo, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, part.ID, part.TokenEpoch)
	if err != nil {
		return Outcome{}, err
	}
	if err := in.compose(ctx, t, mailout.Address{Name: agent.Name, Email: agent.Email}, replyTo, mailout.TmplCommandResult, data,
		sendOpts{autoSubmitted: "auto-generated"}); err != nil {
		return Outcome{}, err
	}
	return Outcome{Disposition: DispStaff, TicketID: t.ID, Note: kind}, nil
}

// resolvedLine tells the customer the request is resolved and how long a
// reply reopens it.
func (in *intake) resolvedLine() string {
	n := in.s.closeDays
	if n <= 0 || in.desk.Calendar == nil {
		return in.text(mailout.AnswerResolvedNoClose)
	}
	return in.text(mailout.AnswerResolved, mailout.Count(in.desk.Language, mailout.WordWorkingDaysGen, int64(n)))
}

// collision is a colleague's answer to the customer stored after the mail
// this agent replied to was sent (nil when none, or when the reply refers
// to no mail of Otvet's).
func (in *intake) collision(ctx context.Context, t *store.Ticket, agent *store.Staff) (*store.Message, error) {
	var sentAt time.Time
	for _, id := range in.msg.InReplyTo {
		o, err := in.tx.OutgoingByMessageID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if o.TicketID.Int64 == t.ID {
			sentAt = o.CreatedAt
		}
	}
	if sentAt.IsZero() {
		return nil, nil
	}
	return in.tx.LastAnswerAfter(ctx, t.ID, sentAt, agent.Email)
}

// quote prefixes every line of a text with "> ", at most 40 lines.
func quote(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) > 40 {
		lines = append(lines[:40], "…")
	}
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// notifyHeader marks a notification of a note: a reply to it is a note too.
const notifyHeader = "X-Otvet-Notify"

// repliesToNote reports whether the message answers a note's notification.
func (in *intake) repliesToNote(ctx context.Context) (bool, error) {
	for _, id := range in.msg.InReplyTo {
		o, err := in.tx.OutgoingByMessageID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		head, _, _ := bytes.Cut(o.Raw, []byte("\r\n\r\n"))
		if bytes.Contains(head, []byte("\r\n"+notifyHeader+": "+mailout.NotifyNote+"\r\n")) {
			return true, nil
		}
	}
	return false, nil
}

// agentFiles picks the files of an agent's reply that go to the customer: the
// attachments the parser kept within limits.max_attachment_bytes and
// limits.max_total_attachment_bytes. Inline parts (a signature's logo, an
// image pasted into HTML) stay out: only the reply's text is sent. A risky
// file (a program, a macro document, an archive holding one: risky.go) is
// held back unless the reply says #send-files. What is left out is reported
// back to the agent.
func (in *intake) agentFiles() (files []mailout.Attachment, skipped []mailout.CommandResult) {
	sendRisky := in.sendFilesAsked()
	for _, a := range in.msg.Attachments {
		name := a.Filename
		if name == "" {
			name = a.ContentType
		}
		size := mailout.FormatSize(a.Size, in.desk.Language)
		switch {
		case a.Dropped:
			skipped = append(skipped, mailout.CommandResult{Command: name,
				Message: in.text(mailout.CmdFileNotSent, size)})
		case a.Inline && a.ContentID != "":
			// An embedded image: not announced (signatures carry them).
		case a.Risky && !sendRisky:
			skipped = append(skipped, in.heldRisky(a, name))
		default:
			files = append(files, mailout.Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
		}
	}
	return files, skipped
}

// storeAgentMessage records an agent's reply or note with its files.
func (in *intake) storeAgentMessage(ctx context.Context, t *store.Ticket, agent *store.Staff, dir, text string) error {
	m := &store.Message{TicketID: t.ID, Direction: dir, MessageID: in.msg.MessageID,
		FromAddr: agent.Email, FromName: agent.Name, Subject: in.msg.Subject, BodyText: store.Text(text),
		RawID: sql.NullInt64{Int64: in.raw.ID, Valid: in.raw.ID != 0}, CreatedAt: in.now}
	if err := in.tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	return in.storeFiles(ctx, m.ID)
}

// text is the catalogue's text key in the desk's language.
func (in *deskTx) text(key mailout.Key, args ...any) string {
	return mailout.Text(in.desk.Language, key, args...)
}

// answerCustomer sends an agent's text to the requester and the participants
// of the requester's organisation, from the support address; the first public
// answer stops the first-response clock.
func (in *deskTx) answerCustomer(ctx context.Context, t *store.Ticket, agent *store.Staff, text string, files []mailout.Attachment) error {
	ps, err := in.tx.ParticipantsOf(ctx, t.ID)
	if err != nil {
		return err
	}
	var requester *store.Participant
	var cc []mailout.Address
	for i := range ps {
		p := &ps[i]
		switch p.Role {
		case "requester":
			requester = p
		case "cc":
			// Checked again at every answer: a colleague who has since been
			// blocked or moved to another organisation no longer receives it,
			// and an address no mail can be composed to never silences the rest.
			if !mailout.Deliverable(p.Email) {
				if err := in.event(ctx, t.ID, "cc_dropped", strconvQuote(p.Email)+" cannot receive mail"); err != nil {
					return err
				}
				continue
			}
			ok, err := in.stillColleague(ctx, p.Email, t.RequesterEmail)
			if err != nil {
				return err
			}
			if ok {
				cc = append(cc, mailout.Address{Name: p.Name, Email: p.Email})
			} else if err := in.event(ctx, t.ID, "cc_dropped", p.Email+" is no longer a colleague of the requester"); err != nil {
				return err
			}
		}
	}
	if requester == nil {
		return fmt.Errorf("ticket #%d has no requester", t.ID)
	}
	d := in.desk
	data := mailout.AgentReplyData{TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID), Text: text,
		AgentName: agent.Name, DeskName: d.DisplayName, SupportAddress: d.SupportAddress}
	replyTo, err := in.s.signer.ReplyAddress(d.SupportAddress, t.ID, requester.ID, requester.TokenEpoch)
	if err != nil {
		return err
	}
	// A person's answer: no Auto-Submitted, not rate-limited, not recorded
	// again (storeAgentMessage has the agent's text).
	o := in.outgoing(t, mailout.TmplAgentReply, data, mailout.Address{Name: requester.Name, Email: requester.Email})
	o.Cc, o.Attachments = cc, files
	o.ReplyTo = &mailout.Address{Name: d.DisplayName, Email: replyTo}
	if last, err := in.tx.LastIncomingMessageID(ctx, t.ID); err == nil && last != "" {
		o.InReplyTo, o.References = last, []string{last}
	}
	if d.Auth.ShowAgentAddress {
		o.ReplyTo = &mailout.Address{Name: agent.Name, Email: agent.Email}
	}
	if _, _, err := in.enqueue(ctx, o, mailout.TmplAgentReply, false); err != nil {
		return err
	}
	if !t.FirstResponseAt.Valid {
		if err := in.tx.SetTicketField(ctx, t.ID, store.FieldFirstResponseAt, in.now, in.now); err != nil {
			return err
		}
		t.FirstResponseAt = sql.NullTime{Time: in.now, Valid: true}
		if err := in.lc().stopClocks(ctx, t, sla.FirstResponse); err != nil {
			return err
		}
	}
	return nil
}
