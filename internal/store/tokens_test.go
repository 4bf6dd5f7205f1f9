package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// RevokeAgentTokens raises the token epoch of exactly the address's agent
// rows, once per call, on every ticket; the rows keep their ids.
func TestRevokeAgentTokens(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var parts []*store.Participant
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := range 2 {
				tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "t",
					RequesterEmail: "user@uszn.ru", CreatedAt: t0, UpdatedAt: t0}
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				for _, p := range [][2]string{{"user@uszn.ru", "requester"}, {"Ivanov@kgo66.ru", "agent"}, {"sidorov@kgo66.ru", "agent"}} {
					if i == 1 && p[0] == "sidorov@kgo66.ru" {
						// The same person as a customer on a request of their own.
						p[1] = "requester"
					}
					row, err := tx.AddParticipant(ctx, tk.ID, p[0], "", p[1], t0)
					if err != nil {
						return err
					}
					if row.TokenEpoch != 0 {
						t.Errorf("new participant %+v has epoch %d", row, row.TokenEpoch)
					}
					parts = append(parts, row)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		revoke := func(email string) int64 {
			var n int64
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				n, err = tx.RevokeAgentTokens(ctx, email, t0.Add(time.Hour))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := revoke(" IVANOV@kgo66.ru "); n != 2 {
			t.Errorf("revoked %d tickets, want 2", n)
		}
		if n := revoke("ivanov@kgo66.ru"); n != 2 {
			t.Errorf("second revoke: %d tickets, want 2", n)
		}
		if n := revoke("sidorov@kgo66.ru"); n != 1 {
			t.Errorf("revoked %d of sidorov's rows, want 1 (the agent row only)", n)
		}
		if n := revoke("nobody@kgo66.ru"); n != 0 {
			t.Errorf("revoked %d rows of nobody", n)
		}
		want := map[string]int64{"user@uszn.ru/requester": 0, "ivanov@kgo66.ru/agent": 2, "sidorov@kgo66.ru/agent": 1, "sidorov@kgo66.ru/requester": 0}
		for _, p := range parts {
			var got *store.Participant
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.ParticipantByID(ctx, p.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if w := want[got.Email+"/"+got.Role]; got.TokenEpoch != w || got.ID != p.ID {
				t.Errorf("%s on #%d: epoch %d, want %d", got.Email, got.TicketID, got.TokenEpoch, w)
			}
		}
		ps, err := db.Participants(ctx, parts[0].TicketID)
		if err != nil || len(ps) != 3 || ps[1].TokenEpoch != 2 {
			t.Errorf("Participants = %+v, %v", ps, err)
		}
	})
}
