package helpdesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

const (
	agent1 = "agent1@kgo66.ru"
	lead   = "lead@kgo66.ru"
)

func newStaffHarness(t *testing.T, tweak ...func(*helpdesk.Options)) *harness {
	h := newHarness(t, tweak...)
	h.tx(func(tx *store.Tx) error {
		for _, s := range []store.Staff{{Email: agent1, Name: "Агент Первый", Role: store.StaffAgent, Active: true},
			{Email: lead, Name: "Старший", Role: store.StaffLead, Active: true}} {
			if err := tx.UpsertStaff(context.Background(), &s, "test", friday); err != nil {
				return err
			}
		}
		return nil
	})
	return h
}

// sent lists the queued mail of a kind, newest last.
func (h *harness) sent(kind string) []store.Outgoing {
	h.t.Helper()
	rows, err := h.db.ListOutgoing(context.Background(), 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []store.Outgoing
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].Kind == kind {
			full, _ := h.db.Outgoing(context.Background(), rows[i].ID)
			out = append(out, *full)
		}
	}
	return out
}

func parse(t *testing.T, raw []byte) *mailmsg.Message {
	t.Helper()
	m, err := mailmsg.Parse(raw, mailmsg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// notification returns the latest notification to an agent, parsed.
func (h *harness) notification(to string) *mailmsg.Message {
	h.t.Helper()
	ns := h.sent("agent_notify")
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].Recipients == to {
			return parse(h.t.(*testing.T), ns[i].Raw)
		}
	}
	h.t.Fatalf("no notification to %s", to)
	return nil
}

// agentMail is a reply an agent writes to a notification.
func agentMail(from string, n *mailmsg.Message, body, extra string) string {
	return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%d@kgo66.ru>\r\nIn-Reply-To: <%s>\r\n%s"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\n> quoted notification\r\n",
		from, n.ReplyTo[0].Email, n.Subject, time.Now().UnixNano(), n.MessageID, extra, body)
}

func (h *harness) newTicket() int64 {
	h.t.Helper()
	out := h.ingest(mail{from: petrov, subject: "Не печатает принтер", id: fmt.Sprintf("p%d@uszn", time.Now().UnixNano())}.String())
	if out.TicketID == 0 {
		h.t.Fatalf("no ticket: %+v", out)
	}
	return out.TicketID
}

func TestNewTicketNotifiesAgents(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	for _, a := range []string{agent1, lead} {
		n := h.notification(a)
		if !strings.Contains(n.Subject, fmt.Sprintf("[#%d]", id)) || !strings.HasPrefix(n.ReplyTo[0].Email, "sd+") ||
			!strings.Contains(n.Text, "кабинете 12") || !strings.Contains(n.Text, "УСЗН") {
			t.Errorf("notification to %s:\n%s\n%s", a, n.Subject, n.Text)
		}
	}
	if h.notification(agent1).ReplyTo[0].Email == h.notification(lead).ReplyTo[0].Email {
		t.Error("agents share a reply token")
	}
}

func TestAgentReplyReachesCustomer(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.now = h.now.Add(30 * time.Minute)
	out := h.ingest(agentMail(agent1, h.notification(agent1), "Здравствуйте! Проверьте, пожалуйста, бумагу в лотке 2.", ""))
	if out.Disposition != helpdesk.DispStaff {
		t.Fatalf("outcome %+v", out)
	}
	answers := h.sent("agent_reply")
	if len(answers) != 1 {
		t.Fatalf("%d answers to the customer", len(answers))
	}
	m := parse(t, answers[0].Raw)
	if m.From.Email != support || !strings.Contains(answers[0].Recipients, "petrov@uszn.kgo66.ru") ||
		!strings.Contains(m.Text, "лотке 2") || strings.Contains(m.Text, "quoted notification") || strings.Contains(string(answers[0].Raw), agent1) {
		t.Errorf("answer: from %s to %s\n%s", m.From.Email, answers[0].Recipients, m.Text)
	}
	tk := h.ticket(id)
	if !tk.FirstResponseAt.Valid || !strings.Contains(tk.SLAFirstResponse, `"stop"`) {
		t.Errorf("first response not recorded: %+v", tk)
	}
}

func TestNoteNeverReachesCustomer(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.ingest(agentMail(agent1, h.notification(agent1), "#заметка Похоже на драйвер, завтра съезжу.", ""))
	if n := len(h.sent("agent_reply")); n != 0 {
		t.Fatalf("a note went to the customer (%d mails)", n)
	}
	ms, _ := h.db.Messages(context.Background(), id)
	last := ms[len(ms)-1]
	if last.Direction != store.DirNote || !strings.Contains(string(last.BodyText), "драйвер") {
		t.Errorf("note stored as %+v", last)
	}
	if n := h.notification(lead); !strings.Contains(n.Text, "драйвер") {
		t.Errorf("colleague not told of the note:\n%s", n.Text)
	}
	if tk := h.ticket(id); tk.FirstResponseAt.Valid {
		t.Error("a note counted as the first response")
	}
}

func TestForgedStaffMailIsRefused(t *testing.T) {
	cases := []struct {
		name string
		mail func(h *harness, id, other int64) string
		tell string // who is told
	}{
		{"staff address without a token", func(h *harness, id, _ int64) string {
			n := h.notification(agent1)
			return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <f1@x>\r\nIn-Reply-To: <%s>\r\n\r\n#close\r\n", agent1, support, n.Subject, n.MessageID)
		}, agent1},
		{"token of another agent", func(h *harness, id, _ int64) string {
			return agentMail(agent1, h.notification(lead), "#close", "")
		}, lead},
		{"customer forging an agent's token", func(h *harness, id, _ int64) string {
			return agentMail("petrov@uszn.kgo66.ru", h.notification(agent1), "#close", "")
		}, agent1},
		{"token replayed on another ticket", func(h *harness, id, other int64) string {
			n := h.notification(agent1) // of the newest ticket (other)
			var first *mailmsg.Message
			for _, row := range h.sent("agent_notify") {
				if row.Recipients == agent1 && row.TicketID.Int64 == id {
					first = parse(h.t.(*testing.T), row.Raw)
				}
			}
			// The old ticket's token with the new ticket's subject and threading.
			return fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <f4@x>\r\nIn-Reply-To: <%s>\r\n\r\n#close\r\n",
				agent1, first.ReplyTo[0].Email, n.Subject, n.MessageID)
		}, agent1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := h.newTicket()
			other := h.newTicket()
			out := h.ingest(c.mail(h, id, other))
			if out.Disposition != helpdesk.DispRefused {
				t.Fatalf("outcome %+v", out)
			}
			for _, n := range []int64{id, other} {
				if st := h.ticket(n).Status; st != store.StatusOpen {
					t.Errorf("ticket #%d is %s: a refused command was executed", n, st)
				}
			}
			if len(h.sent("agent_reply")) != 0 {
				t.Error("refused mail reached the customer")
			}
			refusals := h.sent("command_result")
			if len(refusals) != 1 || refusals[0].Recipients != c.tell || !strings.Contains(parse(t, refusals[0].Raw).Subject, "ОТКЛОНЕНО") {
				t.Errorf("refusals %+v", refusals)
			}
		})
	}
}

func TestAuthenticationResultsWhenRequired(t *testing.T) {
	cases := []struct {
		name, header string
		ok           bool
	}{
		{"dmarc pass from the trusted server", "Authentication-Results: mx.kgo66.ru; dkim=pass header.d=kgo66.ru; dmarc=pass header.from=kgo66.ru\r\n", true},
		{"dmarc fail", "Authentication-Results: mx.kgo66.ru; dkim=fail header.d=kgo66.ru; dmarc=fail header.from=kgo66.ru\r\n", false},
		{"pass claimed by another server", "Authentication-Results: evil.example; dmarc=pass header.from=kgo66.ru\r\n", false},
		{"no header", "", false},
		{"a forged pass below the trusted verdict", "Authentication-Results: mx.kgo66.ru; dmarc=fail header.from=kgo66.ru\r\n" +
			"Authentication-Results: mx.kgo66.ru; dmarc=pass header.from=kgo66.ru\r\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t, func(o *helpdesk.Options) {
				o.Desks[0].Auth = helpdesk.StaffAuth{RequireAuthResults: true, TrustedAuthServID: "mx.kgo66.ru"}
			})
			id := h.newTicket()
			out := h.ingest(agentMail(agent1, h.notification(agent1), "#take\nОтвет пользователю.", c.header))
			if got := out.Disposition == helpdesk.DispStaff; got != c.ok {
				t.Errorf("outcome %+v, accepted = %v, want %v", out, got, c.ok)
			}
			if got := h.ticket(id).Assignee == agent1; got != c.ok {
				t.Errorf("assigned = %v", got)
			}
		})
	}
}

func TestWaitPausesUntilCustomerReplies(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.ingest(agentMail(agent1, h.notification(agent1), "#ждать Пришлите, пожалуйста, модель принтера.", ""))
	tk := h.ticket(id)
	if tk.Status != store.StatusWaiting || !strings.Contains(tk.SLAResolution, `"pause"`) {
		t.Fatalf("after #wait: %s %s", tk.Status, tk.SLAResolution)
	}
	ask := parse(t, h.sent("agent_reply")[0].Raw)
	if !strings.Contains(ask.Text, "модель принтера") {
		t.Errorf("the question did not reach the customer:\n%s", ask.Text)
	}
	h.now = h.now.Add(48 * time.Hour)
	h.ingest(mail{from: petrov, to: ask.ReplyTo[0].Email, subject: "Re: " + ask.Subject, id: "w2@uszn", body: "HP LaserJet 1020"}.String())
	tk = h.ticket(id)
	if tk.Status != store.StatusOpen || !strings.Contains(tk.SLAResolution, `"resume"`) {
		t.Errorf("after the customer's reply: %s %s", tk.Status, tk.SLAResolution)
	}
	if n := h.notification(agent1); !strings.Contains(n.Text, "LaserJet") {
		t.Errorf("agents not told of the reply:\n%s", n.Text)
	}
}

func TestCommands(t *testing.T) {
	cases := []struct {
		name, from, body string
		check            func(t *testing.T, h *harness, id int64)
	}{
		{"plan puts the ticket in the day's plan", agent1, "#план 09.01.2025", func(t *testing.T, h *harness, id int64) {
			tk := h.ticket(id)
			// 9 Jan 2025 is the first working day after the New Year holidays.
			if tk.Status != store.StatusPlanned || tk.PlannedFor != "2025-01-09" {
				t.Errorf("planned %s for %s", tk.Status, tk.PlannedFor)
			}
			ts, _ := h.db.PlannedTickets(context.Background(), "2025-01-09")
			if len(ts) != 1 {
				t.Errorf("day plan: %d tickets", len(ts))
			}
		}},
		{"defer cites the clause", agent1, "#defer insufficient_info Пришлите скриншот.", func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Status != store.StatusDeferred || tk.Reason != "insufficient_info" {
				t.Errorf("ticket %s %s", tk.Status, tk.Reason)
			}
			n := parse(t, h.sent("deferred")[0].Raw)
			if !strings.Contains(n.Text, "4.6.2") || !strings.Contains(n.Text, "скриншот") {
				t.Errorf("notice:\n%s", n.Text)
			}
		}},
		{"reject cites the clause", agent1, "#отклонить вне_компетенции", func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Status != store.StatusRejected || tk.Reason != "out_of_scope" {
				t.Errorf("ticket %s %s", tk.Status, tk.Reason)
			}
			if n := parse(t, h.sent("rejected")[0].Raw); !strings.Contains(n.Text, "4.6.5") {
				t.Errorf("notice:\n%s", n.Text)
			}
		}},
		{"resolve, then closes by itself", agent1, "#решено", func(t *testing.T, h *harness, id int64) {
			tk := h.ticket(id)
			if tk.Status != store.StatusResolved || !tk.ResolvedAt.Valid || len(h.sent("resolved")) != 1 {
				t.Fatalf("ticket %s", tk.Status)
			}
			h.now = time.Date(2025, 1, 20, 12, 0, 0, 0, friday.Location())
			h.tick()
			if tk := h.ticket(id); tk.Status != store.StatusClosed {
				t.Errorf("not closed after the wait: %s", tk.Status)
			}
		}},
		{"agent may not assign others", agent1, "#назначить " + lead, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Assignee != "" {
				t.Errorf("assigned to %s", tk.Assignee)
			}
			if r := parse(t, h.sent("command_result")[0].Raw); !strings.Contains(r.Text, "[ошибка]") {
				t.Errorf("result:\n%s", r.Text)
			}
		}},
		{"lead assigns", lead, "#assign " + agent1, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Assignee != agent1 {
				t.Errorf("assignee %q", tk.Assignee)
			}
		}},
		{"unknown level and command are errors", agent1, "#level gold\n#frobnicate", func(t *testing.T, h *harness, id int64) {
			r := parse(t, h.sent("command_result")[0].Raw)
			if strings.Count(r.Text, "[ошибка]") != 2 {
				t.Errorf("result:\n%s", r.Text)
			}
		}},
		{"level recomputes due times", agent1, "#уровень standard", func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.SupportLevel != "standard" || !tk.FirstResponseDue.Valid {
				t.Errorf("ticket %+v", tk)
			}
		}},
		{"merge", agent1, "#merge 1", func(t *testing.T, h *harness, id int64) {
			tk := h.ticket(id)
			if tk.Status != store.StatusClosed || tk.MergedInto.Int64 != 1 {
				t.Errorf("ticket %s into %d", tk.Status, tk.MergedInto.Int64)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			h.newTicket()
			id := h.newTicket()
			out := h.ingest(agentMail(c.from, h.notification(c.from), c.body, ""))
			if out.Disposition != helpdesk.DispStaff {
				t.Fatalf("outcome %+v", out)
			}
			c.check(t, h, id)
		})
	}
}

func TestNotificationsWaitForWorkingHours(t *testing.T) {
	h := newStaffHarness(t)
	h.now = time.Date(2024, 12, 27, 22, 0, 0, 0, friday.Location())
	h.newTicket()
	for _, n := range h.sent("agent_notify") {
		if want := time.Date(2024, 12, 28, 9, 0, 0, 0, friday.Location()); !n.NextAttemptAt.Equal(want) {
			t.Errorf("notification at night is due %v, want %v", n.NextAttemptAt, want)
		}
	}
}

func TestSLAWarningAndBreach(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	before := len(h.sent("agent_notify"))
	h.now = friday.Add(3*time.Hour + 20*time.Minute) // 83 % of 4 h
	h.tick()
	h.tick() // once only
	if got := len(h.sent("agent_notify")) - before; got != 2 {
		t.Fatalf("%d warnings, want one per agent", got)
	}
	if n := h.notification(agent1); !strings.Contains(n.Subject, "Срок подходит") {
		t.Errorf("warning: %s", n.Subject)
	}
	h.now = friday.Add(4*time.Hour + time.Minute)
	h.tick()
	if n := h.notification(agent1); !strings.Contains(n.Subject, "НАРУШЕН") {
		t.Errorf("breach: %s", n.Subject)
	}
	evs, _ := h.db.Events(context.Background(), id)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if !strings.Contains(strings.Join(kinds, ","), "sla_breach_first_response") {
		t.Errorf("events %v", kinds)
	}
}

func TestOrganisationWalls(t *testing.T) {
	h := newStaffHarness(t)
	h.tx(func(tx *store.Tx) error {
		return tx.CreateOrg(context.Background(), &store.Org{Name: "ЗАГС", Domains: []string{"zags.kgo66.ru"}}, "test", friday)
	})
	out := h.ingest(mail{from: petrov, subject: "Принтер", id: "wall1@uszn",
		extra: "Cc: Сидорова <sidorova@uszn.kgo66.ru>, Чужой <boss@zags.kgo66.ru>\r\n"}.String())
	ps, _ := h.db.Participants(context.Background(), out.TicketID)
	var emails []string
	for _, p := range ps {
		emails = append(emails, p.Email)
	}
	if got := strings.Join(emails, ","); strings.Contains(got, "zags") || !strings.Contains(got, "sidorova") {
		t.Fatalf("participants %s", got)
	}
	h.ingest(agentMail(agent1, h.notification(agent1), "Проверьте лоток.", ""))
	ans := h.sent("agent_reply")[0]
	if strings.Contains(ans.Recipients, "zags") || !strings.Contains(ans.Recipients, "sidorova") {
		t.Errorf("answer went to %q", ans.Recipients)
	}
}

func TestAgentsHearOfRequestsWhenTheyOpen(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(mail{from: "Незнакомец <someone@uszn.kgo66.ru>", subject: "Не работает ЕИС", id: "u1@uszn",
		body: "Не открывается ЕИС, выдаёт ошибку 500. Пробовала перезагрузить."}.String())
	if n := len(h.sent("agent_notify")); n != 0 {
		t.Fatalf("agents notified of an unidentified request: %d", n)
	}
	ask := lastMail(t, h.outbox(out.TicketID))
	h.ingest(mail{from: "Незнакомец <someone@uszn.kgo66.ru>", subject: "Re: " + ask.Subject, id: "u2@uszn", inReplyTo: ask.MessageID,
		body: "ФИО: Кузнецова Ольга Ивановна\nОрганизация: УСЗН\nТел. 8 (34341) 2-44-19"}.String())
	if n := h.notification(agent1); !strings.Contains(n.Text, "ошибку 500") {
		t.Errorf("agents not told once identified:\n%s", n.Text)
	}
}
