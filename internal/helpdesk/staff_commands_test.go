package helpdesk_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// result is the text of the latest command confirmation to an agent.
func (h *harness) result(to string) *mailmsg.Message {
	h.t.Helper()
	rs := h.sent("command_result")
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Recipients == to {
			return parse(h.t.(*testing.T), rs[i].Raw)
		}
	}
	h.t.Fatalf("no command result to %s", to)
	return nil
}

// command sends an agent's reply with body to the agent's latest notification.
func (h *harness) command(from, body string) helpdesk.Outcome {
	h.t.Helper()
	out := h.ingest(agentMail(from, h.notification(from), body, ""))
	if out.Disposition != helpdesk.DispStaff {
		h.t.Fatalf("outcome %+v", out)
	}
	return out
}

func (h *harness) events(id int64) string {
	h.t.Helper()
	evs, err := h.db.Events(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return strings.Join(kinds, ",")
}

func TestCommandEffects(t *testing.T) {
	cases := []struct {
		name, from string
		before     []string // commands sent first, each in its own reply
		body       string
		ok         bool // the confirmation reports success
		check      func(t *testing.T, h *harness, id int64)
	}{
		{"close", agent1, nil, "#закрыть", true, func(t *testing.T, h *harness, id int64) {
			tk := h.ticket(id)
			if tk.Status != store.StatusClosed || !tk.ResolvedAt.Valid || !strings.Contains(tk.SLAResolution, `"stop"`) {
				t.Errorf("ticket %s resolved %v\n%s", tk.Status, tk.ResolvedAt, tk.SLAResolution)
			}
			if n := len(h.sent("resolved")); n != 0 {
				t.Errorf("#close sent %d resolution notices", n)
			}
		}},
		{"reopen a closed ticket", agent1, []string{"#close"}, "#переоткрыть", true, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Status != store.StatusOpen {
				t.Errorf("ticket %s", tk.Status)
			}
		}},
		{"reopen a waiting ticket resumes the clock", agent1, []string{"#wait Пришлите модель."}, "#reopen", true, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Status != store.StatusOpen || !strings.Contains(tk.SLAResolution, `"resume"`) {
				t.Errorf("ticket %s %s", tk.Status, tk.SLAResolution)
			}
		}},
		{"take", agent1, nil, "#беру", true, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Assignee != agent1 {
				t.Errorf("assignee %q", tk.Assignee)
			}
		}},
		{"take by an inactive agent is refused", agent1, nil, "#take", false, nil},
		{"priority", agent1, nil, "#приоритет высокий", true, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Priority != "high" {
				t.Errorf("priority %q", tk.Priority)
			}
		}},
		{"wait without text", agent1, nil, "#wait", false, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Status != store.StatusOpen {
				t.Errorf("ticket %s", tk.Status)
			}
		}},
		{"wait on a closed ticket", agent1, []string{"#close"}, "#wait Пришлите модель принтера.", false, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Status != store.StatusClosed {
				t.Errorf("ticket %s", tk.Status)
			}
		}},
		{"reopen an open ticket", agent1, nil, "#reopen", false, nil},
		{"merge into itself", agent1, nil, "#merge 3", false, nil},
		{"merge into a missing ticket", agent1, nil, "#merge 99", false, nil},
		{"merge into another desk's ticket", agent1, nil, "#merge 1", false, nil},
		{"merge", agent1, nil, "#объединить №2", true, func(t *testing.T, h *harness, id int64) {
			if tk := h.ticket(id); tk.Status != store.StatusClosed || tk.MergedInto.Int64 != 2 {
				t.Errorf("ticket %s into %d", tk.Status, tk.MergedInto.Int64)
			}
			if !strings.Contains(h.events(2), "merged_from") {
				t.Errorf("target ticket events %s", h.events(2))
			}
		}},
		{"plan a closed ticket", agent1, []string{"#close"}, "#plan 09.01.2025", false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t, withSecondDesk)
			h.ingestDesk("hw", mail{from: petrov, to: "hw@kgo66.ru", subject: "Монитор", id: "hw1@uszn"}.String()) // #1
			h.newTicket()                                                                                          // #2
			id := h.newTicket()                                                                                    // #3
			for _, b := range c.before {
				h.command(c.from, b)
			}
			if strings.Contains(c.name, "inactive") {
				h.tx(func(tx *store.Tx) error {
					s, _ := tx.StaffByEmail(context.Background(), agent1)
					s.Active = false
					return tx.UpsertStaff(context.Background(), s, "test", h.now)
				})
				// The notification's token stays valid, but a disabled agent is no longer staff.
				out := h.ingest(agentMail(agent1, h.notification(agent1), c.body, ""))
				if out.Disposition != helpdesk.DispRefused || h.ticket(id).Assignee != "" {
					t.Errorf("a disabled agent acted: %+v", out)
				}
				return
			}
			before := h.ticket(id).Status
			h.command(c.from, c.body)
			r := h.result(c.from)
			if got := strings.Contains(r.Text, "[выполнено]") && !strings.Contains(r.Text, "[ошибка]"); got != c.ok {
				t.Errorf("ok = %v, want %v:\n%s", got, c.ok, r.Text)
			}
			if !c.ok {
				if st := h.ticket(id).Status; st != before {
					t.Errorf("a failed command changed the status %s -> %s", before, st)
				}
				if !strings.Contains(h.events(id), "command_failed") {
					t.Errorf("no command_failed event: %s", h.events(id))
				}
			}
			if c.check != nil {
				c.check(t, h, id)
			}
		})
	}
}

func withSecondDesk(o *helpdesk.Options) {
	d := o.Desks[0]
	d.Name, d.SupportAddress = "hw", "hw@kgo66.ru"
	o.Desks = append(o.Desks, d)
}

func (h *harness) ingestDesk(desk, raw string) helpdesk.Outcome {
	h.t.Helper()
	h.uid++
	out, err := h.svc.Ingest(context.Background(), desk, 1, mailin.Fetched{UID: h.uid, Raw: []byte(raw), Size: int64(len(raw))})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func TestPlanTargetsTheVisitDay(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.command(agent1, "#план 09.01.2025\nПриедем в четверг.")
	tk := h.ticket(id)
	closeAt := time.Date(2025, 1, 9, 17, 0, 0, 0, friday.Location()) // the harness desk works 9–17
	if tk.Status != store.StatusPlanned || tk.PlannedFor != "2025-01-09" {
		t.Fatalf("planned %s for %s", tk.Status, tk.PlannedFor)
	}
	if !tk.ResolutionDue.Time.Equal(closeAt) {
		t.Errorf("resolution_due %v, want %v", tk.ResolutionDue.Time.In(friday.Location()), closeAt)
	}
	cal, _ := workcal.New(workcal.Options{Location: friday.Location()})
	clock, err := sla.Decode([]byte(tk.SLAResolution), cal)
	if err != nil {
		t.Fatal(err)
	}
	if due, ok := clock.Due(); !ok || !due.Equal(closeAt) {
		t.Errorf("clock due %v (%v), column %v", due, ok, closeAt)
	}
	if r := h.result(agent1); !strings.Contains(r.Text, "09.01.2025 17:00") {
		t.Errorf("confirmation:\n%s", r.Text)
	}
	// A later clock change keeps the visit day: #level rebuilds the clocks.
	h.command(agent1, "#уровень standard")
	if tk := h.ticket(id); !tk.ResolutionDue.Time.Equal(closeAt) || tk.Status != store.StatusPlanned {
		t.Errorf("after #level: %s due %v", tk.Status, tk.ResolutionDue.Time)
	}
	// No resolution alerts before the visit day, even though the old 16-hour
	// target would long have passed.
	before := len(h.sent("agent_notify"))
	h.now = time.Date(2025, 1, 8, 17, 0, 0, 0, friday.Location())
	h.tick()
	if evs := h.events(id); strings.Contains(evs, "sla_warning_resolution") || strings.Contains(evs, "sla_breach_resolution") {
		t.Errorf("resolution alert before the visit day: %s", evs)
	}
	// On the day: a warning (80 % of the new target); after its end: the breach.
	h.now = time.Date(2025, 1, 9, 13, 0, 0, 0, friday.Location())
	h.tick()
	if evs := h.events(id); !strings.Contains(evs, "sla_warning_resolution") || strings.Contains(evs, "sla_breach_resolution") {
		t.Errorf("on the visit day: %s", evs)
	}
	// Business time stands still after closing: the breach shows with the next working minute.
	h.now = time.Date(2025, 1, 10, 9, 1, 0, 0, friday.Location())
	h.tick()
	if evs := h.events(id); !strings.Contains(evs, "sla_breach_resolution") {
		t.Errorf("after the visit day: %s", evs)
	}
	if len(h.sent("agent_notify")) <= before {
		t.Error("agents not told")
	}
}

func TestPlanFromWaitingResumesTheClock(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.command(agent1, "#wait Когда удобно принять специалиста?")
	h.now = h.now.Add(time.Hour)
	h.command(agent1, "#plan завтра")
	tk := h.ticket(id)
	// Tomorrow is Saturday 28 Dec 2024, a working day in the 2024 calendar.
	if tk.Status != store.StatusPlanned || tk.PlannedFor != "2024-12-28" || !strings.Contains(tk.SLAResolution, `"resume"`) {
		t.Errorf("ticket %s %s %s", tk.Status, tk.PlannedFor, tk.SLAResolution)
	}
}

func TestPlanRefusesDaysThatCannotBeVisited(t *testing.T) {
	cases := []struct {
		name, arg, want string
		now             time.Time
	}{
		{"past date", "26.12.2024", "уже прошло", friday},
		{"day off", "29.12.2024", "нерабочий день; ближайший рабочий день — 09.01.2025", friday},
		{"unreadable", "вчера", "не дата", friday},
		{"today after closing", "сегодня", "уже закончился", friday.Add(9 * time.Hour)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := h.newTicket()
			h.now = c.now
			h.command(agent1, "#plan "+c.arg)
			if tk := h.ticket(id); tk.Status != store.StatusOpen || tk.PlannedFor != "" {
				t.Errorf("ticket %s for %q", tk.Status, tk.PlannedFor)
			}
			if r := h.result(agent1); !strings.Contains(r.Text, "[ошибка]") || !strings.Contains(r.Text, c.want) {
				t.Errorf("result:\n%s", r.Text)
			}
		})
	}
}

func TestNoteByTheAssigneeReachesColleagues(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.command(agent1, "#take")
	before := len(h.sent("agent_notify"))
	h.command(agent1, "#note Заказал картридж, приедет в понедельник.")
	ns := h.sent("agent_notify")[before:]
	if len(ns) != 1 || ns[0].Recipients != lead || !strings.Contains(parse(t, ns[0].Raw).Text, "картридж") {
		t.Fatalf("note copies: %+v", ns)
	}
	if r := h.result(agent1); !strings.Contains(r.Text, lead) {
		t.Errorf("the author is not told who got the note:\n%s", r.Text)
	}
	// A note by someone else goes to the assignee only.
	h.command(lead, "#заметка Картридж есть на складе.")
	if n := h.notification(agent1); !strings.Contains(n.Text, "на складе") {
		t.Errorf("assignee did not get the lead's note:\n%s", n.Text)
	}
	if tk := h.ticket(id); tk.Status != store.StatusOpen {
		t.Errorf("status %s", tk.Status)
	}
}

type file struct {
	name, ctype string
	inline      bool
	data        []byte
}

// agentMailFiles is an agent's reply with attachments.
func agentMailFiles(from string, n *mailmsg.Message, body string, files ...file) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%d@kgo66.ru>\r\nIn-Reply-To: <%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, n.ReplyTo[0].Email, n.Subject, time.Now().UnixNano(), n.MessageID, body)
	for _, f := range files {
		disp := "attachment"
		if f.inline {
			disp = "inline"
		}
		fmt.Fprintf(&b, "--BB\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: %s; filename=\"%s\"\r\n", f.ctype, f.name, disp, f.name)
		if f.inline {
			fmt.Fprintf(&b, "Content-ID: <%s@sig>\r\n", f.name)
		}
		fmt.Fprintf(&b, "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", base64.StdEncoding.EncodeToString(f.data))
	}
	b.WriteString("--BB--\r\n")
	return b.String()
}

func TestAgentAttachmentsReachTheCustomer(t *testing.T) {
	h := newStaffHarness(t, func(o *helpdesk.Options) { o.Parse.MaxAttachmentBytes = 4 << 10 })
	id := h.newTicket()
	pdf := []byte("%PDF-1.4 instruction")
	out := h.ingest(agentMailFiles(agent1, h.notification(agent1), "Инструкция во вложении.",
		file{name: "instrukciya.pdf", ctype: "application/pdf", data: pdf},
		file{name: "logo.png", ctype: "image/png", inline: true, data: []byte("\x89PNG logo")},
		file{name: "big.zip", ctype: "application/zip", data: make([]byte, 8<<10)}))
	if out.Disposition != helpdesk.DispStaff {
		t.Fatalf("outcome %+v", out)
	}
	ans := h.sent("agent_reply")
	if len(ans) != 1 {
		t.Fatalf("%d answers", len(ans))
	}
	m := parse(t, ans[0].Raw)
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Filename)
		if a.Filename == "instrukciya.pdf" && string(a.Data) != string(pdf) {
			t.Errorf("file content changed: %q", a.Data)
		}
	}
	if strings.Join(names, ",") != "instrukciya.pdf" {
		t.Errorf("customer got files %v", names)
	}
	// Stored on the public message, dropped one included as such.
	ms, _ := h.db.Messages(context.Background(), id)
	var pub store.Message
	for _, msg := range ms {
		if msg.Direction == store.DirOut && msg.FromAddr == agent1 {
			pub = msg
		}
	}
	atts, err := h.db.Attachments(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got := atts[pub.ID]; pub.ID == 0 || len(got) != 3 {
		t.Errorf("stored files of the agent's message %d: %+v", pub.ID, got)
	}
	if r := h.result(agent1); !strings.Contains(r.Text, "big.zip") || strings.Contains(r.Text, "logo.png") {
		t.Errorf("agent not told of the dropped file:\n%s", r.Text)
	}
}

func TestConfirmationCarriesTheAgentsToken(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.command(agent1, "#take")
	r := h.result(agent1)
	if len(r.ReplyTo) != 1 || !strings.HasPrefix(r.ReplyTo[0].Email, "sd+") {
		t.Fatalf("confirmation Reply-To %v", r.ReplyTo)
	}
	// The day goes on by replying to the confirmation.
	out := h.ingest(agentMail(agent1, r, "#решено\nЗаменили картридж.", ""))
	if out.Disposition != helpdesk.DispStaff || h.ticket(id).Status != store.StatusResolved {
		t.Fatalf("reply to the confirmation: %+v, status %s", out, h.ticket(id).Status)
	}
	// The lead cannot use agent1's confirmation.
	out = h.ingest(agentMail(lead, h.result(agent1), "#reopen", ""))
	if out.Disposition != helpdesk.DispRefused {
		t.Errorf("another agent used the confirmation's token: %+v", out)
	}
}

func TestStaffAutoRepliesGetNoRefusal(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	n := h.notification(agent1)
	for i := range 3 {
		ooo := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Автоответ: Re: %s\r\nMessage-ID: <ooo%d@kgo66.ru>\r\nIn-Reply-To: <%s>\r\n"+
			"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nЯ в отпуске до 13.01.\r\n",
			agent1, support, n.Subject, i, n.MessageID)
		out := h.ingest(ooo)
		if out.Disposition != helpdesk.DispRefused {
			t.Fatalf("outcome %+v", out)
		}
	}
	if rs := h.sent("command_result"); len(rs) != 0 {
		t.Errorf("%d refusals sent to an auto-responder", len(rs))
	}
	if evs := h.events(id); !strings.Contains(evs, "staff_auto_reply_ignored") {
		t.Errorf("events %s", evs)
	}
}

func TestRefusalsAreRateLimited(t *testing.T) {
	h := newStaffHarness(t, func(o *helpdesk.Options) { o.AutoReplyPerHour = 3 })
	h.newTicket()
	n := h.notification(agent1)
	for i := range 6 {
		h.ingest(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <r%d@x>\r\nIn-Reply-To: <%s>\r\n\r\n#close\r\n",
			agent1, support, n.Subject, i, n.MessageID))
	}
	if got := len(h.sent("command_result")); got != 3 {
		t.Errorf("%d refusals in an hour, want 3", got)
	}
}

func TestIncidentNotificationGoesOutAtNight(t *testing.T) {
	h := newStaffHarness(t)
	h.now = time.Date(2024, 12, 27, 23, 30, 0, 0, friday.Location())
	out := h.ingest(mail{from: petrov, subject: "Взлом", id: "night@uszn",
		body: "Кто-то зашёл под моей учётной записью ночью и удалил документы. Пароль никому не сообщал. Тел. 2-44-17"}.String())
	if tk := h.ticket(out.TicketID); tk.Priority != store.PriorityIncident {
		t.Fatalf("priority %q", tk.Priority)
	}
	ns := h.sent("agent_notify")
	if len(ns) == 0 {
		t.Fatal("agents not told of the incident")
	}
	for _, n := range ns {
		if !n.NextAttemptAt.Equal(h.now) {
			t.Errorf("incident notification to %s waits until %v", n.Recipients, n.NextAttemptAt)
		}
	}
}

func TestWarnPercentIsTheDesks(t *testing.T) {
	h := newStaffHarness(t, func(o *helpdesk.Options) { o.Desks[0].WarnPercent = 50 })
	id := h.newTicket()
	h.now = friday.Add(time.Hour + 50*time.Minute) // 46 % of 4 h
	h.tick()
	if evs := h.events(id); strings.Contains(evs, "sla_warning_first_response") {
		t.Fatalf("warned before half the target: %s", evs)
	}
	h.now = friday.Add(2*time.Hour + 10*time.Minute) // 54 %
	h.tick()
	if evs := h.events(id); !strings.Contains(evs, "sla_warning_first_response") {
		t.Errorf("no warning at 54 %% with warn_percent 50: %s", evs)
	}
}
