package mailin

import "sync"

// How far the FETCH reader may run ahead of the sink: at most two batches
// of messages (Options.BatchMessages) and fetchAheadBytes wait in the queue
// (a message larger than the bytes waits alone), so memory stays flat
// whatever the mailbox holds.
const fetchAheadBytes = batchBytes

// fetched is one item of the queue: a message or the error that ended the stream.
type fetched struct {
	f   Fetched
	err error
}

// fetchAhead is the bounded queue between the goroutine reading a FETCH
// stream and the one delivering its messages.
type fetchAhead struct {
	mu       sync.Mutex
	cond     *sync.Cond
	items    []fetched
	bytes    int
	maxItems int
	maxBytes int
	closed   bool // the reader is done: no more items
	stopped  bool // the consumer is gone: put refuses
}

func newFetchAhead(maxItems, maxBytes int) *fetchAhead {
	q := &fetchAhead{maxItems: maxItems, maxBytes: maxBytes}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// put waits for room and queues it; false when the consumer stopped.
func (q *fetchAhead) put(it fetched) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := int(it.f.Len())
	for !q.stopped && len(q.items) > 0 && (len(q.items) >= q.maxItems || q.bytes+n > q.maxBytes) {
		q.cond.Wait()
	}
	if q.stopped {
		return false
	}
	q.items = append(q.items, it)
	q.bytes += n
	q.cond.Broadcast()
	return true
}

// get waits for the next item; more is false when the reader is done and
// everything was taken.
func (q *fetchAhead) get() (it fetched, more bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed && !q.stopped {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return fetched{}, false
	}
	it = q.items[0]
	q.items[0] = fetched{}
	q.items = q.items[1:]
	q.bytes -= int(it.f.Len())
	q.cond.Broadcast()
	return it, true
}

// close tells the consumer that no more items come.
func (q *fetchAhead) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

// stop tells the reader that nobody takes items any more.
func (q *fetchAhead) stop() {
	q.mu.Lock()
	q.stopped = true
	q.items = nil
	q.cond.Broadcast()
	q.mu.Unlock()
}
