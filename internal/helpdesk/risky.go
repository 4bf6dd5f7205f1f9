package helpdesk

import (
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/replytext"
	"github.com/otvet/otvet/internal/staffcmd"
)

// Risky attachments (limits.risky_extensions, mailmsg.RiskyAttachment):
// agents are warned of them in notifications, which do not carry them (the
// file stays on the ticket), and a risky file in an agent's reply reaches
// the customer only when the reply says #send-files.

// riskKind splits mailmsg's RiskReason ("archive: contains setup.exe")
// into its kind and, for an archive, the risky file inside.
func riskKind(reason string) (kind, inner string) {
	kind, detail, _ := strings.Cut(reason, ":")
	kind = strings.TrimSpace(kind)
	if kind == mailmsg.RiskArchive {
		inner = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(detail), "contains "))
	}
	return kind, inner
}

// riskyFile is a risky attachment as agent_notify lists it.
func (in *deskTx) riskyFile(a mailmsg.Attachment) mailout.RiskyFile {
	kind, inner := riskKind(a.RiskReason)
	name := a.Filename
	if name == "" {
		name = a.ContentType
	}
	return mailout.RiskyFile{Name: name, Size: mailout.FormatSize(a.Size, in.desk.Language), Kind: kind, Inner: inner}
}

// riskWords says in words what makes an attachment risky, for the agent's confirmation.
func riskWords(reason string) mailout.Msg {
	switch kind, inner := riskKind(reason); kind {
	case mailmsg.RiskMacro:
		return mailout.M(mailout.RiskWordMacro)
	case mailmsg.RiskArchive:
		return mailout.M(mailout.RiskWordArchive, inner)
	case mailmsg.RiskHiddenName:
		return mailout.M(mailout.RiskWordHiddenName)
	}
	return mailout.M(mailout.RiskWordExecutable)
}

// sendFilesAsked reports whether the agent's reply holds #send-files: the
// agent's explicit choice to send its risky files to the customer.
func (in *intake) sendFilesAsked() bool {
	cmds, _, _ := staffcmd.Parse(replytext.Extract(in.msg.Text).Reply)
	for _, c := range cmds {
		if c.Name == staffcmd.SendFiles {
			return true
		}
	}
	return false
}

// heldRisky is the confirmation line of a risky file held back from the customer.
func (in *deskTx) heldRisky(a mailmsg.Attachment, name string) mailout.CommandResult {
	return mailout.CommandResult{Command: name,
		Message: in.text(mailout.CmdFileHeldRisky, mailout.FormatSize(a.Size, in.desk.Language), riskWords(a.RiskReason))}
}

// sendFilesResult is what #send-files did: the risky files sent, or why none was.
func (in *intake) sendFilesResult() (mailout.Key, []any) {
	cmds, _, _ := staffcmd.Parse(replytext.Extract(in.msg.Text).Reply)
	for _, c := range cmds {
		if c.Name == staffcmd.Note {
			return mailout.CmdRiskyFilesInNote, nil
		}
	}
	var names []string
	for _, a := range in.msg.Attachments {
		if a.Risky && !a.Dropped && !(a.Inline && a.ContentID != "") {
			names = append(names, a.Filename)
		}
	}
	if len(names) == 0 {
		return mailout.CmdNoRiskyFiles, nil
	}
	return mailout.CmdRiskyFilesSent, []any{strings.Join(names, ", ")}
}
