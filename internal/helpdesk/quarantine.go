package helpdesk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// DefaultParseTimeout bounds the parsing of one message.
const DefaultParseTimeout = 30 * time.Second

// guard is the poison-message guard: no single message can stop intake.
//
// Before the heavy work on a batch (parsing, the transaction) intake commits
// a small record "desk D, UIDVALIDITY V, UIDs a..b, attempt k"
// (store.IntakeAttempt); the transaction that moves the cursor deletes it.
// A record found on the next pass means the previous attempt never finished:
// the process died or panicked on one of those messages. They are then taken
// one at a time; a single message whose own attempt died already (attempt ≥ 2)
// is quarantined without being parsed, and intake goes on with the next.
// Parsing runs under a time budget; a message that exceeds it is quarantined.
type guard struct {
	parseTimeout time.Duration
	parse        func([]byte, mailmsg.Options) (*mailmsg.Message, error)
	// crash is a test hook called when the work on messages starts (after
	// the attempt is recorded): an error returned from it ends IngestBatch
	// as a killed process would, with the attempt left in place.
	crash func(uids []uint32) error
	// probe, when set, checks a suspect message in a separate process (probe.go).
	probe Probe

	mu sync.Mutex
	// handled: attempts of this process that ended with an error, or that a
	// commit left for the batch parsed ahead, by desk.
	handled map[string]store.IntakeAttempt
	ahead   map[string]*ahead // a batch parsed ahead, by desk (pipeline.go)
}

func newGuard(parseTimeout time.Duration) *guard {
	if parseTimeout <= 0 {
		parseTimeout = DefaultParseTimeout
	}
	return &guard{parseTimeout: parseTimeout, parse: mailmsg.Parse, handled: map[string]store.IntakeAttempt{}, ahead: map[string]*ahead{}}
}

// errParseTimeout: parsing a message took longer than the budget.
var errParseTimeout = errors.New("parsing this message took too long")

// pendingAttempt reads the desk's unfinished attempt, if any: one this
// process ended with an error (and knows about) does not count — the
// message did not stop the service, the database did.
func (s *Service) pendingAttempt(ctx context.Context, desk string) (store.IntakeAttempt, bool, error) {
	a, ok, err := s.db.IntakeAttempt(ctx, desk)
	if err != nil {
		return a, false, err
	}
	s.guard.mu.Lock()
	defer s.guard.mu.Unlock()
	h, seen := s.guard.handled[desk]
	delete(s.guard.handled, desk)
	if !ok || (seen && h.UIDValidity == a.UIDValidity && h.FirstUID == a.FirstUID && h.LastUID == a.LastUID && h.Attempt == a.Attempt) {
		return store.IntakeAttempt{}, false, nil
	}
	return a, true, nil
}

// recordAttempt durably records that intake of UIDs first..last starts (attempt n).
func (s *Service) recordAttempt(ctx context.Context, d *Desk, uidValidity uint32, first, last uint32, n int, now time.Time) (store.IntakeAttempt, error) {
	a := store.IntakeAttempt{Desk: d.Name, UIDValidity: uidValidity, FirstUID: first, LastUID: last, Attempt: n, StartedAt: now}
	if err := s.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetIntakeAttempt(ctx, a) }); err != nil {
		return a, s.paused(d, fmt.Errorf("ingest uid %d-%d of %s: %w", a.FirstUID, a.LastUID, d.Name, err))
	}
	return a, nil
}

// crashed runs the test hook that plays a process dying while it works on fs.
func (s *Service) crashed(fs []mailin.Fetched) error {
	if s.guard.crash == nil {
		return nil
	}
	uids := make([]uint32, len(fs))
	for i, f := range fs {
		uids[i] = f.UID
	}
	return s.guard.crash(uids)
}

// attemptFailed forgets an attempt that ended with an error rather than a
// crash: it is deleted when the database lets us, and remembered as handled
// by this process either way.
func (s *Service) attemptFailed(ctx context.Context, a store.IntakeAttempt) {
	s.guard.mu.Lock()
	s.guard.handled[a.Desk] = a
	s.guard.mu.Unlock()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = s.db.Tx(cctx, func(tx *store.Tx) error { return tx.ClearIntakeAttempt(cctx, a.Desk) })
}

// paused logs a database failure that holds the cursor, loudly, and returns it.
func (s *Service) paused(d *Desk, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case store.DiskFull(err):
		s.log.Error("database or disk is full: intake paused, will retry", "desk", d.Name, "err", err)
	case store.Transient(err):
		s.log.Error("database unavailable: intake paused, will retry", "desk", d.Name, "err", err)
	}
	return err
}

// parseBounded parses raw under the time budget; a panic or an overrun is
// a parse error (the message is quarantined). Only the context's end is
// returned as ctxErr: then nothing may be decided about the message.
func (s *Service) parseBounded(ctx context.Context, raw []byte) (msg *mailmsg.Message, perr, ctxErr error) {
	return s.bounded(ctx, func() (*mailmsg.Message, error) { return s.guard.parse(raw, s.parseOpts) })
}

// bounded runs a parse under the time budget (parseBounded).
func (s *Service) bounded(ctx context.Context, parse func() (*mailmsg.Message, error)) (msg *mailmsg.Message, perr, ctxErr error) {
	type result struct {
		m   *mailmsg.Message
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- result{nil, fmt.Errorf("the parser panicked: %v", r)}
			}
		}()
		m, err := parse()
		ch <- result{m, err}
	}()
	t := time.NewTimer(s.guard.parseTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.m, r.err, nil
	case <-t.C:
		// The parser goroutine cannot be stopped; it ends when the parser does.
		return nil, fmt.Errorf("%w (over %s)", errParseTimeout, s.guard.parseTimeout), nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// headerOnly parses only the header section of raw (bounded in time too):
// enough to tell the sender of a message that cannot be parsed whole.
func (s *Service) headerOnly(ctx context.Context, raw []byte) *mailmsg.Message {
	end := len(raw)
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 && i < end {
		end = i
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 && i < end {
		end = i
	}
	hdr := append(append([]byte{}, raw[:end]...), "\r\n\r\n"...)
	m, perr, ctxErr := s.parseBounded(ctx, hdr)
	if perr != nil || ctxErr != nil {
		return nil
	}
	return m
}

// filesInRaw is where each of m's files lies in raw, its raw message
// (store.FindInRaw); nil when there is none or raw is not in memory.
func filesInRaw(raw []byte, m *mailmsg.Message) []store.RawPart {
	if m == nil || len(m.Attachments) == 0 || raw == nil {
		return nil
	}
	files := make([][]byte, len(m.Attachments))
	for k, a := range m.Attachments {
		if !a.Dropped {
			files[k] = a.Data
		}
	}
	return store.FindInRaw(raw, files)
}

// preparing is a batch being prepared in the background: message i is
// ready once ready[i] is closed, so that the database writer takes each as
// soon as it is, in order, rather than the batch once all of it is.
type preparing struct {
	fs    []mailin.Fetched
	ps    []prepared
	errs  []error
	ready []chan struct{}
	done  chan struct{} // every message is ready (or was given up)
	ctx   context.Context
}

// startPrepare starts preparing fs outside the transaction: each message
// parsed under the time budget (a parse that overruns or panics is kept as
// a parse error with the header alone parsed, so that the sender can be
// told) and what it alone decides worked out (foresight.go). The messages
// are prepared on up to GOMAXPROCS goroutines, in order (the attempt
// covering all of them is already recorded, so a message that kills the
// process is found as before). It ends early with ctx.
func (s *Service) startPrepare(ctx context.Context, d *Desk, uidValidity uint32, fs []mailin.Fetched, now time.Time) *preparing {
	p := &preparing{fs: fs, ps: make([]prepared, len(fs)), errs: make([]error, len(fs)), ready: make([]chan struct{}, len(fs)),
		done: make(chan struct{}), ctx: ctx}
	for i := range p.ready {
		p.ready[i] = make(chan struct{})
	}
	one := func(i int) {
		defer close(p.ready[i])
		f := fs[i]
		msg, perr, ctxErr := s.parseFetched(ctx, f) // raw_stream.go
		if ctxErr != nil {
			p.errs[i] = ctxErr
			return
		}
		if perr != nil && msg == nil && !errors.Is(perr, mailmsg.ErrNoHeader) && !errors.Is(perr, mailmsg.ErrHeaderTooLarge) {
			s.log.Error("message could not be parsed; quarantining it", "desk", d.Name, "uid", f.UID, "err", perr)
			msg = s.headerOnly(ctx, fetchedHead(f, s.parseOpts))
		}
		p.ps[i] = prepared{f: f, raw: newRaw(d, uidValidity, f, msg, now), msg: msg, perr: perr}
		p.ps[i].raw.Packed = s.db.PackRaw(f.Raw) // here, beside the database writer
		if perr == nil {
			p.ps[i].fore = s.foresee(msg)
			p.ps[i].inRaw = filesInRaw(f.Raw, msg)
		}
	}
	var (
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for range min(runtime.GOMAXPROCS(0), len(fs)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(fs); i = int(next.Add(1) - 1) {
				if err := ctx.Err(); err != nil {
					p.errs[i] = err // given up: ready, with the reason
					close(p.ready[i])
					continue
				}
				one(i)
			}
		})
	}
	go func() {
		wg.Wait()
		close(p.done)
	}()
	return p
}

// item waits for message i.
func (p *preparing) item(i int) (prepared, error) {
	<-p.ready[i]
	return p.ps[i], p.errs[i]
}

// all waits for every message.
func (p *preparing) all() ([]prepared, error) {
	<-p.done
	for _, err := range p.errs {
		if err != nil {
			return nil, err
		}
	}
	if err := p.ctx.Err(); err != nil {
		return nil, err
	}
	return p.ps, nil
}

// readyBatch is ps, prepared already.
func readyBatch(ps []prepared) *preparing {
	done := make(chan struct{})
	close(done)
	p := &preparing{ps: ps, errs: make([]error, len(ps)), ready: make([]chan struct{}, len(ps)), done: done, ctx: context.Background()}
	p.fs = make([]mailin.Fetched, len(ps))
	for i := range ps {
		p.fs[i], p.ready[i] = ps[i].f, done
	}
	return p
}

func newRaw(d *Desk, uidValidity uint32, f mailin.Fetched, msg *mailmsg.Message, now time.Time) *store.RawMessage {
	sum, key := rawKeys(f) // raw_stream.go
	raw := &store.RawMessage{
		Desk: d.Name, UIDValidity: uidValidity, UID: f.UID, SHA256: sum, ContentKey: key,
		Size: f.Size, Truncated: f.Truncated, Disposition: store.DispPending, Data: f.Raw, Body: rawBody(f), ReceivedAt: now,
	}
	if raw.Size == 0 {
		raw.Size = f.Len()
	}
	if msg != nil {
		raw.MessageID = msg.MessageID
	}
	return raw
}

// suspect handles a message that was being processed alone when the service
// stopped (died times). Without a probe it is quarantined. With one, the
// message is first run in a separate process: if that dies too, it is
// quarantined; if not, the deaths came from outside and it is ingested
// again (quarantined anyway after maxSuspectDeaths deaths alone).
func (s *Service) suspect(ctx context.Context, d *Desk, uidValidity uint32, f mailin.Fetched, died int) ([]Outcome, error) {
	if s.guard.probe == nil || died >= maxSuspectDeaths {
		return s.poison(ctx, d, uidValidity, f, died, "")
	}
	raw, err := f.Bytes() // the whole message, spooled or not, for the probe
	if err == nil {
		err = s.guard.probe(ctx, raw, s.parseOpts)
	}
	switch {
	case err == nil:
		s.log.Warn("the service stopped while processing this message, but a separate process handles it: ingesting it again",
			"desk", d.Name, "uid", f.UID, "attempts", died)
		return s.ingest(ctx, d, uidValidity, []mailin.Fetched{f}, died+1)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, ErrMessageKills):
		return s.poison(ctx, d, uidValidity, f, died, err.Error())
	default:
		s.log.Warn("the message could not be probed in a separate process", "desk", d.Name, "uid", f.UID, "err", err)
		return s.poison(ctx, d, uidValidity, f, died, "")
	}
}

// poison quarantines, without parsing it, a message whose processing
// stopped the service died times. Its header alone is parsed (under the
// time budget) to tell the sender — unless that too stopped the service.
func (s *Service) poison(ctx context.Context, d *Desk, uidValidity uint32, f mailin.Fetched, died int, probed string) ([]Outcome, error) {
	now := s.now().UTC()
	a, err := s.recordAttempt(ctx, d, uidValidity, f.UID, f.UID, died+1, now)
	if err != nil {
		return nil, err
	}
	reason := fmt.Sprintf("processing this message stopped the service (attempt %d)", died)
	if probed != "" {
		reason += "; " + probed
	}
	s.log.Error("message stopped the service; quarantining it without parsing", "desk", d.Name, "uid", f.UID, "attempts", died)
	var msg *mailmsg.Message
	if died == 2 {
		msg = s.headerOnly(ctx, fetchedHead(f, s.parseOpts))
	}
	p := prepared{f: f, raw: newRaw(d, uidValidity, f, msg, now), msg: msg, perr: errors.New(reason)}
	outs, err := s.commit(ctx, d, uidValidity, now, []prepared{p}, nil)
	if err != nil {
		s.attemptFailed(ctx, a)
		return nil, err
	}
	s.finish(d, []prepared{p}, outs)
	return outs, nil
}

// storeRaw stores a new raw message. It is a duplicate when the same bytes
// are stored, or a message with the same Message-ID and the same content
// key (the same message delivered twice, with other trace fields). A known
// Message-ID with other content (printers and scanners reuse theirs) is a
// new message: reused reports it.
func storeRaw(ctx context.Context, tx *store.Tx, r *store.RawMessage) (dup, reused bool, err error) {
	refs, err := tx.RawsByMessageID(ctx, r.Desk, r.MessageID)
	if err != nil {
		return false, false, err
	}
	for _, ref := range refs {
		if ref.SHA256 == r.SHA256 {
			return true, false, nil
		}
		key := ref.ContentKey
		if key == "" { // stored before content keys existed
			data, err := tx.RawData(ctx, ref.ID)
			if err != nil {
				return false, false, err
			}
			if len(data) == 0 { // purged
				continue
			}
			key = contentKey(data)
			if err := tx.SetRawContentKey(ctx, ref.ID, key); err != nil {
				return false, false, err
			}
		}
		if key == r.ContentKey {
			return true, false, nil
		}
	}
	_, dup, err = tx.InsertRaw(ctx, r)
	return dup, !dup && len(refs) > 0, err
}

// traceFields are header fields a delivery adds or rewrites: two copies of
// one message differ in them, so the content key leaves them out (with every
// X- field).
var traceFields = map[string]bool{
	"received": true, "return-path": true, "delivered-to": true, "envelope-to": true, "authentication-results": true,
	"received-spf": true, "arc-seal": true, "arc-message-signature": true, "arc-authentication-results": true,
	"dkim-signature": true, "status": true, "content-length": true, "lines": true,
}

// contentKey is the SHA-256 of a message without its trace header fields,
// with the remaining fields unfolded and the line ends normalised.
func contentKey(raw []byte) string {
	h := sha256.New()
	k := headerKey{h: h}
	rest := raw
	for len(rest) > 0 {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		rest = after
		if !k.line(line) || !found {
			break
		}
	}
	k.flush()
	h.Write([]byte{'\n'})
	writeLF(h, rest) // the body, hashed in place (a large message is not copied)
	return hex.EncodeToString(h.Sum(nil))
}

// writeLF writes b to h with every CRLF as LF.
func writeLF(h hash.Hash, b []byte) {
	for len(b) > 0 {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			h.Write(b)
			return
		}
		h.Write(b[:i])
		h.Write([]byte{'\n'})
		b = b[i+2:]
	}
}

// headerKey hashes a message's header for contentKey: each field that is
// not a trace field, unfolded, lower-cased name, spaces collapsed.
type headerKey struct {
	h     hash.Hash
	field []byte
}

// line takes a header line (without LF); false at the blank line that ends
// the header.
func (k *headerKey) line(line []byte) bool {
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return false
	}
	if line[0] == ' ' || line[0] == '\t' {
		k.field = append(append(k.field, ' '), line...)
	} else {
		k.flush()
		k.field = append(k.field, line...)
	}
	return true
}

// flush hashes the field taken so far.
func (k *headerKey) flush() {
	if len(k.field) == 0 {
		return
	}
	name, value, _ := bytes.Cut(k.field, []byte(":"))
	n := strings.ToLower(strings.TrimSpace(string(name)))
	if !traceFields[n] && !strings.HasPrefix(n, "x-") {
		k.h.Write([]byte(n))
		k.h.Write([]byte{':'})
		k.h.Write([]byte(strings.Join(strings.Fields(string(value)), " ")))
		k.h.Write([]byte{'\n'})
	}
	k.field = k.field[:0]
}

// ErrNotQuarantined: the message is not (or no longer) in quarantine.
var ErrNotQuarantined = errors.New("the message is not in quarantine")

// RetryQuarantined runs intake again on a quarantined message's stored bytes,
// through the normal path (parse, rules, ticket or reply, answers). It takes
// the message out of quarantine in the same transaction, so it produces its
// ticket at most once: a second retry returns ErrNotQuarantined. The cursor
// is not touched.
func (s *Service) RetryQuarantined(ctx context.Context, id int64) (Outcome, error) {
	r, err := s.db.RawMessage(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	if r.Disposition != store.DispQuarantine {
		return Outcome{}, fmt.Errorf("message %d: %w (it is %s)", id, ErrNotQuarantined, r.Disposition)
	}
	d, err := s.desk(r.Desk)
	if err != nil {
		return Outcome{}, err
	}
	f := mailin.Fetched{UID: r.UID, Raw: r.Data, Size: r.Size, Truncated: r.Truncated}
	msg, perr, ctxErr := s.parseBounded(ctx, r.Data)
	if ctxErr != nil {
		return Outcome{}, ctxErr
	}
	if msg != nil && r.MessageID == "" {
		r.MessageID = msg.MessageID
	}
	now := s.now().UTC()
	var out Outcome
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ClaimQuarantined(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("message %d: %w", id, ErrNotQuarantined)
		}
		in := &intake{deskTx: s.deskTx(tx, d, now), raw: r, msg: msg, fetched: f}
		if out, err = in.run(ctx, perr); err != nil {
			return err
		}
		return tx.AddEvent(ctx, out.TicketID, now, "quarantine_retried", "system",
			fmt.Sprintf("raw message %d (uid %d of %s): %s", id, r.UID, d.Name, out.Disposition))
	})
	if err != nil {
		return Outcome{}, err
	}
	s.logOutcome(d, f, msg, out)
	s.queued()
	return out, nil
}

// ReleaseQuarantined drops a quarantined message for good (`otvet
// quarantine release ID`): it stays stored, marked released, and the audit
// trail records the actor. ok is false when the message is not in
// quarantine (already retried or released, or not stored at all).
func (s *Service) ReleaseQuarantined(ctx context.Context, id int64, actor string) (ok bool, err error) {
	now := s.now().UTC()
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		ok, err = tx.ReleaseQuarantined(ctx, id, actor, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("release message %d: %w", id, err)
	}
	return ok, nil
}
