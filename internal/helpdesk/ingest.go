package helpdesk

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
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
	fore *foresight
	// inRaw: where each of msg's files lies in the raw message
	// (store.FindInRaw), so that it is stored once.
	inRaw []store.RawPart
}

// IngestBatch stores messages of one mailbox (ascending UIDs) in ONE
// transaction together with the cursor, and returns what was done with each.
// The poison-message guard (quarantine.go) surrounds it: when the previous
// attempt on these messages never finished, they are taken one at a time,
// and a message that stopped the service twice is quarantined unparsed.
func (s *Service) IngestBatch(ctx context.Context, mailbox string, uidValidity uint32, fs []mailin.Fetched) ([]Outcome, error) {
	return s.ingestBatch(ctx, mailbox, uidValidity, fs, nil)
}

// DeliverBatchAhead implements mailin.AheadSink: DeliverBatch, with the
// batch that follows (next) parsed meanwhile (pipeline.go).
func (s *Service) DeliverBatchAhead(ctx context.Context, mailbox string, uidValidity uint32, fs, next []mailin.Fetched) error {
	_, err := s.ingestBatch(ctx, mailbox, uidValidity, fs, next)
	return err
}

func (s *Service) ingestBatch(ctx context.Context, mailbox string, uidValidity uint32, fs, next []mailin.Fetched) ([]Outcome, error) {
	d, err := s.desk(mailbox)
	if err != nil {
		return nil, err
	}
	a := s.takeAhead(d.Name)
	if len(fs) == 0 {
		a.discard()
		return nil, nil
	}
	prev, found, err := s.pendingAttempt(ctx, d.Name)
	if err != nil {
		a.discard()
		return nil, s.paused(d, err)
	}
	if !found || !prev.Covers(uidValidity, fs[0].UID) {
		return s.ingestAhead(ctx, d, uidValidity, fs, 1, a, next)
	}
	a.discard()
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
			o, err = s.suspect(ctx, d, uidValidity, f, prev.Attempt)
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
	return s.ingestAhead(ctx, d, uidValidity, fs, attempt, nil, nil)
}

// ingestAhead is ingest with a pipeline (pipeline.go): ready is fs already
// being parsed by the previous call, if it is; next, the batch that follows,
// is parsed while fs is committed. The attempt then covers fs and next, and
// the commit of fs leaves one covering next alone.
func (s *Service) ingestAhead(ctx context.Context, d *Desk, uidValidity uint32, fs []mailin.Fetched, attempt int, ready *ahead, next []mailin.Fetched) ([]Outcome, error) {
	now := s.now().UTC()
	last := fs[len(fs)-1].UID
	if len(next) > 0 {
		last = next[len(next)-1].UID
	}
	a, err := s.recordAttempt(ctx, d, uidValidity, fs[0].UID, last, attempt, now)
	if err != nil {
		ready.discard()
		return nil, err
	}
	if err := s.crashed(fs); err != nil {
		ready.discard()
		return nil, err
	}
	var (
		following *ahead
		nextA     *store.IntakeAttempt
	)
	if len(next) > 0 {
		following = s.startAhead(ctx, d, uidValidity, next, now)
		nextA = &store.IntakeAttempt{Desk: d.Name, UIDValidity: uidValidity, FirstUID: next[0].UID,
			LastUID: next[len(next)-1].UID, Attempt: 1, StartedAt: now}
	}
	// The writer takes each message as soon as it is prepared.
	var src *preparing
	if ready.matches(uidValidity, fs) {
		src = ready.prep
	} else {
		ready.discard()
		ready = nil
		src = s.startPrepare(ctx, d, uidValidity, fs, now)
	}
	outs, err := s.commitFrom(ctx, d, uidValidity, now, src, nextA)
	ready.discard() // over by now, unless the commit failed
	if err == nil {
		if following != nil {
			s.keepAhead(d.Name, following, *nextA)
		}
		s.finish(d, src.ps, outs)
		return outs, nil
	}
	following.discard()
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
	s.observeIngest(d, ps, outs)
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
//
// next, when set, is the attempt on the batch being parsed meanwhile: it
// replaces the attempt instead of clearing it.
func (s *Service) commit(ctx context.Context, d *Desk, uidValidity uint32, now time.Time, ps []prepared, next *store.IntakeAttempt) ([]Outcome, error) {
	return s.commitFrom(ctx, d, uidValidity, now, readyBatch(ps), next)
}

// commitFrom is commit of a batch being prepared: each message is taken
// as soon as it is.
func (s *Service) commitFrom(ctx context.Context, d *Desk, uidValidity uint32, now time.Time, src *preparing, next *store.IntakeAttempt) ([]Outcome, error) {
	fs := src.fs
	outs := make([]Outcome, len(fs))
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		mail := newMailWork()
		defer mail.discard()
		for i := range fs {
			p, err := src.item(i)
			if err != nil {
				return err
			}
			raw := *p.raw // a fresh copy for each try: a rolled-back try's row ID means nothing
			raw.ID = 0
			dt := s.deskTx(tx, d, now)
			dt.mail = mail
			in := &intake{deskTx: dt, raw: &raw, msg: p.msg, fetched: p.f, fore: p.fore, inRaw: p.inRaw}
			out, err := in.run(ctx, p.perr)
			if err != nil {
				return err
			}
			outs[i] = out
		}
		if err := mail.settle(ctx); err != nil {
			return err
		}
		if err := tx.SetCursor(ctx, d.Name, store.Cursor{UIDValidity: uidValidity, LastUID: fs[len(fs)-1].UID}, now); err != nil {
			return err
		}
		return endAttempt(ctx, tx, d.Name, next)
	})
	if err == nil {
		return outs, nil
	}
	err = fmt.Errorf("ingest uid %d-%d of %s: %w", fs[0].UID, fs[len(fs)-1].UID, d.Name, err)
	if ctx.Err() != nil || store.Transient(err) {
		return nil, s.paused(d, err)
	}
	ps, perr := src.all()
	if perr != nil {
		return nil, s.paused(d, fmt.Errorf("%w (preparing: %w)", err, perr))
	}
	if len(ps) > 1 {
		for i := range ps {
			end := next
			if next != nil && i < len(ps)-1 {
				// The rest of this batch is still to come: the attempt covers it too.
				rest := *next
				rest.FirstUID = ps[i+1].f.UID
				end = &rest
			}
			o, err := s.commit(ctx, d, uidValidity, now, ps[i:i+1], end)
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
		return endAttempt(ctx, tx, d.Name, next)
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
	return out, in.tx.SetRawDisposition(ctx, in.raw.ID, out.Disposition, in.storedNote(out.Note), out.TicketID)
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
func (in *deskTx) lc() *lifecycle { return in.s.lifecycle(in.tx, in.desk, in.now) }

// deskTx is the work of one transaction on one desk: the ticket lifecycle,
// directory lookups, notifications and composing mail. The scheduler (Tick),
// the command line and the console use it as it is; intake adds the message.
type deskTx struct {
	s       *Service
	tx      *store.Tx
	desk    *Desk
	now     time.Time
	senders map[string]senderContext // directory lookups in this transaction, by lower-cased address
	mail    *mailWork                // intake's batch: mail composed beside the writer (mailwork.go); nil: at once
}

func (s *Service) deskTx(tx *store.Tx, d *Desk, now time.Time) *deskTx {
	return &deskTx{s: s, tx: tx, desk: d, now: now}
}

// intake is the state of one message's transaction: the desk's work plus
// the message and how it came.
type intake struct {
	*deskTx
	raw     *store.RawMessage
	msg     *mailmsg.Message
	fetched mailin.Fetched
	phone   bool // registered by staff from a phone call
	// via is the channel a staff action came through (ViaMail when empty);
	// quiet: an agent's command results are collected in results (and
	// delivered set) instead of mailed back (Act, act.go).
	via       string
	quiet     bool
	results   []mailout.CommandResult
	delivered bool
	// suggested: the knowledge-base articles the acknowledgement named (kb.go).
	suggested []mailout.ArticleRef
	// fore: what was worked out from the message while it was parsed (foresight.go).
	fore *foresight
	// stored: the message as stored on its ticket, once it is (storeAs).
	stored *store.Message
	// inRaw: where each of msg's files lies in raw (prepared.inRaw).
	inRaw []store.RawPart
}

var subjectToken = regexp.MustCompile(`\[#(\d{1,18})\]`)

// decide triages the message and hands it to its route's handler.
func (in *intake) decide(ctx context.Context, perr error) (Outcome, error) {
	r, err := in.triage(ctx, perr)
	if err != nil {
		return Outcome{}, err
	}
	if r.Kind != RouteNew {
		// It may concern a ticket whose mail is still being composed: that
		// mail's rows come first (mailwork.go).
		if err := in.mail.settle(ctx); err != nil {
			return Outcome{}, err
		}
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
		return in.blocked(ctx, r)
	case RouteReply:
		return in.reply(ctx, r)
	case RouteAuto:
		return Outcome{Disposition: store.DispAutoIgnored, Note: in.msg.AutoReason}, in.event(ctx, 0, "auto_ignored", in.msg.AutoReason)
	case RouteSpam:
		// No ticket and no answer (no backscatter); kept and counted.
		return Outcome{Disposition: store.DispSpam, Note: r.Detail}, in.event(ctx, 0, "spam_ignored", in.msg.From.Email+": "+r.Detail)
	case RouteRegistration:
		return in.registration(ctx, r.Registration)
	case RouteContractor:
		return in.contractorMail(ctx, r)
	}
	return in.open(ctx, r)
}

func strconvQuote(s string) string {
	if len(s) > 200 {
		s = s[:200]
	}
	return strconv.Quote(s)
}

// storeMessage records the message on its ticket as incoming mail.
func (in *intake) storeMessage(ctx context.Context, ticketID int64) error {
	return in.storeAs(ctx, ticketID, store.DirIn)
}

// storeAs records the message with its files on a ticket in direction dir.
func (in *intake) storeAs(ctx context.Context, ticketID int64, dir string) error {
	dm := storedMessage(in.msg)
	dm.TicketID, dm.Direction, dm.RawID, dm.CreatedAt = ticketID, dir, sql.NullInt64{Int64: in.raw.ID, Valid: true}, in.now
	if in.fore != nil {
		dm.Prep = in.fore.stored // its text packed and its terms, worked out while it was parsed
	}
	if err := in.tx.InsertMessage(ctx, dm); err != nil {
		return err
	}
	in.stored = dm
	return in.storeFiles(ctx, dm.ID)
}

// storedMessage is a message as its ticket's conversation keeps it (without
// ticket, direction, raw message and time).
func storedMessage(m *mailmsg.Message) *store.Message {
	return &store.Message{
		MessageID: m.MessageID, FromAddr: strings.ToLower(m.From.Email), FromName: m.From.Name, ToAddrs: joinAddrs(m.To),
		CcAddrs: joinAddrs(m.Cc), Subject: m.Subject, BodyText: store.Text(m.Text), BodyHTML: store.Text(m.HTML), Auto: m.Auto,
		Direction: store.DirIn,
	}
}

// storeFiles records the message's attachments under a stored message.
func (in *intake) storeFiles(ctx context.Context, messageID int64) error {
	for k, a := range in.msg.Attachments {
		var at store.RawPart
		if k < len(in.inRaw) {
			at = in.inRaw[k] // a file read from the raw message stored with it: not stored again
		}
		if err := in.tx.InsertAttachment(ctx, &store.Attachment{
			MessageID: messageID, Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID,
			Inline: a.Inline, Size: a.Size, Dropped: a.Dropped, DropReason: a.DropReason, Data: a.Data, InRaw: at,
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

func (in *deskTx) event(ctx context.Context, ticketID int64, kind, detail string) error {
	return in.tx.AddEvent(ctx, ticketID, in.now, kind, "system", detail)
}
