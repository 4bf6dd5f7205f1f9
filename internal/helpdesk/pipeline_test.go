package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// The pipelined intake: a batch is committed while the next one is parsed.
// The attempt left by the first commit covers the next batch alone; the
// same process takes it as its own, and a new process (the old one died
// while parsing) takes the next batch one message at a time; nothing is
// lost or doubled either way, and the batch parsed ahead is the one used.
func TestPipelinedBatchesKeepTheGuard(t *testing.T) {
	ctx := context.Background()
	first := fetchedMails(1, "Принтер 1", "Принтер 2", "Принтер 3")
	next := fetchedMails(4, "Принтер 4", "Принтер 5")

	for _, restart := range []bool{false, true} {
		name := map[bool]string{false: "same process", true: "a new process"}[restart]
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			parsed := map[string]int{}
			var mu = make(chan struct{}, 1)
			countParse := func(raw []byte, o mailmsg.Options) (*mailmsg.Message, error) {
				mu <- struct{}{}
				parsed[string(raw)]++
				<-mu
				return mailmsg.Parse(raw, o)
			}
			helpdesk.SetParser(h.svc, countParse)
			if err := h.svc.DeliverBatchAhead(ctx, "sd", 1, first, next); err != nil {
				t.Fatal(err)
			}
			a, ok, err := h.db.IntakeAttempt(ctx, "sd")
			if err != nil || !ok || a.FirstUID != 4 || a.LastUID != 5 {
				t.Fatalf("attempt after the first commit: %+v %v %v, want UIDs 4-5", a, ok, err)
			}
			if c, _ := h.db.Cursor(ctx, "sd"); c.LastUID != 3 {
				t.Fatalf("cursor %d, want 3", c.LastUID)
			}
			if restart {
				h.restart(nil)
				helpdesk.SetParser(h.svc, countParse)
			}
			outs, err := h.svc.IngestBatch(ctx, "sd", 1, next)
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range outs {
				if o.Disposition != store.DispTicket {
					t.Errorf("uid %d: %s", i+4, o.Disposition)
				}
			}
			if c, _ := h.db.Cursor(ctx, "sd"); c.LastUID != 5 {
				t.Fatalf("cursor %d, want 5", c.LastUID)
			}
			if a, ok, _ := h.db.IntakeAttempt(ctx, "sd"); ok {
				t.Fatalf("attempt left behind: %+v", a)
			}
			n, err := h.db.Counts(ctx)
			if err != nil || n.Raw != 5 {
				t.Fatalf("%d raw messages stored, want 5 (%v)", n.Raw, err)
			}
			if !restart {
				for _, f := range next {
					if parsed[string(f.Raw)] != 1 {
						t.Errorf("uid %d parsed %d times, want once (ahead)", f.UID, parsed[string(f.Raw)])
					}
				}
			}
		})
	}
}

// A graceful stop with a batch parsed ahead and never committed clears the
// attempt that covers it: the next start takes those messages as usual, not
// one at a time as if they had stopped the service. An attempt of another
// process is left alone.
func TestSettleClearsWhatAGracefulStopLeaves(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	first := fetchedMails(1, "Принтер 1", "Принтер 2")
	next := fetchedMails(3, "Принтер 3", "Принтер 4")
	if err := h.svc.DeliverBatchAhead(ctx, "sd", 1, first, next); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := h.db.IntakeAttempt(ctx, "sd"); !ok {
		t.Fatal("no attempt covers the batch parsed ahead")
	}
	if err := h.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if a, ok, _ := h.db.IntakeAttempt(ctx, "sd"); ok {
		t.Fatalf("attempt left behind by a graceful stop: %+v", a)
	}

	other := store.IntakeAttempt{Desk: "sd", UIDValidity: 1, FirstUID: 3, LastUID: 4, Attempt: 1, StartedAt: time.Now().UTC()}
	if err := h.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetIntakeAttempt(ctx, other) }); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := h.db.IntakeAttempt(ctx, "sd"); !ok {
		t.Fatal("Settle cleared an attempt this process did not leave")
	}
}
