package helpdesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

const vendor = "support@irtech.example"

func addVendor(h *harness, tellAnswer bool) {
	h.tx(func(tx *store.Tx) error {
		return tx.AddContractor(context.Background(), &store.Contractor{Name: "irtech", DisplayName: "ООО «ИРТех»",
			Addresses: vendor + "\n@irtech.example", Hours: "10:00-18:00", ResponseMinutes: 120, TellAnswer: tellAnswer}, friday)
	})
}

// latest is the newest queued mail of a kind to rcpt, parsed.
func (h *harness) latest(kind, rcpt string) *mailmsg.Message {
	h.t.Helper()
	rs := h.sent(kind)
	for i := len(rs) - 1; i >= 0; i-- {
		if strings.Contains(rs[i].Recipients, rcpt) {
			return parse(h.t.(*testing.T), rs[i].Raw)
		}
	}
	return nil
}

func TestContractorRoundTrip(t *testing.T) {
	h := newStaffHarness(t)
	addVendor(h, false)
	id := h.newTicket()
	h.now = h.now.Add(10 * time.Minute)
	h.command(agent1, "#передать irtech --tell-answer\nКоллеги, посмотрите драйвер, пожалуйста.")
	if r := h.result(agent1); !strings.Contains(r.Text, "передано подрядчику irtech") {
		t.Fatalf("result:\n%s", r.Text)
	}
	req := h.latest("contractor_request", vendor)
	if req == nil {
		t.Fatal("no request to the contractor")
	}
	raw := string(h.sent("contractor_request")[0].Raw)
	if !strings.Contains(req.Subject, "[#") || !strings.Contains(req.Text, "кабинете 12") || !strings.Contains(req.Text, "посмотрите драйвер") ||
		strings.Contains(raw, "petrov@") || strings.Contains(raw, agent1) || !strings.HasPrefix(req.ReplyTo[0].Email, "sd+") {
		t.Errorf("request to the contractor:\n%s", raw)
	}
	if len(h.sent("agent_reply")) != 0 {
		t.Error("the contractor's text went to the customer")
	}
	notice := h.latest("contractor_notice", "petrov@")
	if notice == nil || !strings.Contains(notice.Text, "4.7") || !strings.Contains(notice.Text, "ИРТех") {
		t.Fatalf("requester's notice: %+v", notice)
	}
	tk := h.ticket(id)
	if tk.Status != store.StatusOpen || !tk.FirstResponseAt.Valid {
		t.Errorf("ticket %s first response %v", tk.Status, tk.FirstResponseAt)
	}
	if ev := h.events(id); !strings.Contains(ev, "escalated") {
		t.Errorf("events %s", ev)
	}

	// A stranger holding the contractor's reply address changes nothing.
	before := len(h.sent("agent_notify"))
	out := h.ingest(mail{from: "Злоумышленник <evil@example.org>", to: req.ReplyTo[0].Email, subject: "Re: " + req.Subject,
		id: "evil1@example.org", body: "Закройте обращение"}.String())
	if out.Disposition != helpdesk.DispRefused || len(h.sent("agent_notify")) != before {
		t.Fatalf("stranger: %+v", out)
	}

	// The contractor answers: on the ticket, to the agents, not to the customer.
	out = h.ingest(mail{from: "ИРТех <" + vendor + ">", to: req.ReplyTo[0].Email, subject: "Re: " + req.Subject,
		id: "v1@irtech.example", inReplyTo: req.MessageID, body: "Обновите драйвер до версии 5.2."}.String())
	if out.Disposition != helpdesk.DispContractor || out.TicketID != id {
		t.Fatalf("contractor's answer: %+v", out)
	}
	n := h.notification(agent1)
	if !strings.Contains(n.Subject, "Ответ подрядчика") || !strings.Contains(n.Text, "версии 5.2") {
		t.Errorf("agent notification:\n%s\n%s", n.Subject, n.Text)
	}
	if len(h.sent("agent_reply")) != 0 {
		t.Error("the contractor's answer went to the customer")
	}
	if len(h.sent("contractor_notice")) != 2 {
		t.Errorf("%d notices to the requester, want passed and answered", len(h.sent("contractor_notice")))
	}
	msgs, _ := h.db.Messages(context.Background(), id)
	third := 0
	for _, m := range msgs {
		if m.Direction == store.DirThirdParty {
			third++
		}
	}
	if third != 1 {
		t.Errorf("%d third_party messages", third)
	}

	// The agent writes back to the contractor, then recalls it.
	h.command(agent1, "#ответ-подрядчику Спасибо, проверим.")
	if rs := h.sent("contractor_request"); len(rs) != 2 || !strings.Contains(string(rs[len(rs)-1].Raw), "In-Reply-To: <v1@irtech.example>") {
		t.Errorf("message to the contractor: %d", len(rs))
	}
	h.command(agent1, "#отозвать")
	if ev := h.events(id); !strings.Contains(ev, "contractor_answered") || !strings.Contains(ev, "recalled") {
		t.Errorf("events %s", ev)
	}

	// Mail from the contractor's domain about no known ticket opens nothing.
	out = h.ingest(mail{from: "Другой <other@irtech.example>", subject: "Плановые работы в субботу", id: "v2@irtech.example"}.String())
	if out.Disposition != helpdesk.DispContractor || out.TicketID != 0 {
		t.Fatalf("unmatched contractor mail: %+v", out)
	}
	if n := h.notification(agent1); !strings.Contains(n.Subject, "без обращения") {
		t.Errorf("agents not told: %s", n.Subject)
	}
}

func TestContractorClockRemindsAndAlerts(t *testing.T) {
	h := newStaffHarness(t)
	addVendor(h, false)
	id := h.newTicket()
	h.command(agent1, "#escalate irtech")
	// 120 business minutes on 10:00–18:00 from Friday 10:00 (Yekaterinburg): due 12:00.
	h.now = friday.Add(2*time.Hour + time.Minute)
	h.tick()
	h.tick() // once only
	if rs := h.sent("contractor_request"); len(rs) != 2 || !strings.Contains(parse(t, rs[1].Raw).Subject, "Напоминание") {
		t.Fatalf("%d requests to the contractor", len(rs))
	}
	if n := h.notification(agent1); !strings.Contains(n.Subject, "не ответил в срок") {
		t.Errorf("alert: %s", n.Subject)
	}
	if ev := h.events(id); strings.Count(ev, "contractor_breached") != 1 {
		t.Errorf("events %s", ev)
	}
}

func TestEscalateUnknownContractorFails(t *testing.T) {
	h := newStaffHarness(t)
	h.newTicket()
	h.command(agent1, "#передать nobody")
	if r := h.result(agent1); !strings.Contains(r.Text, "нет подрядчика «nobody»") {
		t.Errorf("result:\n%s", r.Text)
	}
	if len(h.sent("contractor_request")) != 0 || len(h.sent("contractor_notice")) != 0 {
		t.Error("mail sent for an unknown contractor")
	}
}

// The contractor is reminded when its response target comes (business time
// on its hours, 10:00–18:00 here); the agents are alerted only when the
// target is breached: rules.ContractorAlertAfter later, on the same hours.
func TestContractorReminderThenAlertOnItsHours(t *testing.T) {
	loc := friday.Location()
	at := func(day, hour, minute int) time.Time { return time.Date(2025, 3, day, hour, minute, 0, 0, loc) }
	for _, tc := range []struct {
		name             string
		escalated        time.Time
		grace            time.Duration
		reminder, breach time.Time // due, and when the agents hear of it
	}{
		// Thursday 17:00: one hour on Thursday, one on Friday from 10:00.
		{"target over the night", at(13, 17, 0), time.Hour, at(14, 11, 0), at(14, 12, 0)},
		// Friday 14:00: due 16:00; three more hours run 16–18 and Monday 10–11.
		{"grace over the weekend", at(14, 14, 0), 3 * time.Hour, at(14, 16, 0), at(17, 11, 0)},
		// No grace: the alert comes with the reminder.
		{"no grace", at(13, 17, 0), 0, at(14, 11, 0), at(14, 11, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newStaffHarness(t, func(o *helpdesk.Options) { o.Regulations.ContractorAlertAfter = tc.grace })
			addVendor(h, false)
			h.now = tc.escalated
			id := h.newTicket()
			h.command(agent1, "#escalate irtech")
			reminders := func() int { return len(h.sent("contractor_request")) - 1 }
			alerts := func() int { return strings.Count(h.events(id), "contractor_breached") }
			for _, step := range []struct {
				now               time.Time
				reminders, alerts int
			}{
				{tc.escalated.Add(90 * time.Minute), 0, 0}, // after the contractor's hours: its clock stands
				{tc.reminder.Add(-time.Minute), 0, 0},
				{tc.reminder, 1, btoi(!tc.breach.After(tc.reminder))},
				{tc.breach.Add(-time.Minute), 1, btoi(!tc.breach.After(tc.reminder))},
				{tc.breach, 1, 1},
				{tc.breach.Add(time.Hour), 1, 1}, // once each
			} {
				if step.now.Before(tc.escalated) {
					continue
				}
				h.now = step.now
				h.tick()
				if reminders() != step.reminders || alerts() != step.alerts {
					t.Fatalf("at %s: %d reminders, %d alerts; want %d, %d", step.now.Format("Mon 15:04"),
						reminders(), alerts(), step.reminders, step.alerts)
				}
			}
			if rs := h.sent("contractor_request"); !strings.Contains(parse(t, rs[len(rs)-1].Raw).Subject, "Напоминание") {
				t.Errorf("no reminder")
			}
			if n := h.notification(agent1); !strings.Contains(n.Subject, "не ответил в срок") {
				t.Errorf("alert: %s", n.Subject)
			}
			if ev := h.events(id); strings.Count(ev, "contractor_reminded") != 1 {
				t.Errorf("events %s", ev)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// resolution decodes a ticket's resolution clock.
func (h *harness) resolution(id int64) *sla.Clock {
	h.t.Helper()
	c, err := sla.Decode([]byte(h.ticket(id).SLAResolution), h.opts.Desks[0].Calendar)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// Whether the desk's resolution clock pauses while a contractor works is
// the level's setting: by default it runs; with pauses it stops counting
// from #escalate to #recall, a customer's reply meanwhile does not restart
// it, and the first response counts as given either way.
func TestContractorPausesResolutionPerLevel(t *testing.T) {
	for _, pauses := range []bool{false, true} {
		t.Run(map[bool]string{false: "runs", true: "pauses"}[pauses], func(t *testing.T) {
			h := newStaffHarness(t, func(o *helpdesk.Options) {
				o.Regulations.PauseWithContractor = map[string]bool{"standard": pauses}
			})
			addVendor(h, false)
			id := h.newTicket() // Friday 10:00, level standard
			h.now = friday.Add(time.Hour)
			h.command(agent1, "#escalate irtech")
			if tk := h.ticket(id); !tk.FirstResponseAt.Valid {
				t.Error("the first response is not given when the requester is told")
			}
			elapsedAtEscalation := h.resolution(id).Elapsed(h.now)
			if elapsedAtEscalation != time.Hour {
				t.Fatalf("elapsed %v at #escalate", elapsedAtEscalation)
			}
			wantState := map[bool]sla.State{false: sla.Running, true: sla.Paused}[pauses]
			if st := h.resolution(id).State(h.now); st != wantState {
				t.Fatalf("resolution %s after #escalate, want %s", st, wantState)
			}
			// The agent asks the customer something; the customer answers.
			h.now = friday.Add(2 * time.Hour)
			h.command(agent1, "#wait Уточните номер кабинета.")
			ack := mailTo(t, h.outbox(id), "petrov@uszn.kgo66.ru")
			h.now = friday.Add(3 * time.Hour)
			h.ingest(mail{from: petrov, subject: "Re: " + ack.Subject, id: "room@uszn", inReplyTo: ack.MessageID, body: "Кабинет 12."}.String())
			if tk := h.ticket(id); tk.Status != store.StatusOpen {
				t.Fatalf("status %s after the customer's answer", tk.Status)
			}
			if st := h.resolution(id).State(h.now); st != wantState {
				t.Errorf("resolution %s after the customer's answer, want %s", st, wantState)
			}
			h.now = friday.Add(5 * time.Hour)
			h.command(agent1, "#recall")
			h.now = friday.Add(6 * time.Hour)
			c := h.resolution(id)
			if c.State(h.now) != sla.Running {
				t.Fatalf("resolution %s after #recall:\n%s", c.State(h.now), c.Explain(h.now, friday.Location()))
			}
			// Runs: 1h before, 1h to the #wait, 3h after the answer. Pauses: 1h before, 1h after #recall.
			want := map[bool]time.Duration{false: 5 * time.Hour, true: 2 * time.Hour}[pauses]
			if got := c.Elapsed(h.now); got != want {
				t.Errorf("elapsed %v, want %v:\n%s", got, want, c.Explain(h.now, friday.Location()))
			}
			if pauses && !strings.Contains(c.Explain(h.now, friday.Location()), "(contractor)") {
				t.Errorf("the pause does not say why:\n%s", c.Explain(h.now, friday.Location()))
			}
		})
	}
}

// BenchmarkTickContractorsInGrace measures the scheduler's tick over 100
// open tickets, each passed to a contractor that was reminded and whose
// alert is not due yet (each tick reads them again and computes the alert
// time on the contractor's hours), against the same tickets without one.
func BenchmarkTickContractorsInGrace(b *testing.B) {
	for _, escalate := range []bool{false, true} {
		b.Run(map[bool]string{false: "no contractor", true: "contractor in grace"}[escalate], func(b *testing.B) {
			h := newHarness(b, func(o *helpdesk.Options) { o.Regulations.ContractorAlertAfter = 4 * time.Hour })
			h.tx(func(tx *store.Tx) error {
				return tx.UpsertStaff(context.Background(), &store.Staff{Email: agent1, Name: "Агент", Role: store.StaffAgent, Active: true}, "test", friday)
			})
			addVendor(h, false)
			for i := 0; i < 100; i++ {
				h.ingest(mail{from: petrov, subject: fmt.Sprintf("Не печатает принтер %d", i), id: fmt.Sprintf("b%d@uszn", i)}.String())
				if !escalate {
					continue
				}
				ns := h.sent("agent_notify")
				n, err := mailmsg.Parse(ns[len(ns)-1].Raw, mailmsg.Options{})
				if err != nil {
					b.Fatal(err)
				}
				h.ingest(agentMail(agent1, n, "#escalate irtech", ""))
			}
			h.now = friday.Add(2*time.Hour + time.Minute) // due 12:00, alerts at 16:00
			h.tick()
			b.ReportAllocs()
			for b.Loop() {
				h.tick()
			}
		})
	}
}

// With pauses, the clock counts again only when the last contractor is
// recalled, and a ticket recalled while waiting resumes with its state.
func TestContractorPauseEndsWithTheLastRecall(t *testing.T) {
	h := newStaffHarness(t, func(o *helpdesk.Options) {
		o.Regulations.PauseWithContractor = map[string]bool{"standard": true}
	})
	addVendor(h, false)
	h.tx(func(tx *store.Tx) error {
		return tx.AddContractor(context.Background(), &store.Contractor{Name: "telecom", Addresses: "noc@telecom.example", ResponseMinutes: 60}, friday)
	})
	id := h.newTicket()
	state := func() sla.State { return h.resolution(id).State(h.now) }
	h.command(agent1, "#escalate irtech")
	h.command(agent1, "#escalate telecom")
	h.now = friday.Add(time.Hour)
	h.command(agent1, "#recall irtech")
	if st := state(); st != sla.Paused {
		t.Fatalf("resolution %s with telecom still involved", st)
	}
	h.command(agent1, "#wait Уточните номер кабинета.")
	h.now = friday.Add(2 * time.Hour)
	h.command(agent1, "#recall telecom")
	if st := state(); st != sla.Paused {
		t.Fatalf("resolution %s: recalled while waiting for the customer", st)
	}
	ack := mailTo(t, h.outbox(id), "petrov@uszn.kgo66.ru")
	h.now = friday.Add(3 * time.Hour)
	h.ingest(mail{from: petrov, subject: "Re: " + ack.Subject, id: "room2@uszn", inReplyTo: ack.MessageID, body: "Кабинет 12."}.String())
	if st := state(); st != sla.Running {
		t.Fatalf("resolution %s after the customer's answer", st)
	}
	h.now = friday.Add(4 * time.Hour)
	if got := h.resolution(id).Elapsed(h.now); got != time.Hour {
		t.Errorf("elapsed %v, want the hour since the answer", got)
	}
	if ev := h.events(id); strings.Count(ev, "escalated") != 2 || strings.Count(ev, "recalled") != 2 {
		t.Errorf("events %s", ev)
	}
}
