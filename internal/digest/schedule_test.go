package digest

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

func newScheduler(t *testing.T, db *store.DB, rcs []Recipient, now time.Time, scheds ...Schedule) *Scheduler {
	t.Helper()
	o := SchedulerOptions{
		DB: db, Setup: testSetup(t), Templates: templates(t), Recipients: rcs, Desk: "sd",
		From: mailout.Address{Name: "Служба поддержки", Email: "sd@kgo66.ru"}, Now: func() time.Time { return now },
	}
	if len(scheds) == 3 {
		o.Daily, o.Weekly, o.Monthly = scheds[0], scheds[1], scheds[2]
	}
	s, err := NewScheduler(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchedulerLatest(t *testing.T) {
	s := newScheduler(t, openSQLite(t), nil, time.Time{})
	cases := []struct {
		name, now   string
		kind        Kind
		period, due string // period's first date and the instant it was due; "" = none
	}{
		{"daily at closing time", "2024-12-27 17:00", Daily, "2024-12-27", "2024-12-27 17:00"},
		{"daily before closing gives the day before", "2024-12-27 16:59", Daily, "2024-12-26", "2024-12-26 17:00"},
		{"daily on a short day at its closing time", "2025-03-07 16:00", Daily, "2025-03-07", "2025-03-07 16:00"},
		{"daily on a holiday gives the working Saturday", "2025-01-05 12:00", Daily, "2024-12-28", "2024-12-28 17:00"},
		{"daily on the first day after the holidays", "2025-01-09 10:00", Daily, "2024-12-28", "2024-12-28 17:00"},
		{"weekly on Monday 9:00", "2024-12-23 09:00", Weekly, "2024-12-16", "2024-12-23 09:00"},
		{"weekly before Monday 9:00", "2024-12-23 08:59", Weekly, "2024-12-09", "2024-12-16 09:00"},
		{"weekly after New Year skips the empty week", "2025-01-09 10:00", Weekly, "2024-12-23", "2025-01-09 09:00"},
		{"weekly during the holidays", "2025-01-03 10:00", Weekly, "2024-12-16", "2024-12-23 09:00"},
		{"monthly on 9 January", "2025-01-09 10:00", Monthly, "2024-12-01", "2025-01-09 09:00"},
		{"monthly before it", "2025-01-08 23:00", Monthly, "2024-11-01", "2024-12-02 09:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, due, ok := s.Latest(c.kind, at(t, c.now))
			if !ok {
				t.Fatalf("no %s digest at %s", c.kind, c.now)
			}
			if p.Key() != c.period || !due.Equal(at(t, c.due)) {
				t.Errorf("got period %s due %s, want %s due %s", p.Key(), due.In(msk).Format("2006-01-02 15:04"), c.period, c.due)
			}
		})
	}
	off := newScheduler(t, openSQLite(t), nil, time.Time{}, Schedule{}, Schedule{Off: true}, Schedule{})
	if _, _, ok := off.Latest(Weekly, at(t, "2025-01-09 10:00")); ok {
		t.Error("a digest that is off is scheduled")
	}
	// A configured hour overrides the closing time of the daily digest.
	late := newScheduler(t, openSQLite(t), nil, time.Time{}, Schedule{Hour: 18}, Schedule{}, Schedule{})
	if p, due, ok := late.Latest(Daily, at(t, "2025-03-07 17:30")); !ok || p.Key() != "2025-03-06" || !due.Equal(at(t, "2025-03-06 18:00")) {
		t.Errorf("daily at 18:00: %s due %v %v", p.Key(), due, ok)
	}
}

func TestSchedulerSendsOnce(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org1, _ := fixture(t, db, testSetup(t).Default)
		rcs := []Recipient{{Email: "Boss@kgo66.ru", Name: "Начальник", Lang: "ru"}, {Email: "head@school1.example", Lang: "en", OrgID: org1}}
		makeHead(t, db, "head@school1.example", org1)
		now := at(t, "2025-01-09 10:00")
		s := newScheduler(t, db, rcs, now)
		jobs, err := s.Due(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 6 {
			t.Fatalf("%d jobs due, want 6 (daily, weekly, monthly × 2): %+v", len(jobs), jobs)
		}
		// A second instance racing for the same digest does not queue it twice.
		other := newScheduler(t, db, rcs, now)
		if sent, err := other.Send(ctx, jobs[0], now); err != nil || !sent {
			t.Fatalf("first send: %v %v", sent, err)
		}
		if sent, err := s.Send(ctx, jobs[0], now); err != nil || sent {
			t.Fatalf("second send of the same digest: %v %v", sent, err)
		}
		n, err := s.RunOnce(ctx)
		if err != nil || n != 5 {
			t.Fatalf("RunOnce queued %d (%v), want 5", n, err)
		}
		if n, err := s.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("RunOnce again queued %d (%v)", n, err)
		}
		rows, err := db.ListOutgoing(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6 {
			t.Fatalf("%d outbox rows, want 6", len(rows))
		}
		for _, o := range rows {
			full, err := db.Outgoing(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			raw := string(full.Raw)
			if o.Kind != "digest" || o.Auto || !strings.Contains(raw, "Auto-Submitted: auto-generated") {
				t.Errorf("row %d: kind %q auto %v", o.ID, o.Kind, o.Auto)
			}
		}
	})
}

// TestDigestEndToEnd sends the monthly digest through the outbox, real
// Postfix and Dovecot into a fresh manager mailbox, and reads it back: HTML
// with the chart inline, the text alternative and the CSV.
func TestDigestEndToEnd(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	db := openSQLite(t)
	org1, _ := fixture(t, db, testSetup(t).Default)
	manager := env.NewMailbox(t, "manager")
	head := env.NewMailbox(t, "manager")
	makeHead(t, db, head, org1)
	now := at(t, "2025-01-09 10:00")
	s := newScheduler(t, db, []Recipient{{Email: manager, Lang: "ru"}, {Email: head, Lang: "ru", OrgID: org1}}, now,
		Schedule{Off: true}, Schedule{Off: true}, Schedule{})
	if n, err := s.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("queued %d: %v", n, err)
	}
	host, port := splitHostPort(t, env.SMTPAddr)
	sender, err := mailout.NewSMTPSender(mailout.SMTPOptions{Host: host, Port: port, TLS: mailout.TLSNone, HeloName: "otvet.test"})
	if err != nil {
		t.Fatal(err)
	}
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": sender}, IsPermanent: mailout.IsPermanent})
	st, err := w.Drain(ctx)
	if err != nil || st.Sent != 2 {
		t.Fatalf("drain: %+v %v", st, err)
	}
	for _, c := range []struct {
		box      string
		wantOrgs []string
		notOrgs  []string
	}{
		{manager, []string{"Школа № 1", "Администрация"}, nil},
		{head, []string{"Школа № 1"}, []string{"Администрация"}},
	} {
		msgs := env.WaitForMessages(t, c.box, 1, 10*time.Second)
		parts := readParts(t, msgs[0])
		if !strings.Contains(parts.subject, "Ежемесячная сводка SLA") {
			t.Errorf("%s: subject %q", c.box, parts.subject)
		}
		if !strings.Contains(parts.html, "cid:"+ChartCID) || !strings.HasPrefix(string(parts.inline["<"+ChartCID+">"]), "\x89PNG") {
			t.Errorf("%s: chart not inline (html has cid: %v, inline parts %d)", c.box, strings.Contains(parts.html, "cid:"), len(parts.inline))
		}
		if !strings.Contains(parts.text, "НАРУШЕНИЯ СРОКОВ ЗА ПЕРИОД") || !strings.Contains(parts.csv, "first_response_business_seconds") {
			t.Errorf("%s: text or CSV missing", c.box)
		}
		for _, o := range c.wantOrgs {
			if !strings.Contains(parts.text+parts.csv, o) {
				t.Errorf("%s: %q missing", c.box, o)
			}
		}
		for _, o := range c.notOrgs {
			if strings.Contains(parts.text+parts.html+parts.csv, o) {
				t.Errorf("%s: another organisation %q is shown", c.box, o)
			}
		}
	}
}

type mailParts struct {
	subject, text, html, csv string
	inline                   map[string][]byte
}

func readParts(t *testing.T, raw []byte) mailParts {
	t.Helper()
	r, err := mail.CreateReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	p := mailParts{inline: map[string][]byte{}}
	p.subject, _ = r.Header.Subject()
	for {
		part, err := r.NextPart()
		if err != nil {
			break
		}
		b := readAll(t, part.Body)
		switch h := part.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			switch {
			case ct == "text/plain":
				p.text = string(b)
			case ct == "text/html":
				p.html = string(b)
			default:
				p.inline[h.Get("Content-Id")] = b
			}
		case *mail.AttachmentHeader:
			ct, _, _ := h.ContentType()
			if ct == "text/csv" {
				p.csv = string(b)
			} else if id := h.Get("Content-Id"); id != "" {
				p.inline[id] = b
			}
		}
	}
	return p
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func splitHostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return host, n
}
