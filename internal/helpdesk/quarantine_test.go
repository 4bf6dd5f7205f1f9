package helpdesk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailin/mailintest"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

const returnPath = "Return-Path: <petrov@uszn.kgo66.ru>\r\n"

// fetchedMails builds one message per subject with UIDs from first on; body
// markers let a test's parser recognise them.
func fetchedMails(first uint32, subjects ...string) []mailin.Fetched {
	var fs []mailin.Fetched
	for i, subj := range subjects {
		raw := mail{from: petrov, subject: subj, id: fmt.Sprintf("q%d@uszn", int(first)+i), extra: returnPath,
			body: "BODY-" + subj}.String()
		fs = append(fs, mailin.Fetched{UID: first + uint32(i), Raw: []byte(raw), Size: int64(len(raw))})
	}
	return fs
}

var errKilled = errors.New("simulated crash")

// restart builds a new Service on the same database: a new process.
func (h *harness) restart(hook func(uids []uint32) error) {
	h.t.Helper()
	n := newHarnessDB(h.t, h.db, func(o *helpdesk.Options) { *o = h.opts })
	h.svc = n.svc
	helpdesk.SetCrashHook(h.svc, hook)
}

func (h *harness) raw(uid uint32) *store.RawMessage {
	h.t.Helper()
	qs, err := h.db.Quarantined(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, q := range qs {
		if q.UID == uid {
			r, err := h.db.RawMessage(context.Background(), q.ID)
			if err != nil {
				h.t.Fatal(err)
			}
			return r
		}
	}
	return nil
}

func TestMessageThatKillsTheServiceIsQuarantinedOnTheNextStart(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	killOn2 := func(uids []uint32) error {
		if slices.Contains(uids, 2) {
			return errKilled
		}
		return nil
	}
	fs := fetchedMails(1, "Принтер", "BOMB", "Сканер", "Монитор")

	// The first process dies on the batch; nothing is stored.
	h.restart(killOn2)
	if _, err := h.svc.IngestBatch(ctx, "sd", 1, fs); !errors.Is(err, errKilled) {
		t.Fatalf("first attempt: %v", err)
	}
	if c, _ := h.db.Cursor(ctx, "sd"); c.LastUID != 0 {
		t.Fatalf("cursor moved to %d", c.LastUID)
	}
	// The second takes the messages one at a time: message 1 goes in, 2 kills it again.
	h.restart(killOn2)
	if _, err := h.svc.IngestBatch(ctx, "sd", 1, fs); !errors.Is(err, errKilled) {
		t.Fatalf("second attempt: %v", err)
	}
	if c, _ := h.db.Cursor(ctx, "sd"); c.LastUID != 1 {
		t.Fatalf("cursor %d after the second attempt, want 1", c.LastUID)
	}
	// The third quarantines message 2 without parsing it, and ingests 3 and 4.
	h.restart(killOn2)
	var parsed []string
	var mu sync.Mutex
	helpdesk.SetParser(h.svc, func(raw []byte, o mailmsg.Options) (*mailmsg.Message, error) {
		mu.Lock()
		parsed = append(parsed, string(raw))
		mu.Unlock()
		return mailmsg.Parse(raw, o)
	})
	outs, err := h.svc.IngestBatch(ctx, "sd", 1, fs[1:])
	if err != nil {
		t.Fatalf("third attempt: %v", err)
	}
	want := []string{store.DispQuarantine, store.DispTicket, store.DispTicket}
	for i, o := range outs {
		if o.Disposition != want[i] {
			t.Errorf("uid %d: %s, want %s", i+2, o.Disposition, want[i])
		}
	}
	for _, p := range parsed {
		if strings.Contains(p, "BODY-BOMB") {
			t.Errorf("the poison message was parsed whole")
		}
	}
	if c, _ := h.db.Cursor(ctx, "sd"); c.LastUID != 4 {
		t.Errorf("cursor %d, want 4", c.LastUID)
	}
	if a, ok, _ := h.db.IntakeAttempt(ctx, "sd"); ok {
		t.Errorf("attempt left behind: %+v", a)
	}
	r := h.raw(2)
	if r == nil || r.Note != "processing this message stopped the service (attempt 2)" || !bytes.Equal(r.Data, fs[1].Raw) {
		t.Fatalf("quarantined row %+v", r)
	}
	counts, _ := h.db.Counts(ctx)
	if counts.Tickets != 3 || counts.Raw != 4 {
		t.Errorf("counts %+v", counts)
	}
	// The sender is told; agents see the event.
	if n := h.sent(mailout.TmplRejectedUnreadable); len(n) != 1 || n[0].Recipients != "petrov@uszn.kgo66.ru" {
		t.Errorf("notices to the sender: %+v", n)
	}
	evs, _ := h.db.AuditEvents(ctx, time.Time{})
	found := false
	for _, e := range evs {
		found = found || (e.Kind == "message_quarantined" && strings.Contains(e.Detail, "stopped the service"))
	}
	if !found {
		t.Errorf("no message_quarantined event: %+v", evs)
	}
}

func TestAHandledErrorIsNotACrash(t *testing.T) {
	h := newHarness(t)
	fs := fetchedMails(1, "Принтер")
	// Three attempts end with the context cancelled mid-parse (a shutdown),
	// in this process and the next ones: no quarantine, the cursor is held.
	for i := range 3 {
		if i > 0 {
			h.restart(nil)
		}
		ctx, cancel := context.WithCancel(context.Background())
		helpdesk.SetParser(h.svc, func(raw []byte, o mailmsg.Options) (*mailmsg.Message, error) {
			cancel()
			time.Sleep(50 * time.Millisecond)
			return mailmsg.Parse(raw, o)
		})
		if _, err := h.svc.IngestBatch(ctx, "sd", 1, fs); !errors.Is(err, context.Canceled) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
		if c, _ := h.db.Cursor(context.Background(), "sd"); c.LastUID != 0 {
			t.Fatalf("cursor moved to %d", c.LastUID)
		}
	}
	h.restart(nil)
	outs, err := h.svc.IngestBatch(context.Background(), "sd", 1, fs)
	if err != nil || outs[0].Disposition != store.DispTicket {
		t.Fatalf("after the errors: %+v, %v", outs, err)
	}
}

func TestParseOverrunsAndPanicsAreQuarantined(t *testing.T) {
	cases := []struct {
		name, reason string
		parse        func(raw []byte, o mailmsg.Options) (*mailmsg.Message, error)
	}{
		{"hang", "parsing this message took too long (over 50ms)", func(raw []byte, o mailmsg.Options) (*mailmsg.Message, error) {
			if bytes.Contains(raw, []byte("BODY-BOMB")) {
				time.Sleep(500 * time.Millisecond)
			}
			return mailmsg.Parse(raw, o)
		}},
		{"panic", "the parser panicked: boom", func(raw []byte, o mailmsg.Options) (*mailmsg.Message, error) {
			if bytes.Contains(raw, []byte("BODY-BOMB")) {
				panic("boom")
			}
			return mailmsg.Parse(raw, o)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, func(o *helpdesk.Options) { o.ParseTimeout = 50 * time.Millisecond })
			helpdesk.SetParser(h.svc, c.parse)
			outs, err := h.svc.IngestBatch(context.Background(), "sd", 1, fetchedMails(1, "BOMB", "Принтер"))
			if err != nil {
				t.Fatal(err)
			}
			if outs[0].Disposition != store.DispQuarantine || outs[0].Note != c.reason || outs[1].Disposition != store.DispTicket {
				t.Errorf("outcomes %+v", outs)
			}
			if n := h.sent(mailout.TmplRejectedUnreadable); len(n) != 1 {
				t.Errorf("%d notices to the sender, want 1", len(n))
			}
		})
	}
}

func TestReusedMessageIDIsKept(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	scan := func(body string) string {
		return mail{from: petrov, subject: "Scan", id: "fixed@printer", body: body}.String()
	}
	first := h.ingest(scan("scan 1"))
	cases := []struct {
		name     string
		raw      string
		dup      bool
		tickets  int
		rawCount int
	}{
		{"same Message-ID, other content (a printer)", scan("scan 2"), false, 2, 2},
		{"same bytes again", scan("scan 2"), true, 2, 2},
		{"same content, other trace fields (delivered twice)",
			"Received: from mx by kgo66.ru; Fri, 27 Dec 2024 10:00:01 +0500\r\nDelivered-To: sd+x@kgo66.ru\r\nX-Spam: no\r\n" + scan("scan 2"), true, 2, 2},
		{"folded differently, LF line ends", strings.ReplaceAll(scan("scan 1"), "\r\n", "\n"), true, 2, 2},
		{"a third scan", scan("scan 3"), false, 3, 3},
	}
	for _, c := range cases {
		out := h.ingest(c.raw)
		if out.Duplicate != c.dup {
			t.Errorf("%s: %+v", c.name, out)
		}
		counts, _ := h.db.Counts(ctx)
		if counts.Tickets != c.tickets || counts.Raw != c.rawCount {
			t.Errorf("%s: counts %+v", c.name, counts)
		}
	}
	if first.TicketID == 0 {
		t.Fatal("no first ticket")
	}
}

func TestReusedMessageIDAgainstARowStoredBeforeContentKeys(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	old := mail{from: petrov, subject: "Scan", id: "fixed@printer", body: "scan 1"}.String()
	h.tx(func(tx *store.Tx) error {
		_, _, err := tx.InsertRaw(ctx, &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: 100, MessageID: "fixed@printer",
			SHA256: "legacy", Size: int64(len(old)), Disposition: store.DispTicket, Data: []byte(old), ReceivedAt: friday})
		return err
	})
	if out := h.ingest("Delivered-To: sd@kgo66.ru\r\n" + old); !out.Duplicate {
		t.Errorf("a second copy of a legacy row: %+v", out)
	}
	if out := h.ingest(mail{from: petrov, subject: "Scan", id: "fixed@printer", body: "scan 2"}.String()); out.Duplicate || out.TicketID == 0 {
		t.Errorf("another scan: %+v", out)
	}
}

func TestRetryQuarantinedProducesTheTicketOnce(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.Templates = poisonRenderer{o.Templates} })
	ctx := context.Background()
	out := h.ingest(mail{from: petrov, subject: "POISON", id: "p1@uszn"}.String())
	if out.Disposition != store.DispQuarantine {
		t.Fatalf("outcome %+v", out)
	}
	r := h.raw(1)
	if r == nil {
		t.Fatal("not in quarantine")
	}
	// Still poisoned: the retry fails and leaves it in quarantine.
	if _, err := h.svc.RetryQuarantined(ctx, r.ID); err == nil {
		t.Fatal("retry of a still poisoned message succeeded")
	}
	if h.raw(1) == nil {
		t.Fatal("a failed retry took the message out of quarantine")
	}
	// Fixed (a new process without the poison): the retry makes the ticket.
	h2 := newHarnessDB(t, h.db)
	got, err := h2.svc.RetryQuarantined(ctx, r.ID)
	if err != nil || got.Disposition != store.DispTicket || got.TicketID == 0 {
		t.Fatalf("retry: %+v, %v", got, err)
	}
	if _, err := h2.svc.RetryQuarantined(ctx, r.ID); !errors.Is(err, helpdesk.ErrNotQuarantined) {
		t.Errorf("second retry: %v", err)
	}
	counts, _ := h.db.Counts(ctx)
	if counts.Tickets != 1 || counts.Raw != 1 {
		t.Errorf("counts %+v", counts)
	}
	if c, _ := h.db.Cursor(ctx, "sd"); c.LastUID != 1 {
		t.Errorf("cursor %d", c.LastUID)
	}
}

// The whole path: the poller hands the helpdesk a batch whose processing
// panics (the poller recovers and reconnects, as after a crash); the next
// passes take the messages one at a time, quarantine the culprit and ingest
// the mail after it.
func TestPollerGetsPastAMessageThatPanics(t *testing.T) {
	h := newHarness(t)
	env := mailintest.MemEnv(t)
	c := env.Account.Client(t)
	var raws [][]byte
	for _, f := range fetchedMails(1, "Принтер", "BOMB", "Сканер") {
		raws = append(raws, f.Raw)
	}
	uids := mailintest.Append(t, c, env.Folder, raws...)
	bomb := uids[1]
	h.restart(func(batch []uint32) error {
		if slices.Contains(batch, bomb) {
			panic("the parser blew up")
		}
		return nil
	})
	opts := env.Options()
	opts.Name = "sd"
	p, err := mailin.New(opts, h.svc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for pass := 0; pass < 5; pass++ {
		func() {
			defer func() { _ = recover() }()
			_, _ = p.PollOnce(ctx)
		}()
		if cur, _ := h.db.Cursor(ctx, "sd"); cur.LastUID == uids[2] {
			break
		}
	}
	if cur, _ := h.db.Cursor(ctx, "sd"); cur.LastUID != uids[2] {
		t.Fatalf("cursor %d, want %d", cur.LastUID, uids[2])
	}
	if r := h.raw(bomb); r == nil || !strings.Contains(r.Note, "stopped the service") {
		t.Errorf("the culprit is not quarantined: %+v", r)
	}
	counts, _ := h.db.Counts(ctx)
	if counts.Tickets != 2 || counts.Raw != 3 {
		t.Errorf("counts %+v", counts)
	}
}
