package mailin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
)

// meta is what the cheap first FETCH tells about a new message.
type meta struct {
	uid          uint32
	size         int64
	internalDate time.Time
}

// pass selects the folder and delivers every message above the cursor, in
// ascending UID order, marking each fetch batch after its deliveries.
func (s *session) pass(ctx context.Context) (Stats, error) {
	var st Stats
	o := s.p.opts
	s.drainNotify()
	sel, err := s.c.Select(o.Folder, nil).Wait()
	if err != nil {
		return st, fmt.Errorf("mailin: select %q: %w", o.Folder, err)
	}
	if sel.UIDValidity == 0 {
		return st, fmt.Errorf("mailin: select %q: server reported no UIDVALIDITY", o.Folder)
	}
	cur, err := s.p.sink.Cursor(ctx, o.Name)
	if err != nil {
		return st, fmt.Errorf("mailin: read cursor: %w", err)
	}
	if cur.UIDValidity != sel.UIDValidity {
		if cur.UIDValidity != 0 {
			st.UIDValidityReset = true
			s.log.Warn("UIDVALIDITY changed: fetching the whole folder again, the store drops duplicates",
				"folder", o.Folder, "old_uidvalidity", cur.UIDValidity, "new_uidvalidity", sel.UIDValidity,
				"old_last_uid", cur.LastUID)
		}
		cur = Cursor{UIDValidity: sel.UIDValidity}
		if err := s.p.sink.SetCursor(ctx, o.Name, cur); err != nil {
			return st, fmt.Errorf("mailin: reset cursor: %w", err)
		}
	}
	if s.needRecovery {
		s.needRecovery = false
		s.recover(cur)
	}
	if sel.UIDNext != 0 && uint32(sel.UIDNext)-1 <= cur.LastUID {
		if uint32(sel.UIDNext) <= cur.LastUID {
			// UIDs never go down within one UIDVALIDITY: the server broke
			// that rule, or the cursor belongs to another account.
			s.log.Error("the stored cursor is ahead of the server's UIDNEXT: mail below it would be missed; reset the mailbox cursor",
				"folder", o.Folder, "last_uid", cur.LastUID, "uidnext", uint32(sel.UIDNext))
		}
		if !s.listening {
			s.listening = true
			s.log.Info("listening", "folder", o.Folder, "new_since_cursor", 0, "after_uid", cur.LastUID)
		}
		return st, nil
	}
	if cur.LastUID == math.MaxUint32 {
		return st, nil
	}
	metas, err := s.listNew(cur.LastUID)
	if err != nil {
		return st, err
	}
	if !s.listening {
		s.listening = true
		s.log.Info("listening", "folder", o.Folder, "new_since_cursor", len(metas), "after_uid", cur.LastUID)
	}
	if len(metas) > 0 {
		s.log.Debug("new messages", "folder", o.Folder, "count", len(metas), "after_uid", cur.LastUID)
	}
	for batch := range slices.Chunk(metas, o.FetchBatch) {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		delivered, err := s.fetchBatch(ctx, sel.UIDValidity, batch, &st)
		if !errors.Is(err, errAborted) {
			s.mark(delivered)
		}
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// listNew returns the UIDs above last with their sizes, ascending.
func (s *session) listNew(last uint32) ([]meta, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0) // last+1:*
	cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true})
	var out []meta
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return nil, fmt.Errorf("mailin: fetch sizes: %w", err)
		}
		// "N:*" always matches the last message, even when its UID < N.
		if uint32(buf.UID) > last {
			out = append(out, meta{uid: uint32(buf.UID), size: buf.RFC822Size, internalDate: buf.InternalDate})
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("mailin: fetch sizes: %w", err)
	}
	slices.SortFunc(out, func(a, b meta) int { return cmpUID(a.uid, b.uid) })
	out = slices.CompactFunc(out, func(a, b meta) bool { return a.uid == b.uid })
	return out, nil
}

// mark flags and/or moves delivered messages. Failures are logged and
// retried by the recovery step of a later pass: the cursor already
// guarantees they are not delivered again.
func (s *session) mark(delivered []uint32) {
	if len(delivered) == 0 {
		return
	}
	if err := s.markUIDs(imap.UIDSetNum(toUIDs(delivered)...)); err != nil {
		s.needRecovery = true
		s.log.Warn("marking delivered messages failed; will retry on a later pass",
			"err", err, "count", len(delivered), "first_uid", delivered[0], "last_uid", delivered[len(delivered)-1])
	}
}

func (s *session) markUIDs(set imap.UIDSet) error {
	o := s.p.opts
	if o.MarkSeen {
		err := s.c.Store(set, &imap.StoreFlags{
			Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen},
		}, nil).Close()
		if err != nil {
			return fmt.Errorf("store \\Seen: %w", err)
		}
	}
	if o.ProcessedFolder != "" {
		if _, err := s.c.Move(set, o.ProcessedFolder).Wait(); err != nil {
			return fmt.Errorf("move to %q: %w", o.ProcessedFolder, err)
		}
	}
	return nil
}

// recover finishes the "mark after commit" promise for messages at or below
// the cursor: a crash between commit and STORE/MOVE leaves them unseen or
// still in the folder.
func (s *session) recover(cur Cursor) {
	o := s.p.opts
	if cur.LastUID == 0 || (!o.MarkSeen && o.ProcessedFolder == "") {
		return
	}
	var below imap.UIDSet
	below.AddRange(1, imap.UID(cur.LastUID))
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{below}}
	if o.ProcessedFolder == "" {
		crit.NotFlag = []imap.Flag{imap.FlagSeen}
	}
	crit.NotFlag = append(crit.NotFlag, imap.FlagDeleted)
	data, err := s.c.UIDSearch(crit, nil).Wait()
	if err != nil {
		s.needRecovery = true
		s.log.Warn("searching for unmarked delivered messages failed", "err", err)
		return
	}
	uids := data.AllUIDs()
	if len(uids) == 0 {
		return
	}
	s.log.Info("marking messages delivered earlier but not yet marked", "count", len(uids))
	if err := s.markUIDs(imap.UIDSetNum(uids...)); err != nil {
		s.needRecovery = true
		s.log.Warn("marking delivered messages failed; will retry on a later pass", "err", err, "count", len(uids))
	}
}

func toUIDs(l []uint32) []imap.UID {
	out := make([]imap.UID, len(l))
	for i, u := range l {
		out[i] = imap.UID(u)
	}
	return out
}
