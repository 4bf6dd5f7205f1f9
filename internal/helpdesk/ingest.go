package helpdesk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/replytext"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

// Outcome says what intake did with one message; Deliver logs it and tests read it.
type Outcome struct {
	Disposition string // store.Disp*
	TicketID    int64
	Duplicate   bool
	Reopened    bool
	Note        string
}

// Deliver implements mailin.Sink: it stores one fetched message, decides what it
// is (new ticket, reply, bounce, automatic mail, our own mail, unusable) and
// queues the answer, and advances the mailbox cursor — all in one transaction.
func (s *Service) Deliver(ctx context.Context, mailbox string, uidValidity uint32, f mailin.Fetched) error {
	_, err := s.Ingest(ctx, mailbox, uidValidity, f)
	return err
}

// Ingest is Deliver returning what was done.
func (s *Service) Ingest(ctx context.Context, mailbox string, uidValidity uint32, f mailin.Fetched) (Outcome, error) {
	outs, err := s.IngestBatch(ctx, mailbox, uidValidity, []mailin.Fetched{f})
	if err != nil {
		return Outcome{}, err
	}
	return outs[0], nil
}

// DeliverBatch implements mailin.BatchSink: consecutive messages in one
// transaction with the cursor advanced to the last one.
func (s *Service) DeliverBatch(ctx context.Context, mailbox string, uidValidity uint32, fs []mailin.Fetched) error {
	_, err := s.IngestBatch(ctx, mailbox, uidValidity, fs)
	return err
}

// prepared is a fetched message parsed outside the transaction.
type prepared struct {
	f    mailin.Fetched
	raw  *store.RawMessage
	msg  *mailmsg.Message
	perr error
}

// IngestBatch stores messages of one mailbox (ascending UIDs) in ONE
// transaction together with the cursor, and returns what was done with each.
// The poison-message guard (quarantine.go) surrounds it: when the previous
// attempt on these messages never finished, they are taken one at a time,
// and a message that stopped the service twice is quarantined unparsed.
func (s *Service) IngestBatch(ctx context.Context, mailbox string, uidValidity uint32, fs []mailin.Fetched) ([]Outcome, error) {
	d, err := s.desk(mailbox)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, nil
	}
	prev, found, err := s.pendingAttempt(ctx, d.Name)
	if err != nil {
		return nil, s.paused(d, err)
	}
	if !found || !prev.Covers(uidValidity, fs[0].UID) {
		return s.ingest(ctx, d, uidValidity, fs, 1)
	}
	s.log.Warn("the previous attempt on these messages never finished; taking them one at a time", "desk", d.Name,
		"first_uid", prev.FirstUID, "last_uid", prev.LastUID, "attempt", prev.Attempt)
	outs := make([]Outcome, 0, len(fs))
	for i, f := range fs {
		if !prev.Covers(uidValidity, f.UID) {
			rest, err := s.ingest(ctx, d, uidValidity, fs[i:], 1)
			if err != nil {
				return nil, err
			}
			return append(outs, rest...), nil
		}
		var o []Outcome
		if prev.FirstUID == prev.LastUID && prev.Attempt >= 2 {
			o, err = s.poison(ctx, d, uidValidity, f, prev.Attempt)
		} else {
			o, err = s.ingest(ctx, d, uidValidity, fs[i:i+1], prev.Attempt+1)
		}
		if err != nil {
			return nil, err
		}
		outs = append(outs, o...)
	}
	return outs, nil
}

// ingest records the attempt, parses fs under the time budget and commits
// them with the cursor.
func (s *Service) ingest(ctx context.Context, d *Desk, uidValidity uint32, fs []mailin.Fetched, attempt int) ([]Outcome, error) {
	now := s.now().UTC()
	a, err := s.recordAttempt(ctx, d, uidValidity, fs, attempt, now)
	if err != nil {
		return nil, err
	}
	if err := s.crashed(fs); err != nil {
		return nil, err
	}
	ps, err := s.prepare(ctx, d, uidValidity, fs, now)
	if err == nil {
		var outs []Outcome
		if outs, err = s.commit(ctx, d, uidValidity, now, ps); err == nil {
			s.finish(d, ps, outs)
			return outs, nil
		}
	}
	s.attemptFailed(ctx, a)
	return nil, err
}

// finish logs what was done and wakes the outbox.
func (s *Service) finish(d *Desk, ps []prepared, outs []Outcome) {
	queued := false
	for i, p := range ps {
		s.logOutcome(d, p.f, p.msg, outs[i])
		queued = queued || !outs[i].Duplicate
	}
	if queued {
		s.queued()
	}
}

// commit stores prepared messages and the cursor in one transaction, and
// clears the intake attempt with it. When that fails and the database is
// fine, one message is to blame (a poison message: say, an address no mail
// can be composed to): the batch is retried one message at a time, and a
// message that fails on its own is quarantined with the error, so it can
// never block the mailbox. A failure of the database itself (down, busy,
// disk full, I/O error: store.Transient) is returned with the cursor held,
// never a quarantine; so is the error when even the quarantine fails.
func (s *Service) commit(ctx context.Context, d *Desk, uidValidity uint32, now time.Time, ps []prepared) ([]Outcome, error) {
	outs := make([]Outcome, len(ps))
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		for i, p := range ps {
			raw := *p.raw // a fresh copy for each try: a rolled-back try's row ID means nothing
			raw.ID = 0
			in := &intake{s: s, tx: tx, desk: d, now: now, raw: &raw, msg: p.msg, fetched: p.f}
			out, err := in.run(ctx, p.perr)
			if err != nil {
				return err
			}
			outs[i] = out
		}
		if err := tx.SetCursor(ctx, d.Name, store.Cursor{UIDValidity: uidValidity, LastUID: ps[len(ps)-1].f.UID}, now); err != nil {
			return err
		}
		return tx.ClearIntakeAttempt(ctx, d.Name)
	})
	if err == nil {
		return outs, nil
	}
	err = fmt.Errorf("ingest uid %d-%d of %s: %w", ps[0].f.UID, ps[len(ps)-1].f.UID, d.Name, err)
	if ctx.Err() != nil || store.Transient(err) {
		return nil, s.paused(d, err)
	}
	if len(ps) > 1 {
		for i := range ps {
			o, err := s.commit(ctx, d, uidValidity, now, ps[i:i+1])
			if err != nil {
				return nil, err
			}
			outs[i] = o[0]
		}
		return outs, nil
	}
	p := ps[0]
	s.log.Error("message could not be ingested; quarantining it", "desk", d.Name, "uid", p.f.UID, "err", err)
	qerr := s.db.Tx(ctx, func(tx *store.Tx) error {
		raw := *p.raw
		raw.Disposition, raw.Note = store.DispQuarantine, "intake failed: "+err.Error()
		if _, _, err := tx.InsertRaw(ctx, &raw); err != nil {
			return err
		}
		if err := tx.AddEvent(ctx, 0, now, "message_quarantined", "system", raw.Note); err != nil {
			return err
		}
		if err := tx.SetCursor(ctx, d.Name, store.Cursor{UIDValidity: uidValidity, LastUID: p.f.UID}, now); err != nil {
			return err
		}
		return tx.ClearIntakeAttempt(ctx, d.Name)
	})
	if qerr != nil {
		return nil, s.paused(d, err)
	}
	return []Outcome{{Disposition: store.DispQuarantine, Note: err.Error()}}, nil
}

// run stores one message inside the batch's transaction. A message already
// stored (a retry from quarantine: raw.ID is set) is not stored again.
func (in *intake) run(ctx context.Context, perr error) (Outcome, error) {
	if in.raw.ID == 0 {
		dup, reused, err := storeRaw(ctx, in.tx, in.raw)
		if err != nil {
			return Outcome{}, err
		}
		if dup {
			return Outcome{Duplicate: true, Disposition: "duplicate"}, nil
		}
		if reused {
			in.s.log.Warn("a different message reuses a known Message-ID; kept as a new message", "desk", in.desk.Name,
				"uid", in.raw.UID, "message_id", in.raw.MessageID, "sha256", in.raw.SHA256)
		}
	}
	out, err := in.decide(ctx, perr)
	if err != nil {
		return Outcome{}, err
	}
	return out, in.tx.SetRawDisposition(ctx, in.raw.ID, out.Disposition, out.Note, out.TicketID)
}

func (s *Service) logOutcome(d *Desk, f mailin.Fetched, msg *mailmsg.Message, out Outcome) {
	attrs := []any{"desk", d.Name, "uid", f.UID, "disposition", out.Disposition}
	if out.TicketID != 0 {
		attrs = append(attrs, "ticket", out.TicketID)
	}
	if msg != nil {
		attrs = append(attrs, "message_id", msg.MessageID)
	}
	if out.Note != "" {
		attrs = append(attrs, "note", out.Note)
	}
	switch out.Disposition {
	case store.DispQuarantine, store.DispLoop:
		s.log.Warn("message not turned into a ticket", attrs...)
	case "duplicate":
		s.log.Info("message seen before; skipped", attrs...)
	default:
		s.log.Info("message ingested", attrs...)
	}
}

// lc is the ticket lifecycle inside this message's transaction.
func (in *intake) lc() *lifecycle { return in.s.lifecycle(in.tx, in.desk, in.now) }

// intake is the state of one message's transaction.
type intake struct {
	s       *Service
	tx      *store.Tx
	desk    *Desk
	now     time.Time
	raw     *store.RawMessage
	msg     *mailmsg.Message
	fetched mailin.Fetched
	phone   bool                     // registered by staff from a phone call
	senders map[string]senderContext // directory lookups of this message, by lower-cased address
}

var subjectToken = regexp.MustCompile(`\[#(\d{1,18})\]`)

// decide triages the message and hands it to its route's handler.
func (in *intake) decide(ctx context.Context, perr error) (Outcome, error) {
	r, err := in.triage(ctx, perr)
	if err != nil {
		return Outcome{}, err
	}
	switch r.Kind {
	case RouteUnusable:
		return in.quarantine(ctx, r.Detail)
	case RouteLoop:
		return Outcome{Disposition: store.DispLoop, Note: "our own mail came back"}, in.event(ctx, 0, "loop_ignored", "")
	case RouteBounce:
		return in.bounce(ctx)
	case RouteStaff:
		return in.staffMail(ctx, r.Staff)
	case RouteBlocked:
		return in.blocked(ctx, r.Block)
	case RouteReply:
		return in.reply(ctx, r)
	case RouteAuto:
		return Outcome{Disposition: store.DispAutoIgnored, Note: in.msg.AutoReason}, in.event(ctx, 0, "auto_ignored", in.msg.AutoReason)
	case RouteRegistration:
		return in.registration(ctx, r.Registration)
	}
	return in.open(ctx, r)
}

func strconvQuote(s string) string {
	if len(s) > 200 {
		s = s[:200]
	}
	return strconv.Quote(s)
}

// match finds the ticket a message belongs to: a signed reply address first,
// then the Message-IDs it refers to, then a [#N] subject token — the last only
// when the sender already takes part in that ticket. Mail about a merged
// ticket reaches the ticket it was merged into.
func (in *intake) match(ctx context.Context) (int64, error) {
	id, err := in.matchDirect(ctx)
	if err != nil || id == 0 {
		return id, err
	}
	return in.follow(ctx, id)
}

func (in *intake) matchDirect(ctx context.Context) (int64, error) {
	m := in.msg
	if ticketID, _, ok := in.tokenOf(); ok {
		if t, err := in.tx.Ticket(ctx, ticketID); err == nil && t.Desk == in.desk.Name {
			return ticketID, nil
		}
	}
	refs := append(append([]string{}, m.References...), m.InReplyTo...)
	if id, err := in.tx.TicketByMessageIDs(ctx, in.desk.Name, refs); err != nil || id != 0 {
		return id, err
	}
	for _, sm := range subjectToken.FindAllStringSubmatch(m.Subject, 3) {
		id, err := strconv.ParseInt(sm[1], 10, 64)
		if err != nil {
			continue
		}
		t, err := in.tx.Ticket(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.Desk != in.desk.Name) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if _, err := in.tx.Participant(ctx, id, m.From.Email); err == nil {
			return id, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
	}
	return 0, nil
}

// open creates a new ticket from the message (linked to an old one when
// r.Linked != 0) with the outcome of the rules' decision triage made, and
// queues the one answer that outcome calls for.
func (in *intake) open(ctx context.Context, r Route) (Outcome, error) {
	m, d := in.msg, in.desk
	sc, dec, linked := r.sender, r.Decision, r.Linked
	subject := strings.TrimSpace(subjectToken.ReplaceAllString(m.Subject, ""))
	name := m.From.Name
	if sc.user != nil && sc.user.FullName != "" {
		name = sc.user.FullName
	} else if dec.Identity != nil && dec.Identity.FullName != "" && name == "" {
		name = dec.Identity.FullName
	}
	t := &store.Ticket{
		Desk: d.Name, Status: store.StatusOpen, Channel: in.channel(), Subject: subject,
		RequesterEmail: strings.ToLower(m.From.Email), RequesterName: name,
		LinkedTicketID: sql.NullInt64{Int64: linked, Valid: linked != 0}, CreatedAt: in.now, UpdatedAt: in.now,
		Priority: store.PriorityNormal, Suggestions: strings.Join(dec.OutOfScope, ","),
	}
	if dec.Priority == store.PriorityIncident {
		t.Priority = store.PriorityIncident
	}
	if sc.org != nil {
		t.OrgID = sql.NullInt64{Int64: sc.org.ID, Valid: true}
	}
	var tg Targets
	t.SupportLevel, tg = in.targets(t.Priority, sc)
	switch dec.Outcome {
	case rules.OutcomeReject:
		t.Status, t.Reason, t.ClosedAt = store.StatusRejected, dec.Reason, sql.NullTime{Time: in.now, Valid: true}
	case rules.OutcomeUnidentified:
		// No SLA clock runs until the sender is identified; the request waits.
		t.Status, t.Reason, t.Missing = store.StatusUnidentified, dec.Reason, strings.Join(dec.Missing, ",")
		if c := d.Calendar; c != nil {
			t.ResumeAt = sql.NullTime{Time: c.Add(in.now, time.Duration(in.s.regs.IdentifyWaitDays)*d.DayLength).UTC(), Valid: true}
		}
	case rules.OutcomeDefer:
		t.Status, t.Reason = store.StatusDeferred, dec.Reason
		if dec.Window != nil {
			// Held by this window: its end, or its removal, releases the request.
			t.ResumeAt = sql.NullTime{Time: dec.Window.To.UTC(), Valid: true}
			t.HoldWindowID = sql.NullInt64{Int64: dec.Window.ID, Valid: true}
		}
		if err := in.lc().startClocks(t, tg); err != nil {
			return Outcome{}, err
		}
	default:
		t.Missing = strings.Join(dec.Missing, ",")
		if err := in.lc().startClocks(t, tg); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.tx.CreateTicket(ctx, t); err != nil {
		return Outcome{}, err
	}
	p, err := in.tx.AddParticipant(ctx, t.ID, m.From.Email, name, "requester", in.now)
	if err != nil {
		return Outcome{}, err
	}
	if err := in.addColleagues(ctx, t); err != nil {
		return Outcome{}, err
	}
	if err := in.storeMessage(ctx, t.ID); err != nil {
		return Outcome{}, err
	}
	detail := ""
	if linked != 0 {
		detail = fmt.Sprintf("follows #%d", linked)
	}
	if err := in.event(ctx, t.ID, "ticket_opened", detail); err != nil {
		return Outcome{}, err
	}
	if err := in.recordDecision(ctx, t.ID, dec); err != nil {
		return Outcome{}, err
	}
	if err := in.selfIdentify(ctx, dec, sc, t.ID); err != nil {
		return Outcome{}, err
	}
	if t.Status == store.StatusDeferred {
		if err := in.lc().changeClocks(ctx, t, sla.EventPause, dec.Reason); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.answerOutcome(ctx, t, p, linked, dec); err != nil {
		return Outcome{}, err
	}
	if t.Priority == store.PriorityIncident {
		if err := in.alertIncident(ctx, t, sc); err != nil {
			return Outcome{}, err
		}
	}
	if t.Status == store.StatusOpen || t.Reason == rules.ReasonOffensive {
		// Agents hear of an offensive request too: staff may reopen it.
		if err := in.notifyAgents(ctx, t, mailout.NotifyNew, t.RequesterName, in.msg.Text); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{Disposition: store.DispTicket, TicketID: t.ID, Note: dec.Reason}, nil
}

// overrule applies what intake knows beyond the rules to their decision on
// a new request. `otvet rules test` calls it too, so it explains what intake does.
func (in *intake) overrule(dec *rules.Decision) {
	if dec.Priority == store.PriorityIncident && dec.Outcome == rules.OutcomeDefer {
		// A security incident never waits, maintenance or not.
		dec.Trail = append(dec.Trail, rules.Step{Rule: "incident", Result: "fired", Detail: "an incident is not deferred: " + dec.Reason})
		dec.Outcome, dec.Reason, dec.Rule, dec.Window = rules.OutcomeOpen, "", "", nil
	}
	if in.fetched.Truncated && dec.Outcome == rules.OutcomeDefer && dec.Reason == rules.ReasonUnclear {
		// Only the header was fetched: the too-large notice asks for the text.
		dec.Trail = append(dec.Trail, rules.Step{Rule: "unclear", Result: "skipped", Detail: "only the header was fetched: the too-large notice asks for the text"})
		dec.Outcome, dec.Reason, dec.Rule = rules.OutcomeOpen, "", ""
	}
}

// answerOutcome queues the one answer a new ticket's outcome calls for.
func (in *intake) answerOutcome(ctx context.Context, t *store.Ticket, p *store.Participant, linked int64, dec rules.Decision) error {
	switch {
	case dec.Outcome == rules.OutcomeReject && dec.Reason == "offensive":
		return in.notice(ctx, t, mailout.TmplOffensive, mailout.NoticeData{Reason: dec.Reason})
	case dec.Outcome == rules.OutcomeUnidentified:
		return in.notice(ctx, t, mailout.TmplIdentify, mailout.NoticeData{Reason: dec.Reason, Missing: dec.Missing})
	case dec.Outcome == rules.OutcomeDefer && dec.Window != nil:
		return in.notice(ctx, t, mailout.TmplMaintenance, mailout.NoticeData{Reason: dec.Reason, System: dec.Window.System,
			Until: FormatLocal(dec.Window.To, in.desk.Location, in.desk.Language), Note: dec.Window.Note})
	case dec.Outcome == rules.OutcomeDefer:
		return in.notice(ctx, t, mailout.TmplUnclear, mailout.NoticeData{Reason: dec.Reason})
	}
	var missing []string
	if !in.s.regs.Rules.Quality.Disabled {
		missing = dec.Missing
	}
	kind, data := in.ackData(t, linked, missing)
	return in.autoReply(ctx, t, p, kind, data)
}

// channel is how the request came in.
func (in *intake) channel() string {
	if in.phone {
		return "phone"
	}
	return "email"
}

// blocked refuses mail from a blocked sender, organisation, or everyone:
// the sender is told (rate-limited) and nothing else is done.
func (in *intake) blocked(ctx context.Context, b store.Block) (Outcome, error) {
	out := Outcome{Disposition: store.DispBlocked, Note: "sender blocked: " + b.Scope}
	if err := in.event(ctx, 0, "blocked_sender_refused", in.msg.From.Email+" ("+b.Scope+")"); err != nil {
		return out, err
	}
	subject := strings.TrimSpace(subjectToken.ReplaceAllString(in.msg.Subject, ""))
	return out, in.notice(ctx, nil, mailout.TmplBlocked, mailout.NoticeData{Reason: "blocked", Subject: subject, Scope: b.Scope, Note: b.Reason})
}

// reply appends the message to its ticket, reopening a closed one.
func (in *intake) reply(ctx context.Context, r Route) (Outcome, error) {
	m := in.msg
	t, err := in.tx.Ticket(ctx, r.TicketID)
	if err != nil {
		return Outcome{}, err
	}
	closed := closedStatus(t.Status)
	// An outsider (neither a participant nor of the requester's organisation)
	// who holds a ticket's reply address or Message-ID is recorded, but
	// changes nothing and learns nothing about the ticket.
	participant, outsider, err := in.standing(ctx, t)
	if err != nil {
		return Outcome{}, err
	}
	if !participant {
		if err := in.addSender(ctx, t, outsider); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.storeMessage(ctx, t.ID); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Disposition: store.DispReply, TicketID: t.ID}
	if m.Auto {
		out.Note = m.AutoReason
		return out, in.event(ctx, t.ID, "auto_reply_received", m.AutoReason)
	}
	if outsider {
		// Agents see it (the user may have written from a personal
		// address); the sender is told nothing.
		out.Note = "from outside the requester's organisation: recorded, agents told"
		author := m.From.Name + " <" + m.From.Email + "> " + in.say("(не из организации заявителя)", "(outside the requester's organisation)")
		return out, in.notifyAgents(ctx, t, mailout.NotifyReply, author, replytext.Extract(m.Text).Reply)
	}
	if t.Kind == store.KindRegistration {
		if err := in.registrationFollowUp(ctx, t); err != nil {
			return Outcome{}, err
		}
	}
	if in.fetched.Truncated {
		if err := in.tooLarge(ctx, t); err != nil {
			return Outcome{}, err
		}
	}
	if rejected, err := in.offensiveReply(ctx, t, closed, r.Decision); err != nil || rejected {
		out.Note = rules.ReasonOffensive
		return out, err
	}
	switch {
	case closed:
		if err := in.lc().apply(ctx, t, Change{Event: EvReopened, Actor: m.From.Email, Via: ViaMail, Note: "the customer replied"}); err != nil {
			return Outcome{}, err
		}
		p, err := in.tx.Participant(ctx, t.ID, m.From.Email)
		if err == nil {
			h := in.workHours()
			data := mailout.ReopenedData{
				TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID), DeskName: in.desk.DisplayName,
				DueResponse: in.formatDue(t.ResolutionDue), OutOfHours: h.outOfHours, WorkStartsAt: in.formatStart(h.start),
				SupportAddress: in.desk.SupportAddress,
			}
			if err := in.autoReply(ctx, t, p, mailout.TmplReopened, data); err != nil {
				return Outcome{}, err
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return Outcome{}, err
		}
		out.Reopened = true
	case t.Status == store.StatusUnidentified:
		return out, in.identifyReply(ctx, t)
	case t.Status == store.StatusWaiting || t.Status == store.StatusDeferred:
		// The user answered: the ticket is back with support and its clocks run again.
		if err := in.lc().apply(ctx, t, Change{Event: EvResumed, Actor: m.From.Email, Via: ViaMail, Note: "the customer replied"}); err != nil {
			return Outcome{}, err
		}
	default:
		if err := in.tx.TouchTicket(ctx, t.ID, in.now); err != nil {
			return Outcome{}, err
		}
		if err := in.tx.AddEvent(ctx, t.ID, in.now, "replied", strings.ToLower(m.From.Email), "the customer replied (mail)"); err != nil {
			return Outcome{}, err
		}
	}
	if fresh, err := in.tx.Ticket(ctx, t.ID); err == nil && (fresh.Status == store.StatusOpen || fresh.Status == store.StatusPlanned) {
		text := replytext.Extract(m.Text).Reply
		if err := in.notifyAgents(ctx, fresh, mailout.NotifyReply, m.From.Name+" <"+m.From.Email+">", text); err != nil {
			return Outcome{}, err
		}
	} else if err != nil {
		return Outcome{}, err
	}
	return out, nil
}

// offensiveReply applies the offensive-language rule (§4.6.3) to a reply: a
// ticket still being worked on is rejected, a closed one is not reopened;
// either way the sender is told why, citing the clause, and the agents are
// told (staff may reopen). It reports whether the rule fired.
func (in *intake) offensiveReply(ctx context.Context, t *store.Ticket, closed bool, dec rules.Decision) (bool, error) {
	if in.s.regs.Rules.Offensive.Disabled || len(dec.Offensive) == 0 {
		return false, nil
	}
	if err := in.recordDecision(ctx, t.ID, dec); err != nil {
		return false, err
	}
	if err := in.event(ctx, t.ID, "offensive_reply", in.msg.From.Email+": "+strings.Join(dec.Offensive, ", ")); err != nil {
		return false, err
	}
	if !closed {
		if err := in.lc().apply(ctx, t, Change{Event: EvRejected, Reason: rules.ReasonOffensive, Actor: in.msg.From.Email, Via: ViaMail, Note: "offensive reply"}); err != nil {
			return false, err
		}
	}
	if err := in.notice(ctx, t, mailout.TmplOffensive, mailout.NoticeData{Reason: rules.ReasonOffensive}); err != nil {
		return false, err
	}
	return true, in.notifyAgents(ctx, t, mailout.NotifyReply, in.msg.From.Name+" <"+in.msg.From.Email+">", replytext.Extract(in.msg.Text).Reply)
}

// standing tells whether the sender already takes part in the ticket and,
// when not, whether they are an outsider: not of the requester's organisation.
func (in *intake) standing(ctx context.Context, t *store.Ticket) (participant, outsider bool, err error) {
	if _, err := in.tx.Participant(ctx, t.ID, in.msg.From.Email); err == nil {
		return true, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, false, err
	}
	same, err := in.sameOrg(ctx, in.msg.From.Email, t.RequesterEmail)
	return false, !same, err
}

// addSender makes a sender who is not yet a participant one when they belong
// with the requester: organisations are walled, so an outsider writing into a
// ticket is recorded but will not receive its mail.
func (in *intake) addSender(ctx context.Context, t *store.Ticket, outsider bool) error {
	from := in.msg.From
	if outsider {
		return in.event(ctx, t.ID, "foreign_sender", "message from "+from.Email+" outside the requester's organisation")
	}
	_, err := in.tx.AddParticipant(ctx, t.ID, from.Email, from.Name, "cc", in.now)
	return err
}

// addColleagues adds the requester's colleagues copied on a new request.
func (in *intake) addColleagues(ctx context.Context, t *store.Ticket) error {
	for _, a := range append(append([]mailmsg.Address{}, in.msg.To...), in.msg.Cc...) {
		e := strings.ToLower(a.Email)
		if e == t.RequesterEmail || in.s.isSupport(e) {
			continue
		}
		if same, err := in.sameOrg(ctx, e, t.RequesterEmail); err != nil {
			return err
		} else if !same {
			if err := in.event(ctx, t.ID, "foreign_cc_ignored", e+" is outside the requester's organisation"); err != nil {
				return err
			}
			continue
		}
		if _, err := in.tx.AddParticipant(ctx, t.ID, e, a.Name, "cc", in.now); err != nil {
			return err
		}
	}
	return nil
}

// isSupport reports whether the address is a desk's, plus-addressed or not.
func (s *Service) isSupport(addr string) bool {
	addr = strings.ToLower(addr)
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return false
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return s.support[local+"@"+domain]
}

// stillColleague tells whether a participant copied on a ticket may still
// receive its mail: not blocked, and of the requester's organisation now.
func (in *intake) stillColleague(ctx context.Context, addr, requester string) (bool, error) {
	sc, err := in.lookupSender(ctx, addr)
	if err != nil {
		return false, err
	}
	if (sc.user != nil && sc.user.Blocked) || (sc.org != nil && sc.org.Blocked) {
		return false, nil
	}
	return in.sameOrg(ctx, addr, requester)
}

// sameOrg tells whether two addresses belong to the same client organisation:
// by the directory (a user's organisation, or the organisation owning the
// domain) when it knows either, else by the mail domain — never by a public
// provider's domain (two strangers at mail.ru are not colleagues).
func (in *intake) sameOrg(ctx context.Context, a, b string) (bool, error) {
	sa, err := in.lookupSender(ctx, a)
	if err != nil {
		return false, err
	}
	sb, err := in.lookupSender(ctx, b)
	if err != nil {
		return false, err
	}
	if sa.org != nil || sb.org != nil {
		return sa.org != nil && sb.org != nil && sa.org.ID == sb.org.ID, nil
	}
	_, da, _ := strings.Cut(strings.ToLower(a), "@")
	_, db, _ := strings.Cut(strings.ToLower(b), "@")
	return da != "" && da == db && !store.PublicMailService(da), nil
}

func (in *intake) storeMessage(ctx context.Context, ticketID int64) error {
	m := in.msg
	dm := &store.Message{
		TicketID: ticketID, Direction: store.DirIn, MessageID: m.MessageID, FromAddr: strings.ToLower(m.From.Email),
		FromName: m.From.Name, ToAddrs: joinAddrs(m.To), CcAddrs: joinAddrs(m.Cc), Subject: m.Subject,
		BodyText: m.Text, BodyHTML: m.HTML, Auto: m.Auto, RawID: sql.NullInt64{Int64: in.raw.ID, Valid: true},
		CreatedAt: in.now,
	}
	if in.fetched.Truncated {
		dm.BodyText = ""
	}
	if err := in.tx.InsertMessage(ctx, dm); err != nil {
		return err
	}
	for _, a := range m.Attachments {
		if err := in.tx.InsertAttachment(ctx, &store.Attachment{
			MessageID: dm.ID, Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID,
			Inline: a.Inline, Size: a.Size, Dropped: a.Dropped, DropReason: a.DropReason, Data: a.Data,
		}); err != nil {
			return err
		}
	}
	return nil
}

func joinAddrs(as []mailmsg.Address) string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, strings.ToLower(a.Email))
	}
	return strings.Join(out, ", ")
}

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

// tooLarge tells a participant that their reply was over the size limit.
func (in *intake) tooLarge(ctx context.Context, t *store.Ticket) error {
	p, err := in.tx.Participant(ctx, t.ID, in.msg.From.Email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	kind, data := in.ackData(t, 0, nil)
	return in.autoReply(ctx, t, p, kind, data)
}

func (in *intake) event(ctx context.Context, ticketID int64, kind, detail string) error {
	return in.tx.AddEvent(ctx, ticketID, in.now, kind, "system", detail)
}
