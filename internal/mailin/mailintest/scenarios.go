package mailintest

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

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
)

// WaitTimeout bounds every wait for an asynchronous event in the scenarios.
// It only stops a hung test; nothing asserts on elapsed time.
const WaitTimeout = 30 * time.Second

// Scenarios are the poller's behaviours, runnable against any server that
// offers IDLE, MOVE and UIDPLUS. Each gets a fresh Env.
var Scenarios = []struct {
	Name string
	Run  func(t *testing.T, env Env)
}{
	{"IngestsOnceInUIDOrder", ingestsOnceInUIDOrder},
	{"FailedDeliveryStopsPassAndMarksOnlyCommitted", failedDeliveryStopsPass},
	{"MovesToProcessedFolder", movesToProcessedFolder},
	{"RecoversMarkingAfterCrash", recoversMarkingAfterCrash},
	{"RecoversMarkingAfterDroppedConnection", recoversAfterDroppedConnection},
	{"UIDValidityChangeRefetchesAll", uidValidityChange},
	{"TruncatesLargeMessages", truncatesLargeMessages},
	{"SpoolsLargeLiterals", spoolsLargeLiterals},
	{"OversizedKeepsText", oversizedKeepsText},
	{"OversizedCutsLongText", oversizedCutsLongText},
	{"SkipsLastMessageBelowCursor", skipsLastMessageBelowCursor},
	{"RunDeliversOnIdle", runDeliversOnIdle},
	{"RunPollsWithoutIdle", runPollsWithoutIdle},
	{"RunChecksWhileIdling", runChecksWhileIdling},
	{"RunReconnectsAfterDrop", runReconnectsAfterDrop},
	{"RunFinishesDeliveryOnCancel", runFinishesDeliveryOnCancel},
	{"RunRecoversFromPanic", runRecoversFromPanic},
	{"LockHeldElsewhere", lockHeldElsewhere},
	{"LostLockEndsSession", lostLockEndsSession},
	{"PasswordNeverLogged", passwordNeverLogged},
}

// RunScenarios runs every scenario as a parallel subtest, each with its own
// Env from newEnv.
func RunScenarios(t *testing.T, newEnv func(t *testing.T) Env) {
	for _, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			sc.Run(t, newEnv(t))
		})
	}
}

func newPoller(t *testing.T, opts mailin.Options, sink mailin.Sink) *mailin.Poller {
	t.Helper()
	p, err := mailin.New(opts, sink)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func pollOnce(t *testing.T, p *mailin.Poller) mailin.Stats {
	t.Helper()
	st, err := p.PollOnce(context.Background())
	if err != nil {
		t.Fatalf("PollOnce: %v", err)
	}
	return st
}

func appendN(t *testing.T, env Env, from, n int) ([]uint32, [][]byte) {
	t.Helper()
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = NewMessage(from+i, 300)
	}
	return Append(t, env.Account.Client(t), env.Folder, raws...), raws
}

func uidsOf(fs []mailin.Fetched) []uint32 {
	out := make([]uint32, len(fs))
	for i, f := range fs {
		out[i] = f.UID
	}
	return out
}

func equalUIDs(a, b []uint32) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// StartRun runs p.Run in the background; the returned stop cancels it and
// fails the test unless Run returns nil.
func StartRun(t *testing.T, p *mailin.Poller) (ctx context.Context, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	stop = func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(WaitTimeout):
			t.Errorf("Run did not return within %v of cancellation", WaitTimeout)
		}
	}
	t.Cleanup(stop)
	return ctx, stop
}

func ingestsOnceInUIDOrder(t *testing.T, env Env) {
	uids, raws := appendN(t, env, 1, 7)
	sink := NewSink()
	opts := env.Options()
	opts.FetchBatch = 3
	p := newPoller(t, opts, sink)

	st := pollOnce(t, p)
	if st.Delivered != 7 || st.Fetched != 7 {
		t.Fatalf("stats = %+v, want 7 fetched and delivered", st)
	}
	got := sink.Stored()
	if !equalUIDs(uidsOf(got), uids) {
		t.Fatalf("delivered UIDs %v, want %v", uidsOf(got), uids)
	}
	for i, f := range got {
		if !bytes.Equal(f.Raw, raws[i]) || f.Truncated || f.Size != int64(len(raws[i])) || f.InternalDate.IsZero() {
			t.Errorf("message %d: truncated=%v size=%d date=%v, raw equal=%v", f.UID, f.Truncated, f.Size, f.InternalDate, bytes.Equal(f.Raw, raws[i]))
		}
	}
	c := env.Account.Client(t)
	cur, _ := sink.Cursor(context.Background(), opts.Name)
	if want := (mailin.Cursor{UIDValidity: UIDValidity(t, c, env.Folder), LastUID: uids[6]}); cur != want {
		t.Errorf("cursor = %+v, want %+v", cur, want)
	}
	for _, m := range Messages(t, c, env.Folder) {
		if !m.Seen() {
			t.Errorf("UID %d not \\Seen after delivery", m.UID)
		}
	}
	if st := pollOnce(t, p); st.Delivered != 0 || st.Fetched != 0 {
		t.Errorf("second pass: %+v, want nothing", st)
	}
	more, _ := appendN(t, env, 100, 2)
	if st := pollOnce(t, p); st.Delivered != 2 {
		t.Errorf("third pass: %+v, want 2 delivered", st)
	}
	if got := uidsOf(sink.Stored()); !equalUIDs(got, append(uids, more...)) {
		t.Errorf("all delivered UIDs %v, want %v", got, append(uids, more...))
	}
	if n := len(sink.Accepted()); n != 9 {
		t.Errorf("%d accepted deliveries, want 9 (each once)", n)
	}
}

func failedDeliveryStopsPass(t *testing.T, env Env) {
	uids, _ := appendN(t, env, 1, 6)
	sink := NewSink()
	errDown := errors.New("database down")
	sink.FailOn = func(_ context.Context, f mailin.Fetched) error {
		if f.UID == uids[3] {
			return errDown
		}
		return nil
	}
	opts := env.Options()
	opts.FetchBatch = 2 // the failure is in the middle of the second batch
	p := newPoller(t, opts, sink)

	st, err := p.PollOnce(context.Background())
	if !errors.Is(err, errDown) {
		t.Fatalf("PollOnce error = %v, want %v", err, errDown)
	}
	if st.Delivered != 3 {
		t.Errorf("delivered %d, want 3", st.Delivered)
	}
	c := env.Account.Client(t)
	for i, m := range Messages(t, c, env.Folder) {
		if want := i < 3; m.Seen() != want {
			t.Errorf("UID %d seen=%v, want %v", m.UID, m.Seen(), want)
		}
	}
	sink.FailOn = nil
	if st := pollOnce(t, p); st.Delivered != 3 {
		t.Errorf("second pass delivered %d, want 3", st.Delivered)
	}
	if got := uidsOf(sink.Stored()); !equalUIDs(got, uids) {
		t.Errorf("delivered %v, want %v", got, uids)
	}
	if n := len(sink.Accepted()); n != 6 {
		t.Errorf("%d accepted deliveries, want 6 (each exactly once)", n)
	}
	for _, m := range Messages(t, c, env.Folder) {
		if !m.Seen() {
			t.Errorf("UID %d not seen after the second pass", m.UID)
		}
	}
}

func movesToProcessedFolder(t *testing.T, env Env) {
	uids, _ := appendN(t, env, 1, 4)
	sink := NewSink()
	opts := env.Options()
	opts.ProcessedFolder = env.Folder + "-done"
	p := newPoller(t, opts, sink)
	if st := pollOnce(t, p); st.Delivered != 4 {
		t.Fatalf("delivered %d, want 4", st.Delivered)
	}
	c := env.Account.Client(t)
	if left := Messages(t, c, env.Folder); len(left) != 0 {
		t.Errorf("%d messages left in %s, want 0", len(left), env.Folder)
	}
	moved := Messages(t, c, opts.ProcessedFolder)
	if len(moved) != 4 {
		t.Fatalf("%d messages in %s, want 4", len(moved), opts.ProcessedFolder)
	}
	for _, m := range moved {
		if !m.Seen() {
			t.Errorf("moved UID %d not seen", m.UID)
		}
	}
	if !equalUIDs(uidsOf(sink.Stored()), uids) {
		t.Errorf("delivered %v, want %v", uidsOf(sink.Stored()), uids)
	}
	// The folder exists now; a second session must not trip over it.
	appendN(t, env, 10, 1)
	if st := pollOnce(t, p); st.Delivered != 1 {
		t.Errorf("second pass delivered %d, want 1", st.Delivered)
	}
}

func recoversMarkingAfterCrash(t *testing.T, env Env) {
	// A session that committed but never marked: same state as a crash
	// between the commit and the STORE/MOVE.
	appendN(t, env, 1, 3)
	sink := NewSink()
	opts := env.Options()
	opts.MarkSeen = false
	pollOnce(t, newPoller(t, opts, sink))
	c := env.Account.Client(t)
	for _, m := range Messages(t, c, env.Folder) {
		if m.Seen() {
			t.Fatalf("UID %d seen although MarkSeen is off", m.UID)
		}
	}

	opts.MarkSeen = true
	if st := pollOnce(t, newPoller(t, opts, sink)); st.Delivered != 0 {
		t.Errorf("recovery pass delivered %d, want 0", st.Delivered)
	}
	for _, m := range Messages(t, c, env.Folder) {
		if !m.Seen() {
			t.Errorf("UID %d not seen after the recovery pass", m.UID)
		}
	}

	opts.ProcessedFolder = env.Folder + "-done"
	if st := pollOnce(t, newPoller(t, opts, sink)); st.Delivered != 0 {
		t.Errorf("move recovery pass delivered %d, want 0", st.Delivered)
	}
	if left := Messages(t, c, env.Folder); len(left) != 0 {
		t.Errorf("%d messages left after move recovery, want 0", len(left))
	}
	if moved := Messages(t, c, opts.ProcessedFolder); len(moved) != 3 {
		t.Errorf("%d messages moved, want 3", len(moved))
	}
	if n := len(sink.Accepted()); n != 3 {
		t.Errorf("%d accepted deliveries, want 3", n)
	}
}

func recoversAfterDroppedConnection(t *testing.T, env Env) {
	if env.Drop == nil {
		t.Skip("the server cannot drop connections")
	}
	uids, _ := appendN(t, env, 1, 3)
	sink := NewSink()
	sink.AfterDeliver = func(f mailin.Fetched) {
		if f.UID == uids[2] {
			env.Drop() // committed, but the STORE cannot reach the server
		}
	}
	p := newPoller(t, env.Options(), sink)
	_, _ = p.PollOnce(context.Background()) // fails or not, depending on timing
	c := env.Account.Client(t)
	for _, m := range Messages(t, c, env.Folder) {
		if m.Seen() {
			t.Logf("UID %d already seen", m.UID) // acceptable, but unlikely
		}
	}
	sink.AfterDeliver = nil
	if st := pollOnce(t, p); st.Delivered != 0 {
		t.Errorf("recovery pass delivered %d, want 0", st.Delivered)
	}
	for _, m := range Messages(t, c, env.Folder) {
		if !m.Seen() {
			t.Errorf("UID %d not seen after the recovery pass", m.UID)
		}
	}
	if n := len(sink.Accepted()); n != 3 {
		t.Errorf("%d accepted deliveries, want 3", n)
	}
}

func uidValidityChange(t *testing.T, env Env) {
	_, raws := appendN(t, env, 1, 3)
	sink := NewSink()
	opts := env.Options()
	p := newPoller(t, opts, sink)
	pollOnce(t, p)
	c := env.Account.Client(t)
	old := UIDValidity(t, c, env.Folder)

	Recreate(t, c, env.Folder)
	newValidity := UIDValidity(t, c, env.Folder)
	Append(t, c, env.Folder, raws...)            // the same three messages again
	Append(t, c, env.Folder, NewMessage(4, 300)) // and a new one

	st := pollOnce(t, p)
	if !st.UIDValidityReset || st.Delivered != 4 {
		t.Errorf("stats = %+v, want UIDValidityReset and 4 delivered", st)
	}
	sets := sink.SetCursors()
	if len(sets) == 0 || sets[len(sets)-1] != (mailin.Cursor{UIDValidity: newValidity}) {
		t.Errorf("SetCursor calls %v, want the last to be {%d 0} (old validity %d)", sets, newValidity, old)
	}
	dups := 0
	for _, d := range sink.Accepted() {
		if d.Duplicate {
			dups++
		}
	}
	if dups != 3 || len(sink.Stored()) != 4 {
		t.Errorf("%d duplicates and %d stored, want 3 and 4", dups, len(sink.Stored()))
	}
	if !bytes.Contains([]byte(env.Log.String()), []byte("UIDVALIDITY changed")) {
		t.Error("no warning logged about the UIDVALIDITY change")
	}
}

// spoolsLargeLiterals: a message over SpoolBytes reaches the sink in a
// temporary file (Fetched.Body) with the same bytes, and the poller closes
// it once the sink accepted the message; below it, or with SpoolBytes
// negative, in memory.
func spoolsLargeLiterals(t *testing.T, env Env) {
	sizes := []int{300, 1000, 2000, 5000}
	raws := make([][]byte, len(sizes))
	for i, n := range sizes {
		raws[i] = NewMessage(i+1, n)
	}
	Append(t, env.Account.Client(t), env.Folder, raws...)
	for _, spoolBytes := range []int64{-1, 1 << 20, int64(len(raws[1])), int64(len(raws[2])) - 1, 1} {
		c := struct {
			spoolBytes int64
			spooled    []bool // by message, whether it must come spooled
		}{spoolBytes: spoolBytes}
		for _, raw := range raws {
			c.spooled = append(c.spooled, spoolBytes >= 0 && int64(len(raw)) > spoolBytes)
		}
		sink := NewSink()
		var spools []*mailin.Spool
		var spooled []bool
		sink.FailOn = func(_ context.Context, f mailin.Fetched) error {
			spooled = append(spooled, f.Body != nil)
			if f.Body != nil {
				spools = append(spools, f.Body)
				if f.Raw != nil || f.Len() != f.Body.Size() {
					t.Errorf("spooled UID %d: Raw %d bytes, Len %d, spooled %d", f.UID, len(f.Raw), f.Len(), f.Body.Size())
				}
			}
			return nil
		}
		opts := env.Options()
		opts.SpoolBytes = c.spoolBytes
		opts.MarkSeen = false
		p := newPoller(t, opts, sink)
		if st := pollOnce(t, p); st.Delivered != len(raws) {
			t.Fatalf("SpoolBytes %d: %+v, want %d delivered", c.spoolBytes, st, len(raws))
		}
		if !slices.Equal(spooled, c.spooled) {
			t.Errorf("SpoolBytes %d: spooled %v, want %v", c.spoolBytes, spooled, c.spooled)
		}
		for i, f := range sink.Stored() {
			if !bytes.Equal(f.Raw, raws[i]) || f.Size != int64(len(raws[i])) {
				t.Errorf("SpoolBytes %d, message %d: %d bytes, want the %d appended", c.spoolBytes, i, len(f.Raw), len(raws[i]))
			}
		}
		for _, sp := range spools {
			if _, err := sp.ReadAt(make([]byte, 1), 0); err == nil {
				t.Errorf("SpoolBytes %d: a spool is still open after its message was accepted", c.spoolBytes)
			}
		}
	}
}

func truncatesLargeMessages(t *testing.T, env Env) {
	raws := [][]byte{NewMessage(1, 500), NewMessage(2, 20000), NewMessage(3, 500), NewMessage(4, 500)}
	uids := Append(t, env.Account.Client(t), env.Folder, raws...)
	sink := NewSink()
	opts := env.Options()
	opts.MaxMessageBytes = 5000
	st := pollOnce(t, newPoller(t, opts, sink))
	if st.Delivered != 4 || st.Truncated != 1 {
		t.Fatalf("stats = %+v, want 4 delivered, 1 truncated", st)
	}
	got := sink.Stored()
	if !equalUIDs(uidsOf(got), uids) {
		t.Fatalf("delivered %v, want %v", uidsOf(got), uids)
	}
	for i, f := range got {
		trunc := i == 1
		if f.Truncated != trunc || f.Size != int64(len(raws[i])) {
			t.Errorf("UID %d: truncated=%v (want %v), size %d (want %d)", f.UID, f.Truncated, trunc, f.Size, len(raws[i]))
		}
		if !trunc && !bytes.Equal(f.Raw, raws[i]) {
			t.Errorf("UID %d: %d raw bytes, want the whole message of %d", f.UID, len(f.Raw), len(raws[i]))
		}
	}
	// The oversized one keeps its header and its (single) text part.
	m, err := mailmsg.Parse(got[1].Raw, mailmsg.Options{})
	if err != nil {
		t.Fatalf("parse the oversized message: %v", err)
	}
	if m.Subject != "Test message 2" || !strings.HasPrefix(m.Text, "Body of message 2.") || len(m.Text) < 15000 {
		t.Errorf("oversized message: subject %q, %d bytes of text starting %.40q", m.Subject, len(m.Text), m.Text)
	}
	if om := mailin.ParseOmitted(m.HeaderValues(mailin.OmittedHeader)); len(om) != 0 {
		t.Errorf("omitted %+v, want nothing (the only part is the text)", om)
	}
}

// oversizedKeepsText: a message over the limit with a text part, an HTML
// part and a large attachment arrives as its header and text parts, the
// attachment listed as omitted with its name and size.
func oversizedKeepsText(t *testing.T, env Env) {
	raw := NewMultipart(7, "Принтер не печатает, номер 12345.", 60000, "скан отчёта.pdf")
	uids := Append(t, env.Account.Client(t), env.Folder, raw)
	sink := NewSink()
	opts := env.Options()
	opts.MaxMessageBytes = 20000
	st := pollOnce(t, newPoller(t, opts, sink))
	if st.Delivered != 1 || st.Truncated != 1 {
		t.Fatalf("stats = %+v, want 1 delivered, 1 truncated", st)
	}
	f := sink.Stored()[0]
	if f.UID != uids[0] || !f.Truncated || f.Size != int64(len(raw)) || len(f.Raw) > 4000 {
		t.Fatalf("UID %d truncated=%v size=%d raw %d bytes", f.UID, f.Truncated, f.Size, len(f.Raw))
	}
	m, err := mailmsg.Parse(f.Raw, mailmsg.Options{})
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, f.Raw)
	}
	if m.Subject != "Test message 7" || !strings.Contains(m.Text, "Принтер не печатает, номер 12345.") || !strings.Contains(m.HTML, "12345") {
		t.Errorf("subject %q text %q html %q", m.Subject, m.Text, m.HTML)
	}
	if len(m.Attachments) != 0 {
		t.Errorf("attachments %+v, want none", m.Attachments)
	}
	om := mailin.ParseOmitted(m.HeaderValues(mailin.OmittedHeader))
	if len(om) != 1 || om[0].Kind != mailin.OmittedFile || om[0].Filename != "скан отчёта.pdf" || om[0].Type != "application/pdf" ||
		om[0].Size < 55000 || om[0].Size > 65000 {
		t.Errorf("omitted %+v, want the PDF of about 60000 bytes", om)
	}
}

// oversizedCutsLongText: a text part longer than the part limit (1 MiB) is
// fetched partially, cut back to a whole line, and the cut is listed.
func oversizedCutsLongText(t *testing.T, env Env) {
	raw := NewMessage(8, 1200<<10)
	Append(t, env.Account.Client(t), env.Folder, raw)
	sink := NewSink()
	opts := env.Options()
	opts.MaxMessageBytes = 100 << 10
	pollOnce(t, newPoller(t, opts, sink))
	f := sink.Stored()[0]
	m, err := mailmsg.Parse(f.Raw, mailmsg.Options{MaxTextBytes: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Truncated || len(f.Raw) > 1<<20+4096 || len(m.Text) < 1<<20*97/100 || !strings.HasSuffix(m.Text, "sed do.") {
		t.Errorf("truncated=%v raw %d bytes, text %d bytes ending %q", f.Truncated, len(f.Raw), len(m.Text), m.Text[max(0, len(m.Text)-20):])
	}
	om := mailin.ParseOmitted(m.HeaderValues(mailin.OmittedHeader))
	if len(om) != 1 || om[0].Kind != mailin.OmittedTextCut || om[0].Kept > 1<<20 || om[0].Kept < 1<<20-100 || om[0].Size < 1200<<10-1000 {
		t.Errorf("omitted %+v, want the text cut at 1 MiB", om)
	}
}

func skipsLastMessageBelowCursor(t *testing.T, env Env) {
	// Deliver all, then add and expunge one message: UIDNEXT moves past the
	// cursor but "last+1:*" still matches the (old) last message.
	appendN(t, env, 1, 2)
	sink := NewSink()
	p := newPoller(t, env.Options(), sink)
	pollOnce(t, p)
	c := env.Account.Client(t)
	extra := Append(t, c, env.Folder, NewMessage(3, 300))
	if _, err := c.Select(env.Folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(imap.UID(extra[0])), &imap.StoreFlags{
		Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted},
	}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	if st := pollOnce(t, p); st.Delivered != 0 || st.Fetched != 0 {
		t.Errorf("stats = %+v, want nothing", st)
	}
	if n := len(sink.Accepted()); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}
}

func runDeliversOnIdle(t *testing.T, env Env) {
	sink := NewSink()
	p := newPoller(t, env.Options(), sink) // PollInterval 1h: only IDLE can wake it
	_, stop := StartRun(t, p)
	appendN(t, env, 1, 1)
	waitStored(t, env, sink, 1)
	appendN(t, env, 2, 2)
	waitStored(t, env, sink, 3)
	stop()
	if n := len(sink.Accepted()); n != 3 {
		t.Errorf("%d deliveries, want 3", n)
	}
}

// runChecksWhileIdling: with IdleCheck the poller interrupts IDLE to NOOP;
// mail still arrives exactly once, whichever of the two sees it first.
func runChecksWhileIdling(t *testing.T, env Env) {
	sink := NewSink()
	opts := env.Options()
	opts.IdleCheck = 20 * time.Millisecond
	p := newPoller(t, opts, sink)
	_, stop := StartRun(t, p)
	env.Log.WaitFor(t, "idle started", 3) // idled, checked, idled again
	appendN(t, env, 1, 1)
	waitStored(t, env, sink, 1)
	env.Log.WaitFor(t, "idle started", 5)
	appendN(t, env, 2, 2)
	waitStored(t, env, sink, 3)
	stop()
	if n := len(sink.Accepted()); n != 3 {
		t.Errorf("%d deliveries, want 3", n)
	}
}

func runPollsWithoutIdle(t *testing.T, env Env) {
	sink := NewSink()
	opts := env.Options()
	opts.DisableIdle = true
	opts.PollInterval = 20 * time.Millisecond
	p := newPoller(t, opts, sink)
	_, stop := StartRun(t, p)
	appendN(t, env, 1, 2)
	waitStored(t, env, sink, 2)
	appendN(t, env, 3, 1)
	waitStored(t, env, sink, 3)
	stop()
}

func runReconnectsAfterDrop(t *testing.T, env Env) {
	if env.Drop == nil {
		t.Skip("the server cannot drop connections")
	}
	sink := NewSink()
	p := newPoller(t, env.Options(), sink)
	_, stop := StartRun(t, p)
	appendN(t, env, 1, 1)
	waitStored(t, env, sink, 1)
	env.Log.WaitFor(t, "idle started", 1)
	env.Drop() // while idling: the poller must notice and reconnect
	appendN(t, env, 2, 1)
	waitStored(t, env, sink, 2)
	env.Drop() // right after a delivery: the STORE fails, recovery marks it
	env.Drop()
	appendN(t, env, 3, 1)
	waitStored(t, env, sink, 3)
	waitAllSeen(t, env)
	stop()
	if n := len(sink.Accepted()); n != 3 {
		t.Errorf("%d deliveries, want 3", n)
	}
}

func runFinishesDeliveryOnCancel(t *testing.T, env Env) {
	sink := NewSink()
	p := newPoller(t, env.Options(), sink)
	started := make(chan struct{})
	var runCtx context.Context
	ready := make(chan struct{})
	var deliverErr error
	sink.FailOn = func(ctx context.Context, _ mailin.Fetched) error {
		<-ready
		close(started)
		<-runCtx.Done() // the poller is being stopped while we "commit"
		deliverErr = ctx.Err()
		return nil
	}
	runCtx, stop := StartRun(t, p)
	close(ready)
	appendN(t, env, 1, 1)
	waitNudging(t, env, func() bool {
		select {
		case <-started:
			return true
		default:
			return false
		}
	})
	stop()
	if deliverErr != nil {
		t.Errorf("Deliver's context was cancelled with Run's: %v", deliverErr)
	}
	if n := len(sink.Stored()); n != 1 {
		t.Errorf("%d stored, want the in-flight delivery stored", n)
	}
}

func runRecoversFromPanic(t *testing.T, env Env) {
	sink := NewSink()
	panicked := false
	sink.FailOn = func(context.Context, mailin.Fetched) error {
		if !panicked {
			panicked = true
			panic("sink bug")
		}
		return nil
	}
	p := newPoller(t, env.Options(), sink)
	_, stop := StartRun(t, p)
	appendN(t, env, 1, 2)
	waitStored(t, env, sink, 2)
	stop()
	if !bytes.Contains([]byte(env.Log.String()), []byte("sink bug")) {
		t.Error("the panic was not logged")
	}
}

// losingLocker grants the lock but reports it lost once, at the first
// check, as when a PostgreSQL lock's connection dies.
type losingLocker struct {
	mu            sync.Mutex
	locks, checks int
}

func (l *losingLocker) TryLock(context.Context, string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.locks++
	return func() {}, true, nil
}

func (l *losingLocker) Held(context.Context, string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checks++
	if l.checks == 1 {
		return errors.New("connection terminated")
	}
	return nil
}

// lostLockEndsSession: a lost lock ends the session before the next pass;
// the poller locks again, reconnects, and delivers everything once.
func lostLockEndsSession(t *testing.T, env Env) {
	sink := NewSink()
	opts := env.Options()
	l := &losingLocker{}
	opts.Locker = l
	p := newPoller(t, opts, sink)
	_, stop := StartRun(t, p)
	appendN(t, env, 1, 1)
	waitStored(t, env, sink, 1)
	appendN(t, env, 2, 1)
	waitStored(t, env, sink, 2)
	env.Log.WaitFor(t, "the mailbox lock was lost", 1)
	stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locks < 2 {
		t.Errorf("locked %d times, want a new lock after losing it", l.locks)
	}
	if n := len(sink.Accepted()); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}
}

// refusingLocker never grants the lock and counts the attempts.
type refusingLocker struct{ tries chan struct{} }

func (l refusingLocker) TryLock(context.Context, string) (func(), bool, error) {
	select {
	case l.tries <- struct{}{}:
	default:
	}
	return nil, false, nil
}

func lockHeldElsewhere(t *testing.T, env Env) {
	appendN(t, env, 1, 2)
	sink := NewSink()
	opts := env.Options()
	opts.Locker = refusingLocker{tries: make(chan struct{}, 1)}
	opts.PollInterval = 5 * time.Millisecond
	p := newPoller(t, opts, sink)
	if _, err := p.PollOnce(context.Background()); !errors.Is(err, mailin.ErrLocked) {
		t.Fatalf("PollOnce error = %v, want ErrLocked", err)
	}
	_, stop := StartRun(t, p)
	for range 3 { // Run keeps asking, and delivers nothing meanwhile
		select {
		case <-opts.Locker.(refusingLocker).tries:
		case <-time.After(WaitTimeout):
			t.Fatal("Run did not retry the lock")
		}
	}
	stop()
	if n := sink.Calls(); n != 0 {
		t.Errorf("%d deliveries without the lock, want 0", n)
	}
}

func passwordNeverLogged(t *testing.T, env Env) {
	opts := env.Options()
	opts.Password = "Wr0ng-Secret-Pa55"
	p := newPoller(t, opts, NewSink())
	_, err := p.PollOnce(context.Background())
	if err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	_, stop := StartRun(t, p)
	time.Sleep(20 * time.Millisecond) // let it fail a few times; not an assertion
	stop()
	for _, s := range []string{err.Error(), env.Log.String()} {
		if bytes.Contains([]byte(s), []byte(opts.Password)) || bytes.Contains([]byte(s), []byte(env.Account.Password)) {
			t.Errorf("password leaked: %s", s)
		}
	}
}

// waitAllSeen waits until every message in the Env's folder is \Seen.
func waitAllSeen(t *testing.T, env Env) {
	t.Helper()
	c := env.Account.Client(t)
	deadline := time.Now().Add(WaitTimeout)
	for {
		unseen := 0
		for _, m := range Messages(t, c, env.Folder) {
			if !m.Seen() {
				unseen++
			}
		}
		if unseen == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still not seen after %v", unseen, WaitTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitStored waits until the sink stored n distinct messages.
func waitStored(t *testing.T, env Env, sink *Sink, n int) {
	t.Helper()
	waitNudging(t, env, func() bool { return len(sink.Stored()) >= n })
}

// NudgeEvery is how long waitNudging waits before it nudges the server.
const NudgeEvery = 2 * time.Second

// waitNudging waits until done returns true. Every NudgeEvery it adds
// \Flagged to the folder's messages from another connection: a server
// that lost the announcement of mail appended just before IDLE began
// (imapmemserver queues it until the next update) then sends the pending
// EXISTS with the flag change. The poller must still learn of new mail
// through IDLE: the scenarios' PollInterval is an hour.
func waitNudging(t *testing.T, env Env, done func() bool) {
	t.Helper()
	c := env.Account.Client(t)
	deadline := time.Now().Add(WaitTimeout)
	nudge := time.Now().Add(NudgeEvery)
	for !done() {
		now := time.Now()
		if now.After(deadline) {
			t.Fatalf("condition not met within %v", WaitTimeout)
		}
		if now.After(nudge) {
			t.Logf("nudging the server")
			nudgeFolder(t, c, env.Folder)
			nudge = now.Add(NudgeEvery)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func nudgeFolder(t *testing.T, c *imapclient.Client, folder string) {
	t.Helper()
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		t.Fatalf("select %q: %v", folder, err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Logf("nudge: %v", err)
	}
	_ = c.Unselect().Wait()
}
