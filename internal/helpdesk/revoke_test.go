package helpdesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// After `otvet staff revoke` (store.RevokeAgentTokens) every reply address an
// agent was mailed before is refused as security_revoked_token, whoever
// sends to it, and the agent is told; the next notification carries a fresh
// address that acts, and other agents are not touched.
func TestRevokedAgentTokens(t *testing.T) {
	for _, c := range []struct {
		name string
		from string // who writes to the old address
	}{
		{"the agent", agent1},
		{"a thief", "thief@evil.example"},
		{"another agent", lead},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			id := h.newTicket()
			old := h.notification(agent1)
			leadOld := h.notification(lead)
			h.revoke(agent1, 1)

			out := h.ingest(agentMail(c.from, old, "#reject offensive", ""))
			if out.Disposition != helpdesk.DispRefused || out.Note != "security_revoked_token" {
				t.Fatalf("outcome %+v, want refused as security_revoked_token", out)
			}
			if tk := h.ticket(id); tk.Status != store.StatusOpen {
				t.Fatalf("status %s: a revoked token acted", tk.Status)
			}
			if !strings.Contains(h.events(id), "security_revoked_token") {
				t.Errorf("events %s", h.events(id))
			}
			told := h.result(agent1)
			if !strings.Contains(told.Text, "отозван") || told.ReplyTo != nil && strings.Contains(told.ReplyTo[0].Email, "+") {
				t.Errorf("the agent was told:\n%v\n%s", told.ReplyTo, told.Text)
			}

			// The other agent's address still acts.
			h.ingest(agentMail(lead, leadOld, "#note проверено", ""))
			if !strings.Contains(h.events(id), "agent_replied") {
				t.Fatalf("the lead's unrevoked address did not act: %s", h.events(id))
			}

			// A fresh notification (the customer writes again) carries a new address that acts.
			h.replyTo(id, "Всё ещё не печатает.")
			fresh := h.notification(agent1)
			if fresh.ReplyTo[0].Email == old.ReplyTo[0].Email || !strings.HasPrefix(fresh.ReplyTo[0].Email, "sd+2") {
				t.Fatalf("the fresh notification's address %s is not a new (version 2) one (old %s)", fresh.ReplyTo[0].Email, old.ReplyTo[0].Email)
			}
			if out := h.ingest(agentMail(agent1, fresh, "#wait\r\n\r\nУточните номер кабинета.", "")); out.Disposition != helpdesk.DispStaff {
				t.Fatalf("fresh address: outcome %+v", out)
			}
			if tk := h.ticket(id); tk.Status != store.StatusWaiting {
				t.Fatalf("status %s: the fresh address did not act:\n%s", tk.Status, h.result(agent1).Text)
			}
			// The command result carries the fresh address too, and a second
			// revocation makes that one stale as well.
			res := h.result(agent1)
			if res.ReplyTo[0].Email != fresh.ReplyTo[0].Email {
				t.Errorf("command result Reply-To %s, want the fresh %s", res.ReplyTo[0].Email, fresh.ReplyTo[0].Email)
			}
			h.revoke(agent1, 1)
			if out := h.ingest(agentMail(agent1, res, "#open", "")); out.Note != "security_revoked_token" {
				t.Fatalf("after a second revoke: outcome %+v", out)
			}
		})
	}
}

func (h *harness) revoke(email string, want int64) {
	h.t.Helper()
	h.tx(func(tx *store.Tx) error {
		n, err := tx.RevokeAgentTokens(context.Background(), email, h.now)
		if err == nil && n != want {
			h.t.Errorf("revoked %d tickets, want %d", n, want)
		}
		return err
	})
}
