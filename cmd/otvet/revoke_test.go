package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// otvet staff revoke raises the token epoch of the member's agent rows and
// records the audit event; an unknown address or a missing one is a usage error.
func TestStaffRevoke(t *testing.T) {
	cfg, dbPath := staffCLIConfig(t)
	must(t, "staff", "add", "--email", "ivanov@kgo66.ru", "--name", "Иванов", "--config", cfg)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var partID int64
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		tk := &store.Ticket{Desk: "east", Status: store.StatusOpen, Channel: "email", Subject: "t", RequesterEmail: "u@x.ru"}
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		p, err := tx.AddParticipant(ctx, tk.ID, "ivanov@kgo66.ru", "Иванов", "agent", tk.CreatedAt)
		partID = p.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		args    []string
		out     string // in stdout (ok) or the error
		usage   bool
		epochIs int64
	}{
		{"revoke", []string{"ivanov@kgo66.ru"}, "revoked on 1 ticket(s)", false, 1},
		{"again", []string{"IVANOV@kgo66.ru"}, "revoked on 1 ticket(s)", false, 2},
		{"unknown", []string{"nobody@kgo66.ru"}, "nobody@kgo66.ru is not a staff member", true, 2},
		{"no address", nil, "give the staff member's e-mail", true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := otvet(t, append([]string{"staff", "revoke", "--config", cfg}, c.args...)...)
			var ue usageError
			if got := errors.As(err, &ue); got != c.usage {
				t.Fatalf("err = %v, want a usage error: %v", err, c.usage)
			}
			if msg := out + func() string {
				if err != nil {
					return err.Error()
				}
				return ""
			}(); !strings.Contains(msg, c.out) {
				t.Errorf("output %q, want %q", msg, c.out)
			}
			var p *store.Participant
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				p, err = tx.ParticipantByID(ctx, partID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if p.TokenEpoch != c.epochIs {
				t.Errorf("epoch %d, want %d", p.TokenEpoch, c.epochIs)
			}
		})
	}
	if out := must(t, "audit", "--config", cfg); strings.Count(out, "staff_tokens_revoked") != 2 {
		t.Errorf("audit:\n%s", out)
	}
}
