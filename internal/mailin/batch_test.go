package mailin_test

import (
	"context"
	"sync"
	"testing"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailin/mailintest"
)

// batchSink commits whole batches through the recording Sink and remembers
// their sizes.
type batchSink struct {
	*mailintest.Sink
	mu    sync.Mutex
	sizes []int
}

func (b *batchSink) DeliverBatch(ctx context.Context, mailbox string, uidValidity uint32, fs []mailin.Fetched) error {
	b.mu.Lock()
	b.sizes = append(b.sizes, len(fs))
	b.mu.Unlock()
	for _, f := range fs {
		if err := b.Deliver(ctx, mailbox, uidValidity, f); err != nil {
			return err
		}
	}
	return nil
}

func TestBatchSinkGetsConsecutiveBatches(t *testing.T) {
	env := mailintest.MemEnv(t)
	const n = 600
	c := env.Account.Client(t)
	var raws [][]byte
	for i := 0; i < n; i++ {
		raws = append(raws, mailintest.NewMessage(i, 200))
	}
	mailintest.Append(t, c, env.Folder, raws...)
	sink := &batchSink{Sink: mailintest.NewSink()}
	p, err := mailin.New(env.Options(), sink)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.PollOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Delivered != n || len(sink.Stored()) != n {
		t.Fatalf("delivered %d, stored %d, want %d", st.Delivered, len(sink.Stored()), n)
	}
	for i, f := range sink.Stored() {
		if i > 0 && f.UID <= sink.Stored()[i-1].UID {
			t.Fatalf("out of order at %d", i)
		}
	}
	if len(sink.sizes) < 3 {
		t.Errorf("batches %v: want several", sink.sizes)
	}
	for _, s := range sink.sizes {
		if s > 256 {
			t.Errorf("batch of %d", s)
		}
	}
	for _, m := range mailintest.Messages(t, c, env.Folder) {
		if !m.Seen() {
			t.Errorf("UID %d not seen", m.UID)
		}
	}
}

// aheadSink records each batch with the next batch it was promised.
type aheadSink struct {
	batchSink
	nexts  [][2]uint32 // first and last UID of each promised next batch (0, 0: none)
	firsts []uint32
}

func (a *aheadSink) DeliverBatchAhead(ctx context.Context, mailbox string, uidValidity uint32, fs, next []mailin.Fetched) error {
	a.mu.Lock()
	a.firsts = append(a.firsts, fs[0].UID)
	var n [2]uint32
	if len(next) > 0 {
		n = [2]uint32{next[0].UID, next[len(next)-1].UID}
	}
	a.nexts = append(a.nexts, n)
	a.mu.Unlock()
	return a.DeliverBatch(ctx, mailbox, uidValidity, fs)
}

// An AheadSink is told, with each batch, the batch it gets next, and that
// promise is kept: the following call brings exactly that batch.
func TestAheadSinkIsToldTheNextBatch(t *testing.T) {
	env := mailintest.MemEnv(t)
	const n = 600
	c := env.Account.Client(t)
	var raws [][]byte
	for i := 0; i < n; i++ {
		raws = append(raws, mailintest.NewMessage(i, 200))
	}
	mailintest.Append(t, c, env.Folder, raws...)
	sink := &aheadSink{batchSink: batchSink{Sink: mailintest.NewSink()}}
	p, err := mailin.New(env.Options(), sink)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.PollOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Delivered != n || len(sink.Stored()) != n {
		t.Fatalf("delivered %d, stored %d, want %d", st.Delivered, len(sink.Stored()), n)
	}
	promised := 0
	for i, nx := range sink.nexts {
		if nx == [2]uint32{} {
			continue
		}
		promised++
		if i+1 >= len(sink.firsts) || sink.firsts[i+1] != nx[0] {
			t.Errorf("batch %d promised UIDs %d-%d next, got %v", i, nx[0], nx[1], sink.firsts)
		}
	}
	if promised == 0 {
		t.Errorf("no batch was told its next: %v", sink.nexts)
	}
}
