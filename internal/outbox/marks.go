package outbox

import (
	"context"
	"sync"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// marks batches the sent marks of one drain: MarkBatch rows, or MarkDelay
// after the first, in one transaction (store.FinishSent). A row accepted by
// the relay stays pending and claimed until its batch is written, so a crash
// in between sends it again when the claim expires; it is never lost.
type marks struct {
	d *drainRun

	mu      sync.Mutex
	pending []*store.Outgoing
	first   time.Time // when the oldest pending mark was added
	woken   int       // rows woken by the batches written so far

	write sync.Mutex // one batch written at a time, in order
}

// add queues the mark of a row the relay accepted, and writes the batch
// when it is full.
func (m *marks) add(ctx context.Context, o *store.Outgoing) error {
	m.mu.Lock()
	if len(m.pending) == 0 {
		m.first = time.Now()
	}
	m.pending = append(m.pending, o)
	full := len(m.pending) >= m.d.w.o.MarkBatch
	m.mu.Unlock()
	if full {
		_, err := m.flush(ctx)
		return err
	}
	return nil
}

func (m *marks) wokenSoFar() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.woken
}

// tick writes the pending marks MarkDelay after the oldest of them, until
// ctx is done.
func (m *marks) tick(ctx context.Context) {
	delay := m.d.w.o.MarkDelay
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m.mu.Lock()
		wait := delay
		if len(m.pending) > 0 {
			wait = delay - time.Since(m.first)
		}
		m.mu.Unlock()
		if wait <= 0 {
			if _, err := m.flush(ctx); err != nil && ctx.Err() == nil {
				m.d.fail(err)
				return
			}
			wait = delay
		}
		t.Reset(wait)
	}
}

// flush writes the pending marks in one transaction, even when ctx is
// cancelled (the relay has the messages). On an error the marks stay
// pending for the next flush; a row whose mark is never written is sent
// again when its claim expires.
func (m *marks) flush(ctx context.Context) (woken int, err error) {
	m.write.Lock()
	defer m.write.Unlock()
	m.mu.Lock()
	batch := m.pending
	m.pending = nil
	m.mu.Unlock()
	if len(batch) == 0 {
		return 0, nil
	}
	w := m.d.w
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	unlock := w.lockDB()
	woken, lost, err := w.db.FinishSent(rctx, batch, w.o.Now().UTC())
	unlock()
	if err != nil {
		m.mu.Lock()
		m.pending = append(batch, m.pending...)
		if len(m.pending) == len(batch) {
			m.first = time.Now()
		}
		m.mu.Unlock()
		w.o.Logger.Error("outbox: sent marks not written; retried, else those rows are sent again when their claim expires",
			"rows", len(batch), "err", err)
		return 0, err
	}
	for _, id := range lost {
		w.o.Logger.Warn("outbox row was claimed again or requeued during the attempt; outcome not recorded", "outbox_id", id)
	}
	if woken > 0 {
		m.d.count(func(st *Stats) { st.Woken += woken })
		w.o.Logger.Info("relay answers again: waiting mail is due now", "woken", woken)
	}
	m.mu.Lock()
	m.woken += woken
	m.mu.Unlock()
	return woken, nil
}
