package helpdesk

import (
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// A message over the size limit (mailin.Fetched.Truncated) arrives as its
// header and text parts only; mailin lists what it left out in the
// assembled message's header (mailin.OmittedHeader). The ticket opens with
// that text as usual; the customer's too_large answer and the agents'
// notification say what was not received (docs/intake.md).

// omitted lists what an oversized message lost on the way in; nil for a
// whole message.
func (in *intake) omitted() []mailin.Omitted {
	if !in.fetched.Truncated || in.msg == nil {
		return nil
	}
	return mailin.ParseOmitted(in.msg.HeaderValues(mailin.OmittedHeader))
}

// hasText: the message brought some text of its own.
func (in *intake) hasText() bool {
	return in.msg != nil && strings.TrimSpace(in.msg.Text) != ""
}

// textCut: a text part itself was longer than mailin fetches.
func textCut(om []mailin.Omitted) bool {
	for _, o := range om {
		if o.Kind == mailin.OmittedTextCut {
			return true
		}
	}
	return false
}

// notReceived names the parts of an oversized message that were not
// fetched, for the customer and for agents.
func (in *intake) notReceived(om []mailin.Omitted) []mailout.DroppedFile {
	lang, limit := in.desk.Language, mailout.FormatSize(in.s.maxMessage, in.desk.Language)
	var out []mailout.DroppedFile
	for _, o := range om {
		switch o.Kind {
		case mailin.OmittedFile:
			name := o.Filename
			if name == "" {
				name = in.text(mailout.AttachmentUnnamed)
			}
			out = append(out, mailout.DroppedFile{Name: name, Size: mailout.FormatSize(o.Size, lang), Reason: mailout.DropMessageTooLarge, Limit: limit})
		case mailin.OmittedMore:
			out = append(out, mailout.DroppedFile{Name: in.text(mailout.AttachmentsMore, o.Count), Reason: mailout.DropMessageTooLarge, Limit: limit})
		}
	}
	return out
}

// tooLargeData fills the answer to an oversized message: what was taken,
// what was not, and when the desk answers (the clock runs as for any request).
func (in *intake) tooLargeData(t *store.Ticket) mailout.TooLargeData {
	d, h, om := in.desk, in.workHours(), in.omitted()
	data := mailout.TooLargeData{
		TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
		Size: mailout.FormatSize(in.fetched.Size, d.Language), Limit: mailout.FormatSize(in.s.maxMessage, d.Language),
		HasText: in.hasText(), TextCut: textCut(om), Dropped: in.notReceived(om),
		OutOfHours: h.outOfHours, WorkStartsAt: in.formatStart(h.start),
		DeskName: d.DisplayName, SupportAddress: d.SupportAddress,
	}
	if !t.FirstResponseAt.Valid {
		data.DueFirstResponse = in.formatDue(t.FirstResponseDue)
	}
	return data
}

// cutNote is the agents' notification's sentence that the message was cut.
func (in *intake) cutNote() string {
	if !in.fetched.Truncated {
		return ""
	}
	cut := ""
	if textCut(in.omitted()) {
		cut = in.text(mailout.MessageTextCut)
	}
	lang := in.desk.Language
	return in.text(mailout.MessageCut, mailout.FormatSize(in.fetched.Size, lang), mailout.FormatSize(in.s.maxMessage, lang), cut)
}

// notReceivedLines are the agents' notification's lines for the files of an
// oversized message that were not received.
func (in *intake) notReceivedLines() []string {
	var out []string
	for _, f := range in.notReceived(in.omitted()) {
		s := f.Name
		if f.Size != "" {
			s += " (" + f.Size + ")"
		}
		out = append(out, s+" — "+in.text(mailout.AttachmentNotFetched))
	}
	return out
}

// storedNote says on the stored raw message that it is not the whole
// message (docs/intake.md): the raw kept is the header and text parts.
func (in *intake) storedNote(note string) string {
	if !in.fetched.Truncated {
		return note
	}
	om := in.omitted()
	files := 0
	for _, o := range om {
		switch o.Kind {
		case mailin.OmittedFile:
			files++
		case mailin.OmittedMore:
			files += o.Count
		}
	}
	s := fmt.Sprintf("oversized (%d bytes): stored its header and text parts only, %d parts not fetched", in.fetched.Size, files)
	if textCut(om) {
		s += ", text cut"
	}
	if note != "" {
		s += "; " + note
	}
	return s
}

// attachmentLimit is the limit a dropped attachment broke, formatted; ""
// when the reason is not a size.
func (in *intake) attachmentLimit(a mailmsg.Attachment) string {
	switch a.DropReason {
	case mailmsg.DropTooLarge:
		return mailout.FormatSize(limitOr(in.s.parseOpts.MaxAttachmentBytes, mailmsg.DefaultMaxAttachmentBytes), in.desk.Language)
	case mailmsg.DropTotalTooLarge:
		return mailout.FormatSize(limitOr(in.s.parseOpts.MaxTotalAttachmentBytes, mailmsg.DefaultMaxTotalAttachmentBytes), in.desk.Language)
	}
	return ""
}

func limitOr(n, def int64) int64 {
	if n <= 0 {
		return def
	}
	return n
}
