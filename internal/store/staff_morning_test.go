package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// TestMorningMailSetting: the morning mail is on for a new member, switched
// with an audit event (none when nothing changes), and only active agents
// and leads with it on are listed; a revoke raises the member's own epoch.
func TestMorningMailSetting(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, s := range []store.Staff{
				{Email: "a@sd.test", Role: store.StaffAgent, Active: true},
				{Email: "b@sd.test", Role: store.StaffLead, Active: true},
				{Email: "c@sd.test", Role: store.StaffAgent},
				{Email: "m@sd.test", Role: store.StaffManager, Active: true},
			} {
				if err := tx.UpsertStaff(ctx, &s, "test", now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		emails := func() []string {
			ss, err := db.MorningAgents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range ss {
				out = append(out, s.Email)
			}
			return out
		}
		if got := emails(); len(got) != 2 || got[0] != "a@sd.test" || got[1] != "b@sd.test" {
			t.Fatalf("morning agents %v", got)
		}
		for _, c := range []struct {
			on, changed bool
		}{{false, true}, {false, false}, {true, true}, {false, true}} {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				changed, err := tx.SetMorningMail(ctx, "A@sd.test", c.on, "mail", now)
				if err == nil && changed != c.changed {
					t.Errorf("set %v: changed %v", c.on, changed)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := emails(); len(got) != 1 || got[0] != "b@sd.test" {
			t.Errorf("after off: %v", got)
		}
		evs, err := db.AuditEvents(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Kind == "staff_morning" {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d staff_morning events, want 3", n)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.SetMorningMail(ctx, "nobody@sd.test", true, "cli", now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown member: %v", err)
			}
			if _, err := tx.RevokeAgentTokens(ctx, "a@sd.test", now); err != nil {
				return err
			}
			a, err := tx.StaffByEmail(ctx, "a@sd.test")
			if err != nil {
				return err
			}
			if a.TokenEpoch != 1 || a.MorningMail {
				t.Errorf("after revoke: epoch %d, morning %v", a.TokenEpoch, a.MorningMail)
			}
			byID, err := tx.StaffByID(ctx, a.ID)
			if err != nil || byID.Email != a.Email {
				t.Errorf("by id: %+v %v", byID, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
