package helpdesk_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// The information system, the queue and search by mail (docs/search.md).

func TestSystemCommandSetsAndClears(t *testing.T) {
	for _, c := range []struct{ name, set, clear string }{{"ru", "#система МИС", "#система -"}, {"en", "#system МИС", "#system -"}} {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := h.newTicket()
			status := h.ticket(id).Status
			h.command(agent1, c.set)
			if tk := h.ticket(id); tk.System != "МИС" || tk.Status != status {
				t.Fatalf("system %q, status %s -> %s", tk.System, status, tk.Status)
			}
			if r := h.result(agent1); !strings.Contains(r.Text, "информационная система: МИС") {
				t.Errorf("confirmation:\n%s", r.Text)
			}
			if n := strings.Count(h.events(id), "command_system"); n != 1 {
				t.Errorf("events %s", h.events(id))
			}
			h.command(agent1, c.clear)
			if tk := h.ticket(id); tk.System != "" {
				t.Fatalf("system %q after %s", tk.System, c.clear)
			}
			if r := h.result(agent1); !strings.Contains(r.Text, "информационная система не указана") {
				t.Errorf("confirmation:\n%s", r.Text)
			}
			if n := strings.Count(h.events(id), "command_system"); n != 2 {
				t.Errorf("events %s", h.events(id))
			}
		})
	}
}

// ticketNumbers are the #N at the start of the confirmation's list lines.
func ticketNumbers(text string) []string {
	return regexp.MustCompile(`(?m)^#(\d+) — `).FindAllString(text, -1)
}

func TestQueueByMail(t *testing.T) {
	for _, c := range []struct {
		lang, cmd, mine, free string
	}{
		{"ru", "#очередь", "ваши обращения (1):", "не назначены (2):"},
		{"en", "#queue", "assigned to you (1):", "unassigned (2):"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			h := newStaffHarness(t, withSecondDesk, func(o *helpdesk.Options) {
				for i := range o.Desks {
					o.Desks[i].Language = c.lang
				}
			})
			h.ingestDesk("hw", mail{from: petrov, to: "hw@kgo66.ru", subject: "Монитор", id: "hw1@uszn"}.String()) // #1, another desk
			two := h.newTicket()
			three := h.newTicket()
			four := h.newTicket()
			h.command(agent1, "#take") // #4, the latest notification
			if tk := h.ticket(four); tk.Assignee != agent1 {
				t.Fatalf("assignee %q", tk.Assignee)
			}
			h.command(agent1, c.cmd)
			r := h.result(agent1).Text
			mine, free := strings.Index(r, c.mine), strings.Index(r, c.free)
			if mine < 0 || free < mine {
				t.Fatalf("confirmation:\n%s", r)
			}
			got := strings.Join(ticketNumbers(r[mine:free]), ",") + "|" + strings.Join(ticketNumbers(r[free:]), ",")
			// The same due time (the harness's clock stands still): newest first.
			want := fmt.Sprintf("#%d — |#%d — ,#%d — ", four, three, two)
			if got != want {
				t.Errorf("lists %q, want %q:\n%s", got, want, r)
			}
			if strings.Contains(r, "Монитор") {
				t.Errorf("another desk's ticket listed:\n%s", r)
			}
			status, due := "— в работе —", "срок 27.12.2024 14:00"
			if c.lang == "en" {
				status, due = "— open —", "due 27.12.2024 14:00"
			}
			if !strings.Contains(r, status) || !strings.Contains(r, due) || !strings.Contains(r, "УСЗН") || !strings.Contains(r, "Не печатает принтер") {
				t.Errorf("line without status %q, due, organisation or subject:\n%s", status, r)
			}
		})
	}
}

func TestSearchByMail(t *testing.T) {
	for _, c := range []struct {
		lang, cmd, found, none string
	}{
		{"ru", "#поиск", "найдено по запросу «входа мис»", "по запросу «сканер» ничего не найдено"},
		{"en", "#search", "found for “входа мис”", "nothing found for “сканер”"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			h := newStaffHarness(t, func(o *helpdesk.Options) { o.Desks[0].Language = c.lang })
			printer := h.newTicket()
			out := h.ingest(mail{from: petrov, subject: "МИС не открывается", id: "mis@uszn", body: "Ошибка входа в МИС с утра."}.String())
			mis := out.TicketID
			third := h.newTicket()
			h.command(agent1, c.cmd+" входа мис")
			r := h.result(agent1).Text
			if !strings.Contains(r, c.found) {
				t.Fatalf("confirmation:\n%s", r)
			}
			if got, want := strings.Join(ticketNumbers(r), ","), fmt.Sprintf("#%d — ", mis); got != want {
				t.Errorf("found %q, want %q (not #%d, #%d):\n%s", got, want, printer, third, r)
			}
			h.command(agent1, c.cmd+" принтер")
			r = h.result(agent1).Text
			if got, want := strings.Join(ticketNumbers(r), ","), fmt.Sprintf("#%d — ,#%d — ", third, printer); got != want {
				t.Errorf("found %q, want %q (newest first):\n%s", got, want, r)
			}
			h.command(agent1, c.cmd+" сканер")
			if r := h.result(agent1).Text; !strings.Contains(r, c.none) {
				t.Errorf("confirmation:\n%s", r)
			}
		})
	}
}

func TestIntakeDetectsSystem(t *testing.T) {
	cases := []struct {
		name    string
		window  bool   // a maintenance window of МИС (keywords «медицинская система, ЕМИАС») was announced
		systems string // the requester's registered systems
		subject string
		body    string
		want    string
	}{
		{"nothing known", false, "", "Не печатает", "Принтер не печатает.", ""},
		{"a window's system by name", true, "", "Не открывается МИС", "С утра ошибка.", "МИС"},
		{"a window's keyword in the text", true, "", "Ошибка", "Не открывается ЕМИАС у регистратора.", "МИС"},
		{"a window's system before the registered ones", true, "СЭД, 1С", "1С и МИС", "Не работают 1С и МИС.", "МИС"},
		{"a registered system the text mentions", true, "СЭД; 1С", "Ошибка", "В 1С не проводится документ.", "1С"},
		{"the only registered system", true, "СЭД", "Ошибка", "Не открывается документ.", "СЭД"},
		{"several registered, none mentioned", false, "СЭД\n1С", "Ошибка", "Не открывается документ.", ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			ctx := context.Background()
			h.tx(func(tx *store.Tx) error {
				if c.window {
					// Over two days ago: ended, so it defers nothing, but names the system.
					w := &store.MaintenanceWindow{System: "МИС", Keywords: "медицинская система, ЕМИАС",
						StartsAt: h.now.Add(-72 * time.Hour), EndsAt: h.now.Add(-48 * time.Hour), CreatedAt: h.now.Add(-96 * time.Hour), CreatedBy: "test"}
					if err := tx.AddMaintenance(ctx, w); err != nil {
						return err
					}
				}
				u, err := tx.UserByEmail(ctx, "petrov@uszn.kgo66.ru")
				if err != nil {
					return err
				}
				u.Systems = c.systems
				_, err = tx.UpsertUser(ctx, u, "test", h.now)
				return err
			})
			out := h.ingest(mail{from: petrov, subject: c.subject, id: fmt.Sprintf("sys%d@uszn", i), body: c.body}.String())
			if out.TicketID == 0 {
				t.Fatalf("no ticket: %+v", out)
			}
			if got := h.ticket(out.TicketID).System; got != c.want {
				t.Errorf("system %q, want %q", got, c.want)
			}
		})
	}
}
