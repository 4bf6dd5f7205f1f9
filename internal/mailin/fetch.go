package mailin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// errAborted marks a pass stopped mid-FETCH by context cancellation: the
// connection is closed, so marking is left to the next session's recovery.
var errAborted = errors.New("mailin: pass aborted")

// fetchBatch fetches and delivers one batch (ascending UIDs). Consecutive
// messages of the same kind (whole / oversized) share one run: the whole
// ones one FETCH command, the oversized ones fetched by parts.
// It returns the UIDs the sink accepted, even when it fails part-way.
func (s *session) fetchBatch(ctx context.Context, uidValidity uint32, batch []meta, st *Stats) ([]uint32, error) {
	var delivered []uint32
	for len(batch) > 0 {
		trunc := s.truncated(batch[0])
		n := 1
		for n < len(batch) && s.truncated(batch[n]) == trunc {
			n++
		}
		err := s.fetchRun(ctx, uidValidity, batch[:n], trunc, st, &delivered)
		if err != nil {
			return delivered, err
		}
		batch = batch[n:]
	}
	return delivered, nil
}

func (s *session) truncated(m meta) bool { return m.size > s.p.opts.MaxMessageBytes }

// fetchRun issues one UID FETCH for run and delivers its messages as they
// stream in. The server may answer in any order and may omit messages
// expunged meanwhile; the orderer delivers strictly by ascending UID and
// never passes over a UID that still exists.
func (s *session) fetchRun(ctx context.Context, uidValidity uint32, run []meta, trunc bool, st *Stats, delivered *[]uint32) error {
	// An oversized message is fetched by parts, one message at a time
	// (fetchOversized); the others in one FETCH of their whole bodies.
	var cmd *imapclient.FetchCommand
	if !trunc {
		var set imap.UIDSet
		for _, m := range run {
			set.AddNum(imap.UID(m.uid))
		}
		cmd = s.c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	}
	closeCmd := func() error {
		if cmd == nil {
			return nil
		}
		return cmd.Close()
	}
	// The FETCH stream is read by its own goroutine into a bounded queue
	// (fetchAhead), so that the server's next messages arrive while the
	// sink stores the previous ones. go-imap's reader waits until a FETCH
	// is consumed, so every way out of here, a panic in the sink included,
	// must stop that goroutine and then consume the command: on the
	// abnormal ones the connection is killed first to make that quick.
	q := newFetchAhead(2*s.p.opts.BatchMessages, fetchAheadBytes)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer q.close()
		if trunc {
			for _, m := range run {
				f, ok, err := s.fetchOversized(ctx, m.uid)
				if err != nil {
					q.put(fetched{err: fmt.Errorf("mailin: fetch: %w", err)})
					return
				}
				if ok && !q.put(fetched{f: f}) {
					return
				}
			}
			return
		}
		for {
			msg := cmd.Next()
			if msg == nil {
				return
			}
			f, ok, err := s.readMessage(msg)
			if err != nil {
				q.put(fetched{err: fmt.Errorf("mailin: fetch: %w", err)})
				return
			}
			if ok && !q.put(fetched{f: f}) {
				return
			}
		}
	}()
	consumed := false
	stopReader := func() {
		q.stop()
		<-readerDone
	}
	defer func() {
		if !consumed {
			s.kill()
			stopReader()
			closeCmd()
		}
	}()

	ord := orderer{want: run, pending: map[uint32]Fetched{}}
	accepted := func(f Fetched) {
		if f.Body != nil {
			if err := f.Body.Close(); err != nil {
				s.log.Warn("could not remove a spooled message", "uid", f.UID, "err", err)
			}
		}
		st.Delivered++
		if f.Truncated {
			st.Truncated++
		}
		*delivered = append(*delivered, f.UID)
	}
	// With a BatchSink, consecutive messages are committed together (one
	// transaction for up to Options.BatchMessages messages or batchBytes bytes).
	// With an AheadSink, a full batch is held until the next one is full
	// too (or the stream ends), and handed over with it as the next.
	bs, batching := s.p.sink.(BatchSink)
	as, pipelined := s.p.sink.(AheadSink)
	var (
		buf      []Fetched
		bufBytes int
		held     []Fetched // pipelined: a full batch waiting for its next
	)
	give := func(fs, next []Fetched) error {
		var err error
		if pipelined {
			err = s.deliverAhead(ctx, as, uidValidity, fs, next)
		} else {
			err = s.deliverBatch(ctx, bs, uidValidity, fs)
		}
		if err == nil {
			for _, f := range fs {
				accepted(f)
			}
		}
		return err
	}
	// flush hands over what is complete; final: the stream ended.
	flush := func(final bool) error {
		if pipelined {
			if held != nil {
				fs := held
				held = nil
				if err := give(fs, buf); err != nil {
					return err
				}
			}
			if !final {
				held, buf, bufBytes = buf, nil, 0
				return nil
			}
		}
		if len(buf) == 0 {
			return nil
		}
		err := give(buf, nil)
		buf, bufBytes = nil, 0
		return err
	}
	deliver := func(f Fetched) error {
		if !batching {
			if err := s.deliver(ctx, uidValidity, f); err != nil {
				return err
			}
			accepted(f)
			return nil
		}
		buf = append(buf, f)
		bufBytes += int(f.Len())
		if len(buf) >= s.p.opts.BatchMessages || bufBytes >= batchBytes {
			return flush(false)
		}
		return nil
	}
	for {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", errAborted, ctx.Err())
		}
		it, more := q.get()
		if !more {
			break
		}
		if it.err != nil {
			return it.err
		}
		st.Fetched++
		if err := ord.add(it.f, deliver); err != nil {
			// Read the rest of the batch so the delivered ones can be marked.
			consumed = true
			stopReader()
			closeCmd()
			return err
		}
	}
	<-readerDone
	consumed = true
	if err := closeCmd(); err != nil {
		return fmt.Errorf("mailin: fetch: %w", err)
	}
	if missing := ord.missing(); len(missing) > 0 {
		// Expunged between the two FETCHes, or the server left them out:
		// only the former lets us advance past them.
		data, err := s.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{imap.UIDSetNum(toUIDs(missing)...)}}, nil).Wait()
		if err != nil {
			return fmt.Errorf("mailin: check messages missing from FETCH: %w", err)
		}
		if still := data.AllUIDs(); len(still) > 0 {
			return fmt.Errorf("mailin: server did not return message UID %d (and %d more) that still exists", still[0], len(still)-1)
		}
		s.log.Info("messages expunged before they could be fetched", "uids", imap.UIDSetNum(toUIDs(missing)...).String())
	}
	if err := ord.flush(deliver); err != nil {
		return err
	}
	return flush(true)
}

// readMessage reads one FETCH response. ok is false when it carries no body
// (an unsolicited FLAGS update, say): that UID then counts as missing.
func (s *session) readMessage(msg *imapclient.FetchMessageData) (Fetched, bool, error) {
	var (
		f       Fetched
		hasBody bool
	)
	for {
		item := msg.Next()
		if item == nil {
			break
		}
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			f.UID = uint32(item.UID)
		case imapclient.FetchItemDataBodySection:
			hasBody = true
			if item.Literal == nil {
				s.log.Warn("server returned NIL for a message body", "uid", f.UID)
				continue
			}
			if o := s.p.opts; o.SpoolBytes >= 0 && item.Literal.Size() > o.SpoolBytes {
				sp, err := NewSpool(item.Literal, o.SpoolDir)
				if err != nil {
					return f, false, fmt.Errorf("read body of UID %d: %w", f.UID, err)
				}
				f.Body = sp
				continue
			}
			raw, err := readLiteral(item.Literal, s.p.opts.MaxMessageBytes)
			if err != nil {
				return f, false, fmt.Errorf("read body of UID %d: %w", f.UID, err)
			}
			f.Raw = raw
		}
	}
	return f, hasBody && f.UID != 0, nil
}

// readLiteral reads a literal into one allocation of its announced size
// (capped, so a lying server cannot make us allocate gigabytes up front).
//
// The announced size is read into exactly that much memory (a
// bytes.Buffer filled to its capacity would double it to look for more);
// only a literal longer than announced grows further.
func readLiteral(lit imap.LiteralReader, limit int64) ([]byte, error) {
	n := lit.Size()
	if n > limit+1<<20 {
		n = limit + 1<<20
	}
	if n < 0 {
		n = 0
	}
	buf := make([]byte, n)
	got, err := io.ReadFull(lit, buf)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return buf[:got], nil
	case err != nil:
		return buf[:got], err
	}
	rest, err := io.ReadAll(lit)
	if len(rest) > 0 {
		buf = append(buf, rest...)
	}
	return buf, err
}

// deliver hands one message to the sink with a context that survives a
// cancellation of ctx for ShutdownGrace: a transaction in flight finishes.
func (s *session) deliver(ctx context.Context, uidValidity uint32, f Fetched) error {
	dctx, cancel := graceContext(ctx, s.p.opts.ShutdownGrace)
	defer cancel()
	if err := s.p.sink.Deliver(dctx, s.p.opts.Name, uidValidity, f); err != nil {
		return fmt.Errorf("mailin: deliver UID %d: %w", f.UID, err)
	}
	s.log.Debug("delivered", "uid", f.UID, "size", f.Size, "truncated", f.Truncated)
	return nil
}

// batchBytes bounds one BatchSink call (as Options.BatchMessages does).
const batchBytes = 16 << 20

// deliverBatch hands consecutive messages to a BatchSink, like deliver.
func (s *session) deliverBatch(ctx context.Context, bs BatchSink, uidValidity uint32, fs []Fetched) error {
	dctx, cancel := graceContext(ctx, s.p.opts.ShutdownGrace)
	defer cancel()
	if err := bs.DeliverBatch(dctx, s.p.opts.Name, uidValidity, fs); err != nil {
		return fmt.Errorf("mailin: deliver UIDs %d-%d: %w", fs[0].UID, fs[len(fs)-1].UID, err)
	}
	s.log.Debug("delivered", "uids", len(fs), "first_uid", fs[0].UID, "last_uid", fs[len(fs)-1].UID)
	return nil
}

// deliverAhead hands consecutive messages to an AheadSink with the batch
// that follows them, like deliverBatch.
func (s *session) deliverAhead(ctx context.Context, as AheadSink, uidValidity uint32, fs, next []Fetched) error {
	dctx, cancel := graceContext(ctx, s.p.opts.ShutdownGrace)
	defer cancel()
	if err := as.DeliverBatchAhead(dctx, s.p.opts.Name, uidValidity, fs, next); err != nil {
		return fmt.Errorf("mailin: deliver UIDs %d-%d: %w", fs[0].UID, fs[len(fs)-1].UID, err)
	}
	s.log.Debug("delivered", "uids", len(fs), "first_uid", fs[0].UID, "last_uid", fs[len(fs)-1].UID, "next", len(next))
	return nil
}

// orderer turns a FETCH stream into deliveries in ascending UID order.
type orderer struct {
	want    []meta // ascending, not yet delivered
	pending map[uint32]Fetched
}

// add accepts one fetched message and delivers every message that is now
// next in line.
func (o *orderer) add(f Fetched, deliver func(Fetched) error) error {
	i, found := slices.BinarySearchFunc(o.want, f.UID, func(m meta, uid uint32) int {
		return cmpUID(m.uid, uid)
	})
	if !found {
		return nil // not asked for, or already delivered
	}
	f.Size, f.InternalDate = o.want[i].size, o.want[i].internalDate
	o.pending[f.UID] = f
	for len(o.want) > 0 {
		next, ok := o.pending[o.want[0].uid]
		if !ok {
			return nil
		}
		if err := deliver(next); err != nil {
			return err
		}
		delete(o.pending, next.UID)
		o.want = o.want[1:]
	}
	return nil
}

// missing lists the wanted UIDs the server has not returned.
func (o *orderer) missing() []uint32 {
	var out []uint32
	for _, m := range o.want {
		if _, ok := o.pending[m.uid]; !ok {
			out = append(out, m.uid)
		}
	}
	return out
}

// flush delivers what is left in order, once the missing ones are known to
// be gone.
func (o *orderer) flush(deliver func(Fetched) error) error {
	for _, m := range o.want {
		f, ok := o.pending[m.uid]
		if !ok {
			continue
		}
		if err := deliver(f); err != nil {
			return err
		}
		delete(o.pending, m.uid)
	}
	o.want = nil
	return nil
}

func cmpUID(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
