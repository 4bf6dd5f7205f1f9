package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// TestEachTicketAgreesWithFindTickets: the cursor walks the same tickets in
// the same order as FindTickets, with the same fields, for every kind of
// filter (one query, several in turn, a search read by id), and an error
// of the visitor stops the walk and comes back as it is.
func TestEachTicketAgreesWithFindTickets(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedSearch(t, db)
		for _, f := range []store.TicketFilter{
			{},
			{Limit: 1},
			{Limit: 2},
			{Statuses: store.AllStatuses()},
			{Statuses: []string{store.StatusActive}, Unassigned: true},
			{Search: "принтер"},
			{Search: "ошибка", Limit: 1},
			{Search: "сканер принтер"},
			{Breached: true, Now: t0},
		} {
			want, err := db.FindTickets(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			var got []store.QueueItem
			if err := db.EachTicket(ctx, f, func(it *store.QueueItem) error {
				got = append(got, *it)
				return nil
			}); err != nil {
				t.Fatalf("%+v: each: %v", f, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%+v: each %d tickets, find %d", f, len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i].ID || got[i].OrgName != want[i].OrgName || got[i].Subject != want[i].Subject ||
					!got[i].Due().Equal(want[i].Due()) || !got[i].CreatedAt.Equal(want[i].CreatedAt) {
					t.Errorf("%+v: item %d: each %+v, find %+v", f, i, got[i], want[i])
				}
			}
		}

		stop := errors.New("enough")
		var ids []int64
		err := db.EachTicket(ctx, store.TicketFilter{}, func(it *store.QueueItem) error {
			ids = append(ids, it.ID)
			return stop
		})
		if err != stop || len(ids) != 1 {
			t.Fatalf("stopped walk: %v after %v, want the visitor's error after one", err, ids)
		}
		if err := db.EachTicket(ctx, store.TicketFilter{Limit: -1}, func(*store.QueueItem) error { return nil }); err == nil {
			t.Error("a bad filter accepted")
		}
		// The database is usable after a stopped walk (its cursor closed).
		all, err := db.FindTickets(ctx, store.TicketFilter{Statuses: store.AllStatuses()})
		if err != nil || !slices.ContainsFunc(all, func(it store.QueueItem) bool { return it.ID == ids[0] }) {
			t.Fatalf("after a stopped walk: %v, %v", all, err)
		}
	})
}
