package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// rulesRig is one desk on real Dovecot and Postfix with a controllable clock
// and a directory holding one organisation (domain example.test is shared by
// all test mailboxes, so the organisation owns a sub-domain alias below).
type rulesRig struct {
	t       *testing.T
	env     *testenv.Env
	a       *app.App
	cfg     *config.Config
	support string
	now     time.Time
}

func newRulesRig(t *testing.T, now time.Time) *rulesRig {
	env := testenv.Get(t)
	r := &rulesRig{t: t, env: env, support: env.NewMailbox(t, "support"), now: now}
	r.cfg = realConfig(t, env, r.support, fmt.Sprintf("{driver: sqlite, path: %q}", filepath.Join(t.TempDir(), "otvet.db")), "")
	a, err := newApp(t, r)
	if err != nil {
		t.Fatal(err)
	}
	r.a = a
	return r
}

// newApp builds the rig's app from its configuration (again, after a change).
func newApp(t *testing.T, r *rulesRig) (*app.App, error) {
	a, err := app.New(context.Background(), r.cfg, testLogger(t), app.Options{Migrate: true, Now: func() time.Time { return r.now }})
	if err == nil {
		t.Cleanup(func() { a.Close() })
	}
	return a, err
}

// register makes the organisation of example.test and, when email is set, a user.
func (r *rulesRig) register(email string) {
	r.t.Helper()
	ctx := context.Background()
	err := r.a.DB.Tx(ctx, func(tx *store.Tx) error {
		o, err := tx.OrgByDomain(ctx, r.env.Domain)
		if err != nil {
			o = &store.Org{Name: "МАОУ СОШ № 3", Domains: []string{r.env.Domain}, SupportLevel: "standard"}
			if err := tx.CreateOrg(ctx, o, "test", r.now); err != nil {
				return err
			}
		}
		if email == "" {
			return nil
		}
		_, err = tx.UpsertUser(ctx, &store.User{Email: email, FullName: "Иванова Мария Петровна", Phone: "2-11-05",
			OrgID: sql.NullInt64{Int64: o.ID, Valid: true}, Role: store.RoleUser, Confirmed: true}, "test", r.now)
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// send delivers a message through Postfix and runs poll --once until it is stored.
func (r *rulesRig) send(from, subject, body, inReplyTo string) {
	r.t.Helper()
	ctx := context.Background()
	before, _ := r.a.DB.Counts(ctx)
	hdr := ""
	if inReplyTo != "" {
		hdr = "In-Reply-To: <" + inReplyTo + ">\r\n"
	}
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@example.test>\r\n%sMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, r.support, mime(subject), time.Now().UnixNano(), hdr, body)
	r.env.SendMail(r.t, from, []string{r.support}, []byte(raw))
	waitFor(r.t, 15*time.Second, func() bool {
		if _, _, err := r.a.PollOnce(ctx); err != nil {
			r.t.Log(err)
		}
		c, _ := r.a.DB.Counts(ctx)
		return c.Raw > before.Raw
	})
	if _, err := r.a.Outbox.Drain(ctx); err != nil {
		r.t.Fatal(err)
	}
}

// inbox returns the parsed messages in a user's mailbox once there are n.
func (r *rulesRig) inbox(user string, n int) []*mailmsg.Message {
	r.t.Helper()
	var out []*mailmsg.Message
	for _, raw := range r.env.WaitForMessages(r.t, user, n, 15*time.Second) {
		m, err := mailmsg.Parse(raw, mailmsg.Options{})
		if err != nil {
			r.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func (r *rulesRig) ticket(n int64) *store.Ticket {
	r.t.Helper()
	tk, err := r.a.DB.Ticket(context.Background(), n)
	if err != nil {
		r.t.Fatal(err)
	}
	return tk
}

var workingFriday = time.Date(2024, 12, 27, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600))

func TestRealUnknownSenderIdentifiesByReply(t *testing.T) {
	r := newRulesRig(t, workingFriday)
	r.register("")
	user := r.env.NewMailbox(t, "user")
	r.send(user, "Не открывается журнал", "Не открывается электронный журнал, ошибка 500 после входа.", "")
	if tk := r.ticket(1); tk.Status != store.StatusUnidentified {
		t.Fatalf("status %s", tk.Status)
	}
	ask := r.inbox(user, 1)[0]
	if !strings.Contains(ask.Subject, "идентификация") {
		t.Fatalf("first answer: %s", ask.Subject)
	}
	r.now = r.now.Add(20 * time.Minute)
	r.send(user, "Re: "+ask.Subject, "ФИО: Иванова Мария Петровна\nОрганизация: МАОУ СОШ № 3\nТел. 8 (34341) 2-11-05", ask.MessageID)
	tk := r.ticket(1)
	if tk.Status != store.StatusOpen || !tk.FirstResponseDue.Valid {
		t.Fatalf("after the reply: %+v", tk)
	}
	if ack := r.inbox(user, 2)[1]; !strings.Contains(ack.Subject, "зарегистрировано") {
		t.Errorf("second answer: %s", ack.Subject)
	}
}

func TestRealBlockedAndOffensiveSenders(t *testing.T) {
	r := newRulesRig(t, workingFriday)
	blocked, rude := r.env.NewMailbox(t, "blocked"), r.env.NewMailbox(t, "rude")
	r.register(blocked)
	r.register(rude)
	err := r.a.DB.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.SetUserBlocked(context.Background(), blocked, true, "утечка пароля", "test", r.now)
	})
	if err != nil {
		t.Fatal(err)
	}
	r.send(blocked, "Срочно", "Не работает почта, помогите.", "")
	if m := r.inbox(blocked, 1)[0]; !strings.Contains(m.Subject, "не принято") {
		t.Errorf("blocked sender got %q", m.Subject)
	}
	r.send(rude, "Опять", "Вы там совсем охуели? Третий день не работает ваша система.", "")
	if m := r.inbox(rude, 1)[0]; !strings.Contains(m.Subject, "отклонено") || !strings.Contains(m.Text, "4.6.3") {
		t.Errorf("offensive sender got %q", m.Subject)
	}
	c, _ := r.a.DB.Counts(context.Background())
	if c.Tickets != 1 {
		t.Errorf("%d tickets: the blocked sender must not open one", c.Tickets)
	}
}

func TestRealMaintenanceDefersAndResumes(t *testing.T) {
	r := newRulesRig(t, workingFriday)
	user := r.env.NewMailbox(t, "user")
	r.register(user)
	end := r.now.Add(2 * time.Hour)
	err := r.a.DB.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.AddMaintenance(context.Background(), &store.MaintenanceWindow{System: "МИС", StartsAt: r.now.Add(-time.Hour),
			EndsAt: end, CreatedAt: r.now, CreatedBy: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	r.send(user, "МИС не работает", "Не открывается МИС, сервер недоступен. Тел. 2-11-05", "")
	m := r.inbox(user, 1)[0]
	if !strings.Contains(m.Subject, "отложено") || !strings.Contains(m.Text, "27.12.2024") {
		t.Fatalf("deferral: %s\n%s", m.Subject, m.Text)
	}
	r.now = end.Add(time.Minute)
	if _, _, err := r.a.PollOnce(context.Background()); err != nil { // ticks the scheduler
		t.Fatal(err)
	}
	if tk := r.ticket(1); tk.Status != store.StatusOpen {
		t.Errorf("not resumed: %s", tk.Status)
	}
}

func TestRealOutOfHoursBeforeHolidays(t *testing.T) {
	// Friday 27 Dec 2024, 18:30 in Yekaterinburg: Saturday 28 Dec is a working day.
	r := newRulesRig(t, time.Date(2024, 12, 27, 18, 30, 0, 0, time.FixedZone("+05", 5*3600)))
	user := r.env.NewMailbox(t, "user")
	r.register(user)
	r.send(user, "Не печатает принтер", "Принтер не печатает, перезагружали. Тел. 2-11-05", "")
	ack := r.inbox(user, 1)[0]
	if !strings.Contains(ack.Text, "нерабочее время") || !strings.Contains(ack.Text, "28.12.2024 в 09:00") ||
		!strings.Contains(ack.Text, "28.12.2024 13:00") {
		t.Errorf("out-of-hours acknowledgement:\n%s", ack.Text)
	}
}
