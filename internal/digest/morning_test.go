package digest

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// morningFixture: on Monday 10 March 2025 (Moscow, 09:00–17:00) agent A has
// three active tickets (one due today, one overdue, one waiting) and a closed
// one, the queue has one unassigned ticket due today, and B has a visit to
// the school today. B's morning mail is off; the manager never gets one.
func morningFixture(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	created := at(t, "2025-03-06 10:00")
	err := db.Tx(ctx, func(tx *store.Tx) error {
		school := &store.Org{Name: "Школа № 3", SupportLevel: "standard"}
		if err := tx.CreateOrg(ctx, school, "test", created); err != nil {
			return err
		}
		for _, s := range []store.Staff{
			{Email: "anna@sd.example", Name: "Анна Петрова", Role: store.StaffAgent, Active: true},
			{Email: "boris@sd.example", Name: "Борис", Role: store.StaffLead, Active: true},
			{Email: "boss@sd.example", Name: "Руководитель", Role: store.StaffManager, Active: true},
		} {
			if err := tx.UpsertStaff(ctx, &s, "test", created); err != nil {
				return err
			}
		}
		if _, err := tx.SetMorningMail(ctx, "boris@sd.example", false, "test", created); err != nil {
			return err
		}
		org := sql.NullInt64{Int64: school.ID, Valid: true}
		tickets := []store.Ticket{
			{Subject: "Не печатает принтер в кабинете 12", Status: store.StatusOpen, OrgID: org, Assignee: "anna@sd.example",
				FirstResponseDue: nt(t, "2025-03-10 11:00"), ResolutionDue: nt(t, "2025-03-12 11:00")},
			{Subject: "МИС: не открывается расписание", Status: store.StatusOpen, OrgID: org, Assignee: "anna@sd.example",
				FirstResponseAt: nt(t, "2025-03-06 10:30"), ResolutionDue: nt(t, "2025-03-07 10:00")},
			{Subject: "Доступ к почте", Status: store.StatusWaiting, Assignee: "anna@sd.example",
				FirstResponseAt: nt(t, "2025-03-06 10:30"), ResolutionDue: nt(t, "2025-03-14 10:00")},
			{Subject: "Старый вопрос", Status: store.StatusClosed, Assignee: "anna@sd.example", ClosedAt: nt(t, "2025-03-07 10:00")},
			{Subject: "Новый сотрудник: учётная запись", Status: store.StatusOpen, OrgID: org,
				FirstResponseDue: nt(t, "2025-03-10 16:00"), ResolutionDue: nt(t, "2025-03-11 16:00")},
			{Subject: "Замена картриджа", Status: store.StatusPlanned, OrgID: org, Assignee: "boris@sd.example", PlannedFor: "2025-03-10",
				FirstResponseAt: nt(t, "2025-03-06 10:30"), ResolutionDue: nt(t, "2025-03-20 10:00")},
		}
		for i := range tickets {
			tickets[i].Desk, tickets[i].SupportLevel, tickets[i].RequesterEmail = "sd", "standard", "user@school3.example"
			tickets[i].CreatedAt = created
		}
		return tx.InsertTickets(ctx, tickets)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newMorning(t *testing.T, db *store.DB, lang string, now time.Time) *Morning {
	t.Helper()
	signer, err := mailout.NewSigner([]byte("morning-mail-test-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMorning(MorningOptions{DB: db, Calendar: testSetup(t).Default, Templates: templates(t), Lang: lang,
		Desk: "sd", From: senderAddress, DeskName: "Служба поддержки", SupportAddress: "sd@kgo66.ru",
		Signer: signer, BaseURL: "https://helpdesk.kgo66.ru/", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMorningDue: the mail is due from the opening to the closing of a
// working day, to the active agents and leads whose setting is on.
func TestMorningDue(t *testing.T) {
	db := openSQLite(t)
	morningFixture(t, db)
	ctx := context.Background()
	m := newMorning(t, db, "ru", time.Time{})
	for _, c := range []struct {
		name, now string
		want      int
	}{
		{"before the opening", "2025-03-10 08:59", 0},
		{"at the opening", "2025-03-10 09:00", 1},
		{"late in the day (after downtime)", "2025-03-10 16:59", 1},
		{"at the closing", "2025-03-10 17:00", 0},
		{"8 March, a holiday", "2025-03-08 10:00", 0},
		{"Sunday", "2025-03-09 10:00", 0},
	} {
		jobs, err := m.Due(ctx, at(t, c.now))
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != c.want || (len(jobs) == 1 && jobs[0].Agent.Email != "anna@sd.example") {
			t.Errorf("%s: %d jobs %+v, want %d for anna", c.name, len(jobs), jobs, c.want)
		}
	}
}

// TestMorningGolden renders Anna's morning mail in both languages.
func TestMorningGolden(t *testing.T) {
	db := openSQLite(t)
	morningFixture(t, db)
	ctx := context.Background()
	now := at(t, "2025-03-10 09:00")
	for _, lang := range []string{"ru", "en"} {
		m := newMorning(t, db, lang, now)
		jobs, err := m.Due(ctx, now)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("due: %v %v", jobs, err)
		}
		o, err := m.Build(ctx, jobs[0], now)
		if err != nil {
			t.Fatal(err)
		}
		if o.ReplyTo == nil || !strings.HasPrefix(o.ReplyTo.Email, "sd+") {
			t.Fatalf("Reply-To %+v, want the agent's signed command address", o.ReplyTo)
		}
		signer, _ := mailout.NewSigner([]byte("morning-mail-test-key-0123456789"))
		tok, _ := mailout.TokenFromAddress(o.ReplyTo.Email, "sd@kgo66.ru")
		if tid, pid, _, ok := signer.Verify(tok); !ok || tid != 0 || pid != jobs[0].Agent.ID {
			t.Errorf("Reply-To token: ticket %d, staff %d, %v", tid, pid, ok)
		}
		r := o.Rendered
		checkGolden(t, "morning_"+lang+".golden", []byte("Subject: "+r.Subject+"\nReply-To: "+o.ReplyTo.Email+"\n\n"+r.Text+
			"\n===== HTML =====\n"+r.HTML))
	}
}

// TestMorningEmpty: every section says in words that it is empty.
func TestMorningEmpty(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		return tx.UpsertStaff(ctx, &store.Staff{Email: "anna@sd.example", Role: store.StaffAgent, Active: true}, "test", at(t, "2025-03-01 10:00"))
	})
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2025-03-10 09:00")
	for lang, want := range map[string][]string{
		"ru": {"На вас нет открытых обращений.", "Очередь пуста", "Выездов на сегодня не запланировано.", "Сегодня сроки не истекают."},
		"en": {"No open tickets are assigned to you.", "The queue is empty", "No visits are planned for today.", "Nothing falls due today."},
	} {
		m := newMorning(t, db, lang, now)
		jobs, err := m.Due(ctx, now)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("due: %v %v", jobs, err)
		}
		o, err := m.Build(ctx, jobs[0], now)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(o.Rendered.Text, w) || !strings.Contains(o.Rendered.HTML, w) {
				t.Errorf("%s: no %q in\n%s", lang, w, o.Rendered.Text)
			}
		}
	}
}

// TestMorningOnce: two instances at the opening and a restart later that day
// queue one mail per agent; the next working day gets its own.
func TestMorningOnce(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		morningFixture(t, db)
		ctx := context.Background()
		now := at(t, "2025-03-10 09:00")
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := newMorning(t, db, "ru", now).RunOnce(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 1 {
			t.Errorf("two instances queued %v, want one mail", counts)
		}
		if n, err := newMorning(t, db, "ru", at(t, "2025-03-10 13:00")).RunOnce(ctx); err != nil || n != 0 {
			t.Errorf("after a restart: %d %v", n, err)
		}
		if n, err := newMorning(t, db, "ru", at(t, "2025-03-11 09:01")).RunOnce(ctx); err != nil || n != 1 {
			t.Errorf("Tuesday: %d %v", n, err)
		}
		rows, err := db.ListOutgoing(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d outbox rows, want 2", len(rows))
		}
		for _, r := range rows {
			if r.Kind != KindMorning || r.Recipients != "anna@sd.example" {
				t.Errorf("row %d: kind %s to %s", r.ID, r.Kind, r.Recipients)
			}
		}
	})
}

// TestMorningEndToEnd sends the morning mail through the outbox, real
// Postfix and Dovecot into the agent's fresh mailbox and reads it back:
// the subject, the text and HTML, and the signed Reply-To.
func TestMorningEndToEnd(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	db := openSQLite(t)
	morningFixture(t, db)
	box := env.NewMailbox(t, "agent")
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertStaff(ctx, &store.Staff{Email: box, Name: "Агент", Role: store.StaffAgent, Active: true}, "test", at(t, "2025-03-06 10:00")); err != nil {
			return err
		}
		_, err := tx.SetMorningMail(ctx, "anna@sd.example", false, "test", at(t, "2025-03-06 10:00")) // no real mailbox
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2025-03-10 09:00")
	if n, err := newMorning(t, db, "ru", now).RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("queued %d: %v", n, err)
	}
	host, port := splitHostPort(t, env.SMTPAddr)
	sender, err := mailout.NewSMTPSender(mailout.SMTPOptions{Host: host, Port: port, TLS: mailout.TLSNone, HeloName: "otvet.test"})
	if err != nil {
		t.Fatal(err)
	}
	w := outbox.New(db, outbox.Options{Senders: map[string]outbox.Sender{"sd": sender}, IsPermanent: mailout.IsPermanent})
	if st, err := w.Drain(ctx); err != nil || st.Sent != 1 {
		t.Fatalf("drain: %+v %v", st, err)
	}
	raw := env.WaitForMessages(t, box, 1, 10*time.Second)[0]
	parts := readParts(t, raw)
	m, err := mailmsg.Parse(raw, mailmsg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(parts.subject, "Ваш день 10.03.2025") || !strings.Contains(parts.text, "БЕЗ ИСПОЛНИТЕЛЯ: 1") ||
		!strings.Contains(parts.html, "https://helpdesk.kgo66.ru/tickets/5") {
		t.Errorf("subject %q\n%s", parts.subject, parts.text)
	}
	if len(m.ReplyTo) != 1 || !strings.HasPrefix(m.ReplyTo[0].Email, "sd+") || m.AutoReason == "" {
		t.Errorf("Reply-To %v, automatic %q", m.ReplyTo, m.AutoReason)
	}
}
