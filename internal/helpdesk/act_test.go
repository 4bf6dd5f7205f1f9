package helpdesk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// TestActIsAMailAction: a web action takes the mail path (agentReply), with
// the same permissions, returns the results instead of mailing them, and
// records its changes with the member's address and the channel web.
func TestActIsAMailAction(t *testing.T) {
	cases := []struct {
		name, agent, text string
		files             []mailout.Attachment
		wantErr           error
		ok                bool // the first result is a success
		check             func(t *testing.T, h *harness, id int64, r helpdesk.Result)
	}{
		{name: "reply goes to the customer", agent: agent1, text: "Перезагрузите принтер.", check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
			if !r.Delivered || len(h.sent("agent_reply")) != 1 {
				t.Errorf("delivered %v, replies %d", r.Delivered, len(h.sent("agent_reply")))
			}
			if tk := h.ticket(id); !tk.FirstResponseAt.Valid {
				t.Error("the first response was not recorded")
			}
		}},
		{name: "take", agent: agent1, text: "#take", ok: true, check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
			if tk := h.ticket(id); tk.Assignee != agent1 {
				t.Errorf("assignee %q", tk.Assignee)
			}
		}},
		{name: "an agent cannot assign to others", agent: agent1, text: "#assign " + lead, check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
			if tk := h.ticket(id); tk.Assignee != "" {
				t.Errorf("assignee %q", tk.Assignee)
			}
			if !strings.Contains(r.Results[0].Message, "старш") {
				t.Errorf("result %+v", r.Results)
			}
		}},
		{name: "a lead assigns", agent: lead, text: "#assign " + agent1, ok: true, check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
			if tk := h.ticket(id); tk.Assignee != agent1 {
				t.Errorf("assignee %q", tk.Assignee)
			}
		}},
		{name: "resolve is audited as web", agent: agent1, text: "#resolve\nГотово.", ok: true, check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
			evs, err := h.db.Events(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range evs {
				if e.Kind == "resolved" && e.Actor == agent1 && strings.Contains(e.Detail, "web") {
					found = true
				}
			}
			if !found {
				t.Errorf("no resolved event via web by %s: %+v", agent1, evs)
			}
		}},
		{name: "note stays internal", agent: agent1, text: "#note проверить картридж", ok: true, check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
			if r.Delivered || len(h.sent("agent_reply")) != 0 {
				t.Error("a note reached the customer")
			}
		}},
		{name: "no confirmation mail", agent: agent1, text: "#priority high", ok: true, check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
			if n := len(h.sent("command_result")); n != 0 {
				t.Errorf("%d confirmations mailed", n)
			}
		}},
		{name: "a file goes with the reply", agent: agent1, text: "Инструкция во вложении.",
			files: []mailout.Attachment{{Filename: "howto.txt", ContentType: "text/plain", Data: []byte("1. …")}},
			check: func(t *testing.T, h *harness, id int64, r helpdesk.Result) {
				if rs := h.sent("agent_reply"); len(rs) != 1 || !strings.Contains(string(rs[0].Raw), "howto.txt") {
					t.Error("the file was not sent")
				}
			}},
		{name: "not staff", agent: "petrov@uszn.kgo66.ru", text: "#close", wantErr: helpdesk.ErrNotAgent},
		{name: "empty", agent: agent1, text: "  ", wantErr: helpdesk.ErrEmptyAction},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := h.newTicket()
			r, err := h.svc.Act(context.Background(), helpdesk.Action{TicketID: id, Agent: c.agent, Text: c.text, Files: c.files})
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ok && (len(r.Results) == 0 || !r.Results[0].OK) {
				t.Errorf("results %+v", r.Results)
			}
			if c.check != nil {
				c.check(t, h, id, r)
			}
		})
	}
}

func TestActRefusesADisabledMember(t *testing.T) {
	h := newStaffHarness(t)
	id := h.newTicket()
	h.tx(func(tx *store.Tx) error {
		return tx.UpsertStaff(context.Background(), &store.Staff{Email: agent1, Name: "Агент Первый", Role: store.StaffAgent}, "test", friday)
	})
	if _, err := h.svc.Act(context.Background(), helpdesk.Action{TicketID: id, Agent: agent1, Text: "#take"}); !errors.Is(err, helpdesk.ErrNotAgent) {
		t.Fatalf("err %v", err)
	}
}
