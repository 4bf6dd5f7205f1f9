package helpdesk

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestMailWork: mail composed beside the writer is written in the order it
// was queued, whatever order the work ends in; the rate-counted mail
// pending for a recipient is counted until it is written; the first failure
// stops the writing; without a batch the work is done at once.
func TestMailWork(t *testing.T) {
	ctx := context.Background()
	var written []int
	job := func(w *mailWork, i int, delay time.Duration, rcpt string, fail error) error {
		return w.queue(ctx, rcpt, func() error { time.Sleep(delay); return fail },
			func(context.Context) error { written = append(written, i); return nil })
	}
	w := newMailWork()
	for i, d := range []time.Duration{30 * time.Millisecond, 0, 10 * time.Millisecond, 0} {
		rcpt := ""
		if i%2 == 0 {
			rcpt = "User@School.ru"
		}
		if err := job(w, i, d, rcpt, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.pendingAuto("user@school.ru"); n != 2 {
		t.Errorf("pending for the user: %d, want 2", n)
	}
	if len(written) != 0 {
		t.Fatalf("written before settling: %v", written)
	}
	if err := w.settle(ctx); err != nil || !slices.Equal(written, []int{0, 1, 2, 3}) {
		t.Fatalf("settle: %v, written %v", err, written)
	}
	if n := w.pendingAuto("user@school.ru"); n != 0 {
		t.Errorf("pending after settling: %d", n)
	}

	written = nil
	boom := errors.New("template")
	_ = job(w, 0, 0, "", nil)
	_ = job(w, 1, 0, "", boom)
	_ = job(w, 2, 0, "", nil)
	if err := w.settle(ctx); !errors.Is(err, boom) || !slices.Equal(written, []int{0}) {
		t.Fatalf("a failed job: %v, written %v", err, written)
	}

	var ran atomic.Bool
	_ = w.queue(ctx, "", func() error { panic("bad data") }, func(context.Context) error { ran.Store(true); return nil })
	if err := w.settle(ctx); err == nil || ran.Load() {
		t.Errorf("a panicking job: %v, written %v", err, ran.Load())
	}

	written = nil
	var none *mailWork
	if err := job(none, 7, 0, "x@y", nil); err != nil || !slices.Equal(written, []int{7}) || none.pendingAuto("x@y") != 0 {
		t.Errorf("without a batch: %v, written %v", err, written)
	}
	if err := job(none, 8, 0, "", boom); !errors.Is(err, boom) {
		t.Errorf("without a batch, a failure: %v", err)
	}
}
