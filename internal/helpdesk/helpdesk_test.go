package helpdesk_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

const support = "sd@kgo66.ru"

var key = []byte("0123456789abcdef0123456789abcdef")

// harness is one desk's intake over a fresh SQLite database.
type harness struct {
	t    testing.TB
	db   *store.DB
	svc  *helpdesk.Service
	now  time.Time
	uid  uint32
	opts helpdesk.Options
}

// Friday 27 Dec 2024 10:00 in Yekaterinburg: a working day.
var friday = time.Date(2024, 12, 27, 10, 0, 0, 0, mustLoc("Asia/Yekaterinburg"))

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func newHarness(t testing.TB, tweak ...func(*helpdesk.Options)) *harness {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	if err := copyMigrated(path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil { // a no-op on the migrated copy; kept as the check
		t.Fatal(err)
	}
	seedDirectory(t, db)
	return newHarnessDB(t, db, tweak...)
}

// migrated is an empty database with every migration applied, made once
// per test process: each harness starts from a copy of it (migrating takes
// most of a harness's time under -race).
var migrated struct {
	once sync.Once
	data []byte
	err  error
}

func copyMigrated(dst string) error {
	migrated.once.Do(func() {
		dir, err := os.MkdirTemp("", "otvet-helpdesk-template")
		if err != nil {
			migrated.err = err
			return
		}
		defer os.RemoveAll(dir)
		p := filepath.Join(dir, "template.db")
		db, err := store.Open(context.Background(), store.Options{Dialect: store.SQLite, Path: p})
		if err != nil {
			migrated.err = err
			return
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			db.Close()
			migrated.err = err
			return
		}
		if err := db.Close(); err != nil { // checkpoints the WAL into the file
			migrated.err = err
			return
		}
		migrated.data, migrated.err = os.ReadFile(p)
	})
	if migrated.err != nil {
		return migrated.err
	}
	return os.WriteFile(dst, migrated.data, 0o600)
}

// seedDirectory registers the organisation of the test senders and two of its users.
func seedDirectory(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		o := &store.Org{Name: "УСЗН", INN: "6615000001", Domains: []string{"uszn.kgo66.ru"}, SupportLevel: "standard"}
		if err := tx.CreateOrg(ctx, o, "test", friday); err != nil {
			return err
		}
		for _, u := range []store.User{
			{Email: "petrov@uszn.kgo66.ru", FullName: "Петров Сергей Александрович", Phone: "2-44-17"},
			{Email: "sidorova@uszn.kgo66.ru", FullName: "Сидорова Анна Викторовна", Phone: "2-44-18"},
		} {
			u.OrgID, u.Role, u.Confirmed = sql.NullInt64{Int64: o.ID, Valid: true}, store.RoleUser, true
			if _, err := tx.UpsertUser(ctx, &u, "test", friday); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newHarnessDB(t testing.TB, db *store.DB, tweak ...func(*helpdesk.Options)) *harness {
	t.Helper()
	tmpl, err := mailout.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := mailout.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	loc := friday.Location()
	cal, err := workcal.New(workcal.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: db, now: friday}
	h.opts = helpdesk.Options{
		DB: db, Signer: signer, Templates: tmpl, Now: func() time.Time { return h.now },
		MaxMessageBytes: 25 << 20,
		Desks: []helpdesk.Desk{{
			Name: "sd", SupportAddress: support, DisplayName: "Служба поддержки", Language: "ru", Location: loc,
			Calendar: cal, Level: "standard", FirstResponse: 4 * time.Hour, Resolution: 16 * time.Hour,
			Identification: true,
		}},
		Regulations: helpdesk.Regulations{
			IncidentContacts: []string{"security@kgo66.ru"},
			Levels:           map[string]helpdesk.Targets{"standard": {FirstResponse: 4 * time.Hour, Resolution: 16 * time.Hour}},
		},
	}
	for _, f := range tweak {
		f(&h.opts)
	}
	h.svc, err = helpdesk.New(h.opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) ingest(raw string) helpdesk.Outcome {
	h.t.Helper()
	return h.ingestFetched(mailin.Fetched{Raw: []byte(raw), Size: int64(len(raw))})
}

func (h *harness) ingestFetched(f mailin.Fetched) helpdesk.Outcome {
	h.t.Helper()
	h.uid++
	f.UID = h.uid
	out, err := h.svc.Ingest(context.Background(), "sd", 1, f)
	if err != nil {
		h.t.Fatalf("ingest: %v", err)
	}
	c, err := h.db.Cursor(context.Background(), "sd")
	if err != nil || c.LastUID != h.uid || c.UIDValidity != 1 {
		h.t.Fatalf("cursor = %+v, %v; want uid %d", c, err, h.uid)
	}
	return out
}

// outbox returns the parsed queued mail of a ticket (0: all).
func (h *harness) outbox(ticket int64) []*mailmsg.Message {
	h.t.Helper()
	rows, err := h.db.ListOutgoing(context.Background(), 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []*mailmsg.Message
	for i := len(rows) - 1; i >= 0; i-- {
		if ticket != 0 && rows[i].TicketID.Int64 != ticket {
			continue
		}
		full, err := h.db.Outgoing(context.Background(), rows[i].ID)
		if err != nil {
			h.t.Fatal(err)
		}
		m, err := mailmsg.Parse(full.Raw, mailmsg.Options{})
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func (h *harness) ticket(id int64) *store.Ticket {
	h.t.Helper()
	tk, err := h.db.Ticket(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return tk
}

type mail struct {
	from, to, subject, id, inReplyTo, extra, body string
}

func (m mail) String() string {
	var b strings.Builder
	if m.from != "" {
		fmt.Fprintf(&b, "From: %s\r\n", m.from)
	}
	to := m.to
	if to == "" {
		to = support
	}
	fmt.Fprintf(&b, "To: %s\r\nSubject: %s\r\nDate: Fri, 27 Dec 2024 10:00:00 +0500\r\n", to, m.subject)
	if m.id != "" {
		fmt.Fprintf(&b, "Message-ID: <%s>\r\n", m.id)
	}
	if m.inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\n", m.inReplyTo)
	}
	b.WriteString(m.extra)
	body := m.body
	if body == "" {
		body = "Не работает принтер в кабинете 12. Перезагружали. Тел. 2-44-17"
	}
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", body)
	return b.String()
}

var petrov = "Петров Сергей <petrov@uszn.kgo66.ru>"

func TestNewRequestOpensTicketAndQueuesAck(t *testing.T) {
	h := newHarness(t)
	out := h.ingest(mail{from: petrov, subject: "Не печатает принтер", id: "m1@uszn"}.String())
	if out.Disposition != store.DispTicket || out.TicketID == 0 {
		t.Fatalf("outcome %+v", out)
	}
	tk := h.ticket(out.TicketID)
	if tk.Status != store.StatusOpen || tk.RequesterEmail != "petrov@uszn.kgo66.ru" || tk.Subject != "Не печатает принтер" {
		t.Errorf("ticket %+v", tk)
	}
	// 4 business hours from Friday 10:00 is Friday 14:00 local.
	if want := time.Date(2024, 12, 27, 14, 0, 0, 0, friday.Location()); !tk.FirstResponseDue.Time.Equal(want) {
		t.Errorf("first response due %v, want %v", tk.FirstResponseDue.Time, want)
	}
	cal, _ := workcal.New(workcal.Options{Location: friday.Location()})
	clock, err := sla.Decode([]byte(tk.SLAFirstResponse), cal)
	if err != nil {
		t.Fatalf("stored first-response clock: %v (%q)", err, tk.SLAFirstResponse)
	}
	if due, ok := clock.Due(); !ok || !due.Equal(tk.FirstResponseDue.Time) || clock.State(friday) != sla.Running {
		t.Errorf("clock due %v (%v), state %s; ticket due %v", due, ok, clock.State(friday), tk.FirstResponseDue.Time)
	}
	if tk.SLAResolution == "" {
		t.Error("no resolution clock stored")
	}
	acks := h.outbox(out.TicketID)
	if len(acks) != 1 {
		t.Fatalf("%d mails queued", len(acks))
	}
	a := acks[0]
	if a.Header("Auto-Submitted") != "auto-replied" || a.Header(helpdesk.LoopHeader) == "" {
		t.Errorf("loop-prevention headers missing: %q %q", a.Header("Auto-Submitted"), a.Header(helpdesk.LoopHeader))
	}
	if len(a.InReplyTo) != 1 || a.InReplyTo[0] != "m1@uszn" {
		t.Errorf("In-Reply-To %v", a.InReplyTo)
	}
	if len(a.To) != 1 || a.To[0].Email != "petrov@uszn.kgo66.ru" {
		t.Errorf("To %v", a.To)
	}
	wantTok := fmt.Sprintf("[#%d]", out.TicketID)
	if !strings.Contains(a.Subject, wantTok) {
		t.Errorf("subject %q lacks %s", a.Subject, wantTok)
	}
	if len(a.ReplyTo) != 1 || !strings.HasPrefix(a.ReplyTo[0].Email, "sd+") {
		t.Errorf("Reply-To %v is not a signed address", a.ReplyTo)
	}
	if !strings.Contains(a.Text, "27.12.2024 14:00 (Екатеринбург)") {
		t.Errorf("ack does not promise the due time:\n%s", a.Text)
	}
}

func TestDuplicatesAreIgnored(t *testing.T) {
	h := newHarness(t)
	raw := mail{from: petrov, subject: "Принтер", id: "m1@uszn"}.String()
	first := h.ingest(raw)
	cases := []struct{ name, raw string }{
		{"same bytes (restart, UIDVALIDITY change)", raw},
		{"same Message-ID, other bytes (delivered twice)", "Delivered-To: sd+x@kgo66.ru\r\n" + raw},
	}
	for _, c := range cases {
		if out := h.ingest(c.raw); !out.Duplicate {
			t.Errorf("%s: %+v", c.name, out)
		}
	}
	counts, _ := h.db.Counts(context.Background())
	if counts.Tickets != 1 || counts.Outbox != 1 || counts.Raw != 1 {
		t.Errorf("counts %+v after duplicates of ticket %d", counts, first.TicketID)
	}
}

func TestRepliesFindTheirTicket(t *testing.T) {
	h := newHarness(t)
	first := h.ingest(mail{from: petrov, subject: "Принтер", id: "m1@uszn"}.String())
	ack := h.outbox(first.TicketID)[0]
	token := fmt.Sprintf("[#%d]", first.TicketID)
	cases := []struct {
		name string
		m    mail
		same bool
	}{
		{"signed reply address", mail{from: petrov, to: ack.ReplyTo[0].Email, subject: "ответ", id: "r1@uszn"}, true},
		{"In-Reply-To our ack", mail{from: petrov, subject: "ответ", id: "r2@uszn", inReplyTo: ack.MessageID}, true},
		{"In-Reply-To their first mail", mail{from: "Сидорова <sidorova@uszn.kgo66.ru>", subject: "Re: Принтер", id: "r3@uszn", inReplyTo: "m1@uszn"}, true},
		{"subject token from a participant", mail{from: petrov, subject: "Re: " + token + " ещё", id: "r4@uszn"}, true},
		{"subject token from a stranger", mail{from: "evil@other.ru", subject: "Re: " + token, id: "r5@other"}, false},
		{"forged token", mail{from: "evil@other.ru", to: "sd+aaaaaaaaaaaaaaaaaaaa@kgo66.ru", subject: "x", id: "r6@other"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := h.ingest(c.m.String())
			if got := out.TicketID == first.TicketID; got != c.same {
				t.Errorf("outcome %+v; same ticket = %v, want %v", out, got, c.same)
			}
			if c.same && out.Disposition != store.DispReply {
				t.Errorf("disposition %s", out.Disposition)
			}
		})
	}
	if n := len(h.outbox(first.TicketID)); n != 1 {
		t.Errorf("replies to an open ticket were acknowledged: %d mails", n)
	}
	ps, _ := h.db.Participants(context.Background(), first.TicketID)
	if len(ps) != 2 {
		t.Errorf("participants %+v: want the requester and the colleague, not the stranger", ps)
	}
}

func TestAutomaticMailIsNeverAnswered(t *testing.T) {
	h := newHarness(t)
	first := h.ingest(mail{from: petrov, subject: "Принтер", id: "m1@uszn"}.String())
	ack := h.outbox(first.TicketID)[0]
	cases := []struct {
		name, extra, from, inReplyTo string
		disp                         string
	}{
		{"out-of-office to our ack", "Auto-Submitted: auto-replied\r\n", petrov, ack.MessageID, store.DispReply},
		{"auto-generated", "Auto-Submitted: auto-generated\r\n", petrov, "", store.DispAutoIgnored},
		{"bulk", "Precedence: bulk\r\n", petrov, "", store.DispAutoIgnored},
		{"list", "List-Id: <news.kgo66.ru>\r\n", petrov, "", store.DispAutoIgnored},
		{"our own mail", helpdesk.LoopHeader + ": sd\r\n", petrov, "", store.DispLoop},
		{"from the support address", "", support, "", store.DispLoop},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := h.db.Counts(context.Background())
			out := h.ingest(mail{from: c.from, subject: "Автоответ", id: fmt.Sprintf("a%d@x", i), inReplyTo: c.inReplyTo, extra: c.extra}.String())
			if out.Disposition != c.disp {
				t.Errorf("disposition %s, want %s", out.Disposition, c.disp)
			}
			after, _ := h.db.Counts(context.Background())
			if after.Outbox != before.Outbox || after.Tickets != before.Tickets {
				t.Errorf("automatic mail caused mail or tickets: %+v -> %+v", before, after)
			}
		})
	}
	if st := h.ticket(first.TicketID).Status; st != store.StatusOpen {
		t.Errorf("status %s", st)
	}
}

func TestBounceIsRecordedOnTicket(t *testing.T) {
	h := newHarness(t)
	first := h.ingest(mail{from: petrov, subject: "Принтер", id: "m1@uszn"}.String())
	ack := h.outbox(first.TicketID)[0]
	dsn := "From: MAILER-DAEMON@mx.kgo66.ru\r\nTo: " + support + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"Message-ID: <b1@mx>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.kgo66.ru\r\n\r\n" +
		"Final-Recipient: rfc822; petrov@uszn.kgo66.ru\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <" + ack.MessageID + ">\r\nSubject: x\r\n\r\n--B--\r\n"
	out := h.ingest(dsn)
	if out.Disposition != store.DispBounce || out.TicketID != first.TicketID {
		t.Fatalf("outcome %+v", out)
	}
	counts, _ := h.db.Counts(context.Background())
	if counts.Tickets != 1 || counts.Outbox != 1 {
		t.Errorf("a bounce opened a ticket or was answered: %+v", counts)
	}
	evs, _ := h.db.Events(context.Background(), first.TicketID)
	found := false
	for _, e := range evs {
		found = found || (e.Kind == "bounce" && strings.Contains(e.Detail, "5.1.1"))
	}
	if !found {
		t.Errorf("no bounce event: %+v", evs)
	}
}

func TestUnusableMailIsQuarantinedNotDropped(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, raw string
		answered  bool
	}{
		{"no From, no Return-Path", "To: " + support + "\r\nSubject: x\r\n\r\nbody\r\n", false},
		{"no From, with Return-Path", "Return-Path: <u@x.ru>\r\nTo: " + support + "\r\nSubject: x\r\n\r\nbody\r\n", true},
		{"unparseable From", "From: @@@\r\nTo: " + support + "\r\nSubject: x\r\n\r\nbody\r\n", false},
		{"no header at all", "\r\n\r\njust a body", false},
		{"huge header line", "From: a@b.ru\r\nX-Junk: " + strings.Repeat("a", 1<<20) + "\r\n\r\nbody", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := h.db.Counts(context.Background())
			out := h.ingest(c.raw)
			if out.Disposition != store.DispQuarantine {
				t.Fatalf("disposition %s", out.Disposition)
			}
			after, _ := h.db.Counts(context.Background())
			if after.Raw != before.Raw+1 || after.Tickets != before.Tickets {
				t.Errorf("counts %+v -> %+v", before, after)
			}
			if got := after.Outbox == before.Outbox+1; got != c.answered {
				t.Errorf("answered = %v, want %v", got, c.answered)
			}
		})
	}
}

func TestReplyToClosedTicket(t *testing.T) {
	h := newHarness(t)
	first := h.ingest(mail{from: petrov, subject: "Принтер", id: "m1@uszn"}.String())
	closeTicket := func(id int64) {
		err := h.db.Tx(context.Background(), func(tx *store.Tx) error {
			return tx.SetTicketStatus(context.Background(), id, store.StatusResolved, h.now.UTC())
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	closeTicket(first.TicketID)
	h.now = h.now.Add(24 * time.Hour)
	out := h.ingest(mail{from: petrov, subject: "Re: [#1] Принтер", id: "r1@uszn", inReplyTo: "m1@uszn"}.String())
	if !out.Reopened || out.TicketID != first.TicketID || h.ticket(first.TicketID).Status != store.StatusOpen {
		t.Errorf("reply within the window did not reopen: %+v", out)
	}
	if n := len(h.outbox(first.TicketID)); n != 2 {
		t.Errorf("%d mails: want ack + reopened notice", n)
	}
	closeTicket(first.TicketID)
	h.now = h.now.Add(30 * 24 * time.Hour)
	out = h.ingest(mail{from: petrov, subject: "Re: Принтер", id: "r2@uszn", inReplyTo: "m1@uszn"}.String())
	if out.Disposition != store.DispTicket || out.TicketID == first.TicketID {
		t.Fatalf("late reply: %+v", out)
	}
	if tk := h.ticket(out.TicketID); tk.LinkedTicketID.Int64 != first.TicketID {
		t.Errorf("new ticket not linked: %+v", tk.LinkedTicketID)
	}
	if st := h.ticket(first.TicketID).Status; st != store.StatusResolved {
		t.Errorf("old ticket status %s", st)
	}
}

func TestAutoRepliesAreRateLimited(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.AutoReplyPerHour = 3 })
	for i := 0; i < 5; i++ {
		h.ingest(mail{from: petrov, subject: fmt.Sprintf("Вопрос %d", i), id: fmt.Sprintf("q%d@uszn", i)}.String())
	}
	if n := len(h.outbox(0)); n != 3 {
		t.Errorf("%d acks in an hour, want 3", n)
	}
	h.now = h.now.Add(61 * time.Minute)
	h.ingest(mail{from: petrov, subject: "Ещё", id: "q9@uszn"}.String())
	if n := len(h.outbox(0)); n != 4 {
		t.Errorf("%d acks after an hour, want 4", n)
	}
	counts, _ := h.db.Counts(context.Background())
	if counts.Tickets != 6 {
		t.Errorf("tickets %d: rate limiting must not drop requests", counts.Tickets)
	}
}

func TestOversizeAndDroppedAttachmentsAreExplained(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.Parse.MaxAttachmentBytes = 1000 })
	hdr := "From: " + petrov + "\r\nTo: " + support + "\r\nSubject: Скриншот\r\nMessage-ID: <big@uszn>\r\n"
	out := h.ingestFetched(mailin.Fetched{Raw: []byte(hdr + "\r\n"), Size: 60 << 20, Truncated: true})
	if out.Disposition != store.DispTicket {
		t.Fatalf("oversize message: %+v", out)
	}
	notice := h.outbox(out.TicketID)
	if len(notice) != 1 || !strings.Contains(notice[0].Text, "60") {
		t.Errorf("too-large notice missing or without the size: %+v", notice)
	}
	att := "From: " + petrov + "\r\nTo: " + support + "\r\nSubject: Файл\r\nMessage-ID: <att@uszn>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСм. вложение\r\n" +
		"--X\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"otchet.pdf\"\r\n\r\n" + strings.Repeat("A", 5000) + "\r\n--X--\r\n"
	out = h.ingest(att)
	ack := h.outbox(out.TicketID)
	if len(ack) != 1 || !strings.Contains(ack[0].Text, "otchet.pdf") {
		t.Errorf("ack does not list the dropped file: %+v", ack)
	} else if !strings.Contains(ack[0].Text, "превышен допустимый размер (не более ") {
		t.Errorf("ack does not name the attachment limit:\n%s", ack[0].Text)
	}
	tk, _ := h.db.Attachments(context.Background(), out.TicketID)
	var n int
	for _, as := range tk {
		for _, a := range as {
			if a.Dropped && a.Filename == "otchet.pdf" {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("dropped attachment not recorded: %+v", tk)
	}
}

func TestHeaderInjectionNeverReachesOutgoingHeaders(t *testing.T) {
	h := newHarness(t)
	subjects := []string{
		"=?utf-8?b?" + "SGVsbG8NCkJjYzogZXZpbEB4LnJ1" + "?=", // "Hello\r\nBcc: evil@x.ru"
		"Hello\r\n Bcc: evil@x.ru",
	}
	for i, s := range subjects {
		out := h.ingest(mail{from: petrov, subject: s, id: fmt.Sprintf("inj%d@x", i)}.String())
		rows, _ := h.db.OutgoingForTicket(context.Background(), out.TicketID)
		if len(rows) != 1 {
			t.Fatalf("no ack for %q", s)
		}
		head, _, _ := strings.Cut(string(rows[0].Raw), "\r\n\r\n")
		for _, line := range strings.Split(head, "\r\n") {
			if strings.HasPrefix(strings.ToLower(line), "bcc:") {
				t.Errorf("injected header in ack: %q", line)
			}
		}
	}
}

func TestOutOfHoursAck(t *testing.T) {
	h := newHarness(t)
	h.now = time.Date(2024, 12, 28, 20, 0, 0, 0, friday.Location()) // Saturday evening before the holidays
	out := h.ingest(mail{from: petrov, subject: "Срочно", id: "late@uszn"}.String())
	a := h.outbox(out.TicketID)[0]
	if !strings.Contains(a.Text, "нерабочее время") || !strings.Contains(a.Text, "09.01.2025 в 09:00") {
		t.Errorf("out-of-hours ack:\n%s", a.Text)
	}
	tk := h.ticket(out.TicketID)
	if want := time.Date(2025, 1, 9, 13, 0, 0, 0, friday.Location()); !tk.FirstResponseDue.Time.Equal(want) {
		t.Errorf("due %v, want %v", tk.FirstResponseDue.Time.In(friday.Location()), want)
	}
}

// poisonRenderer fails for one subject, like a template or address no mail can be made of.
type poisonRenderer struct{ helpdesk.Renderer }

func (p poisonRenderer) Render(lang, name string, data any) (mailout.Rendered, error) {
	if d, ok := data.(mailout.AckData); ok && strings.Contains(d.Subject, "POISON") {
		return mailout.Rendered{}, fmt.Errorf("render: poisoned")
	}
	return p.Renderer.Render(lang, name, data)
}

func TestPoisonMessageNeverBlocksTheMailbox(t *testing.T) {
	h := newHarness(t, func(o *helpdesk.Options) { o.Templates = poisonRenderer{o.Templates} })
	var fs []mailin.Fetched
	for i, subj := range []string{"Принтер", "POISON", "Сканер"} {
		raw := mail{from: petrov, subject: subj, id: fmt.Sprintf("b%d@uszn", i)}.String()
		fs = append(fs, mailin.Fetched{UID: uint32(i + 1), Raw: []byte(raw), Size: int64(len(raw))})
	}
	outs, err := h.svc.IngestBatch(context.Background(), "sd", 1, fs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{store.DispTicket, store.DispQuarantine, store.DispTicket}
	for i, o := range outs {
		if o.Disposition != want[i] {
			t.Errorf("message %d: %s, want %s", i+1, o.Disposition, want[i])
		}
	}
	if c, _ := h.db.Cursor(context.Background(), "sd"); c.LastUID != 3 {
		t.Errorf("cursor %d, want 3", c.LastUID)
	}
	counts, _ := h.db.Counts(context.Background())
	if counts.Tickets != 2 || counts.Raw != 3 {
		t.Errorf("counts %+v", counts)
	}
}
