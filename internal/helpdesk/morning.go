package helpdesk

import (
	"context"
	"errors"
	"fmt"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/replytext"
	"github.com/otvet/otvet/internal/staffcmd"
	"github.com/otvet/otvet/internal/store"
)

// A staff member's own command address is a signed reply address of no
// ticket: the token names ticket 0 and the member's staff id, with the
// member's token epoch (store.Staff.TokenEpoch, raised by `otvet staff
// revoke`). It is the Reply-To of the morning mail and of the digests
// (internal/digest), so a reply to them reaches the desk as staff mail.
// Mail to it carries the commands that need no ticket: #очередь, #поиск
// and #утро; the member gets the results at the same address.

// deskVerdict decides mail to a staff member's own command address: the
// sender must be that member, active, with the current epoch (and the
// DKIM/DMARC gate where it is on); anything else is refused as a security
// event, as for a ticket's agent address.
func (in *intake) deskVerdict(ctx context.Context, from string, staffID, epoch int64) (staffVerdict, bool, error) {
	owner, err := in.tx.StaffByID(ctx, staffID)
	if errors.Is(err, store.ErrNotFound) {
		return refused("security_bad_token", 0, "", mailout.SecNoToken), true, nil
	}
	if err != nil {
		return staffVerdict{}, false, err
	}
	switch {
	case epoch != owner.TokenEpoch:
		return refused("security_revoked_token", 0, owner.Email, mailout.SecNoToken), true, nil
	case !owner.Active && from == owner.Email:
		return refused("security_agent_disabled", 0, owner.Email, mailout.SecAgentDisabled), true, nil
	case !owner.Active || from != owner.Email:
		return refused("security_forged_sender", 0, owner.Email, mailout.SecForgedSender, owner.Email, from), true, nil
	}
	if a := in.desk.Auth; a.RequireAuthResults && !authPass(in.msg, a.TrustedAuthServID, from) {
		return refused("security_auth_failed", 0, owner.Email, mailout.SecAuthFailed), true, nil
	}
	return staffVerdict{staff: owner, own: true}, true, nil
}

// ownAddress is the member's signed command address at the desk.
func (in *deskTx) ownAddress(s *store.Staff) (string, error) {
	return in.s.signer.ReplyAddress(in.desk.SupportAddress, 0, s.ID, s.TokenEpoch)
}

// ownMail carries out the commands of mail to a member's own command
// address and sends the results back to it. Nothing else is done with the
// text: it is kept with the received message and recorded as an event.
func (in *intake) ownMail(ctx context.Context, member *store.Staff) (Outcome, error) {
	out := Outcome{Disposition: DispStaff, Note: "to the staff member's own address"}
	if in.msg.Auto {
		return out, in.event(ctx, 0, "staff_auto_reply_ignored", member.Email)
	}
	cmds, _, perrs := staffcmd.Parse(replytext.Extract(in.msg.Text).Reply)
	var results []mailout.CommandResult
	for _, pe := range perrs {
		results = append(results, mailout.CommandResult{Command: pe.Raw, Message: pe.Text(in.desk.Language)})
	}
	agent := member.Role == store.StaffAgent || member.Role == store.StaffLead
	for _, c := range cmds {
		r := mailout.CommandResult{Command: c.Raw}
		var key mailout.Key
		var args []any
		var err error
		switch {
		case c.Name == staffcmd.Morning:
			key, err = in.switchMorning(ctx, member, c.Args[0] == "on")
		case c.Name == staffcmd.Queue && agent:
			key, args, err = in.queueOf(ctx, member)
		case c.Name == staffcmd.Search && agent:
			key, args, err = in.searchFor(ctx, c.Args[0])
		default:
			r.Message = in.text(mailout.CmdNeedsTicket)
			results = append(results, r)
			continue
		}
		if err != nil {
			return Outcome{}, err
		}
		r.OK, r.Message = true, in.text(key, args...)
		results = append(results, r)
	}
	if len(cmds) == 0 && len(perrs) == 0 {
		results = append(results, mailout.CommandResult{Message: in.text(mailout.CmdDeskNoCommand)})
	}
	detail := fmt.Sprintf("%s: %d command(s), subject %q", member.Email, len(cmds), in.msg.Subject)
	if err := in.tx.AddEvent(ctx, 0, in.now, "staff_own_mail", member.Email, detail); err != nil {
		return Outcome{}, err
	}
	if in.quiet {
		in.results = results
		return out, nil
	}
	replyTo, err := in.ownAddress(member)
	if err != nil {
		return Outcome{}, err
	}
	data := mailout.CommandResultData{Results: results,
		DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
	return out, in.compose(ctx, nil, mailout.Address{Name: member.Name, Email: member.Email}, replyTo, mailout.TmplCommandResult, data,
		sendOpts{autoSubmitted: "auto-replied", thread: threading{inReplyTo: in.msg.MessageID}})
}

// switchMorning turns the member's morning mail on or off (audited as
// staff_morning with the member as the actor).
func (in *deskTx) switchMorning(ctx context.Context, member *store.Staff, on bool) (mailout.Key, error) {
	if _, err := in.tx.SetMorningMail(ctx, member.Email, on, member.Email, in.now); err != nil {
		return "", err
	}
	member.MorningMail = on
	if on {
		return mailout.CmdMorningOn, nil
	}
	return mailout.CmdMorningOff, nil
}
