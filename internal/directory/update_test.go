package directory

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// TestUpdateUser: a new address and details in one transaction with their
// audit events; what is not given stays; bad requests change nothing.
func TestUpdateUser(t *testing.T) {
	ctx := context.Background()
	str := func(s string) *string { return &s }
	cases := []struct {
		name      string
		email     string
		change    UserChange
		err       string // "" when it succeeds
		bad       bool   // ErrBadInput
		wantEmail string
		wantPos   string
		wantKinds []string
	}{
		{name: "new address and position", email: "A.Petrova@school3.ru",
			change:    UserChange{Email: str("petrova.a@school3.ru"), Position: str("завуч")},
			wantEmail: "petrova.a@school3.ru", wantPos: "завуч", wantKinds: []string{"user_email_changed", "user_updated"}},
		{name: "phone only: the position stays", email: "a.petrova@school3.ru", change: UserChange{Phone: str("+7 343 000-00-00")},
			wantEmail: "a.petrova@school3.ru", wantPos: "учитель", wantKinds: []string{"user_updated"}},
		{name: "nothing to change", email: "a.petrova@school3.ru", bad: true, err: "nothing to change"},
		{name: "a taken address", email: "a.petrova@school3.ru", change: UserChange{Email: str("other@school3.ru")}, err: "another user"},
		{name: "a missing user", email: "nobody@school3.ru", change: UserChange{Phone: str("1")}, err: "does not exist"},
		{name: "a bad new address", email: "a.petrova@school3.ru", change: UserChange{Email: str("not an address")}, bad: true, err: "new address"},
		{name: "an empty name", email: "a.petrova@school3.ru", change: UserChange{FullName: str("  ")}, bad: true, err: "full name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newService(t)
			for _, u := range []*store.User{
				{Email: "a.petrova@school3.ru", FullName: "Петрова Анна", Position: "учитель"},
				{Email: "other@school3.ru", FullName: "Другой Пользователь"},
			} {
				if err := s.AddUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := s.DB.AuditEvents(ctx, s.now().AddDate(-1, 0, 0))
			u, err := s.UpdateUser(ctx, c.email, c.change)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || errors.Is(err, ErrBadInput) != c.bad {
					t.Fatalf("err %v, want one mentioning %q (bad input %v)", err, c.err, c.bad)
				}
				if after, _ := s.DB.AuditEvents(ctx, s.now().AddDate(-1, 0, 0)); len(after) != len(before) {
					t.Errorf("a refused update recorded %d events", len(after)-len(before))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.DB.UserByEmail(ctx, c.wantEmail)
			if err != nil || got.ID != u.ID || got.Position != c.wantPos || !got.Confirmed {
				t.Fatalf("after update: %+v %v", got, err)
			}
			after, _ := s.DB.AuditEvents(ctx, s.now().AddDate(-1, 0, 0))
			var kinds []string
			for _, ev := range after[len(before):] {
				kinds = append(kinds, ev.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(c.wantKinds, ",") {
				t.Errorf("audit %v, want %v", kinds, c.wantKinds)
			}
		})
	}
}
