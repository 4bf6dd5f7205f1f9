package helpdesk

import (
	"strings"

	"github.com/otvet/otvet/internal/kb"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
)

// Foresight: what is decided from a message alone is worked out while the
// message is parsed (prepare, on the parsing goroutines, beside the single
// database writer) rather than in the writer's transaction: whether it is a
// connection request, the knowledge-base articles its text suggests, its
// text as stored (packed) with its search terms, and the rules' work on its
// text (rules.Analyze: everything but what depends on the sender, the
// maintenance windows and the time, which rules.DecideWith adds).
// The writer asks through isForm and suggestions, which take the answer
// from here when it was worked out for the same input and work it out
// themselves otherwise (a phone call, a message taken one at a time, a
// reply).
type foresight struct {
	form      bool // regform.Detect
	kbSubject string
	kb        []kb.Match // Suggest(kbSubject, text)
	kbDone    bool
	stored    *store.MessagePrep // the text as stored and its search terms
	rules     *rules.Analysis    // the rules' text work (rules.Analyze)
}

// foresee works out a message's foresight; nil when it is not worth it (no
// message, automatic mail, or a reply to a ticket, which opens none).
func (s *Service) foresee(m *mailmsg.Message) *foresight {
	if m == nil || m.Auto || len(m.References) > 0 || len(m.InReplyTo) > 0 || subjectToken.MatchString(m.Subject) {
		return nil
	}
	f := &foresight{form: regform.Detect(m)}
	if !f.form {
		f.rules = rules.Analyze(m, s.regs.Rules)
	}
	if m.From != nil {
		f.stored = s.db.PrepareMessage(storedMessage(m))
	}
	if s.kb != nil && !f.form {
		f.kbSubject = ticketSubject(m)
		f.kb = s.kb.Suggest(f.kbSubject, m.Text)
		f.kbDone = true
	}
	return f
}

// ticketSubject is the subject a new ticket takes from its message: without
// ticket tokens, its spaces collapsed.
func ticketSubject(m *mailmsg.Message) string {
	return strings.Join(strings.Fields(subjectToken.ReplaceAllString(m.Subject, "")), " ")
}

// isForm reports whether the message is a connection request (regform.Detect).
func (in *intake) isForm() bool {
	if in.fore != nil {
		return in.fore.form
	}
	return regform.Detect(in.msg)
}

// suggestions ranks the knowledge base against a new request's subject and text.
func (in *intake) suggestions(subject string) []kb.Match {
	if f := in.fore; f != nil && f.kbDone && f.kbSubject == subject {
		return f.kb
	}
	return in.s.kb.Suggest(subject, in.msg.Text)
}
