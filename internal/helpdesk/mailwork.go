package helpdesk

import (
	"context"
	"fmt"
	"runtime"
	"strings"
)

// Outgoing mail composed beside the database writer. Rendering an
// acknowledgement or an agents' notification from its templates, composing
// its MIME and packing it for storage is half of what the single writer did
// for a new request; none of it reads the database. In intake's batch
// transaction that work runs on other goroutines while the writer goes on
// (with the next message), and the rows it makes (outbox, conversation) are
// written in the order the mail was queued when the writer settles: before
// the batch's cursor is written (so in the same transaction, before its
// commit), and before anything that could see them — a message that is not
// a new request (it may concern a ticket whose mail is pending, and its own
// rows must follow that mail's), and the automatic-reply count, which
// counts the pending mail to the same recipient itself (pendingAuto).
// Outside a batch (mailWork nil) the work is done at once, as before.
type mailWork struct {
	jobs []*mailJob
	sem  chan struct{}
	auto map[string]int // pending rate-counted mail by recipient (lower-cased)
}

// mailJob is one piece of mail: work composes it (no database), finish
// writes its rows (the writer's goroutine).
type mailJob struct {
	done   chan struct{}
	err    error
	finish func(context.Context) error
}

func newMailWork() *mailWork {
	return &mailWork{sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))), auto: map[string]int{}}
}

// queue runs work beside the writer (at once when w is nil, and then
// finish), and finish when the mail is settled. rcptKey, when not empty, is
// the recipient of rate-counted mail.
func (w *mailWork) queue(ctx context.Context, rcptKey string, work func() error, finish func(context.Context) error) error {
	if w == nil {
		if err := work(); err != nil {
			return err
		}
		return finish(ctx)
	}
	j := &mailJob{done: make(chan struct{}), finish: finish}
	w.jobs = append(w.jobs, j)
	if rcptKey != "" {
		w.auto[strings.ToLower(rcptKey)]++
	}
	w.sem <- struct{}{}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				j.err = fmt.Errorf("composing mail panicked: %v", p)
			}
			<-w.sem
			close(j.done)
		}()
		j.err = work()
	}()
	return nil
}

// pendingAuto is the number of rate-counted mails queued to rcpt and not
// written yet.
func (w *mailWork) pendingAuto(rcpt string) int {
	if w == nil {
		return 0
	}
	return w.auto[strings.ToLower(rcpt)]
}

// settle writes the rows of the mail queued so far, in order; the first
// error stops it (the transaction fails).
func (w *mailWork) settle(ctx context.Context) error {
	if w == nil {
		return nil
	}
	jobs := w.jobs
	w.jobs = nil
	clear(w.auto)
	for i, j := range jobs {
		<-j.done
		if j.err != nil {
			w.drain(jobs[i+1:])
			return j.err
		}
		if err := j.finish(ctx); err != nil {
			w.drain(jobs[i+1:])
			return err
		}
	}
	return nil
}

// drain waits for the work of jobs nobody will write.
func (w *mailWork) drain(jobs []*mailJob) {
	for _, j := range jobs {
		<-j.done
	}
}

// discard waits for whatever work is still running (a failed transaction).
func (w *mailWork) discard() {
	if w == nil {
		return
	}
	w.drain(w.jobs)
	w.jobs = nil
}
