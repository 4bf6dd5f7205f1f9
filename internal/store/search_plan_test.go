package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// TestSearchPlansAgree: a search with few matches (read by id) and one with
// many (the index walked newest first) select and order the same tickets
// as the filter says, on both engines.
func TestSearchPlansAgree(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 2300 // more than the few a SQLite search reads by id
		active := map[int64]bool{}
		withCartridge := map[int64]bool{}
		var ids []int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := range n {
				status := store.StatusClosed
				if i%7 == 0 {
					status = store.StatusOpen
				}
				body := "Принтер не печатает."
				if i%2 == 0 {
					body = "Принтер: замените картридж."
				}
				tk := &store.Ticket{Desk: "sd", Status: status, Channel: "email", Subject: fmt.Sprintf("Заявка %d", i),
					RequesterEmail: "user@school.ru", CreatedAt: t0, UpdatedAt: t0}
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				if err := tx.InsertMessage(ctx, &store.Message{TicketID: tk.ID, Direction: store.DirIn, FromAddr: "user@school.ru",
					BodyText: store.Text(body), CreatedAt: t0}); err != nil {
					return err
				}
				ids = append(ids, tk.ID)
				active[tk.ID] = status == store.StatusOpen
				withCartridge[tk.ID] = i%2 == 0
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			f      store.TicketFilter
			wanted func(id int64) bool
		}{
			{"many matches", store.TicketFilter{Search: "принтера", Limit: 30}, func(int64) bool { return true }},
			{"many matches, few kept", store.TicketFilter{Search: "принтеры", Statuses: []string{store.StatusActive}, Limit: 500},
				func(id int64) bool { return active[id] }},
			{"few matches", store.TicketFilter{Search: "картриджи", Limit: 40}, func(id int64) bool { return withCartridge[id] }},
			{"few matches, fewer kept", store.TicketFilter{Search: "картридж", Statuses: []string{store.StatusActive}, Limit: 500},
				func(id int64) bool { return withCartridge[id] && active[id] }},
		} {
			t.Run(c.name, func(t *testing.T) {
				var want []int64
				for i := len(ids) - 1; i >= 0 && len(want) < c.f.Limit; i-- {
					if c.wanted(ids[i]) {
						want = append(want, ids[i])
					}
				}
				items, err := db.FindTickets(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if len(items) != len(want) {
					t.Fatalf("%d found, want %d", len(items), len(want))
				}
				for i := range want {
					if items[i].ID != want[i] {
						t.Fatalf("item %d is #%d, want #%d (newest first)", i, items[i].ID, want[i])
					}
				}
			})
		}
	})
}
