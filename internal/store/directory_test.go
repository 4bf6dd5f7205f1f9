package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// dirTx runs fn in a transaction and fails the test on error.
func dirTx(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func newOrg(t *testing.T, db *store.DB, o store.Org) store.Org {
	t.Helper()
	dirTx(t, db, func(tx *store.Tx) error { return tx.CreateOrg(context.Background(), &o, "test", t0) })
	return o
}

func auditKinds(t *testing.T, db *store.DB) []string {
	t.Helper()
	es, err := db.AuditEvents(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range es {
		if e.TicketID.Valid {
			t.Errorf("audit event %s has ticket %d", e.Kind, e.TicketID.Int64)
		}
		if !json.Valid([]byte(e.Detail)) {
			t.Errorf("audit event %s detail is not JSON: %s", e.Kind, e.Detail)
		}
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func TestDirectoryOrgLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := newOrg(t, db, store.Org{Name: " МАОУ СОШ № 3 ", INN: "6615001234", SupportLevel: "standard",
			Domains: []string{"School3.KGO66.ru.", "school3.kgo66.ru", "ШКОЛА3.рф"}})
		if o.ID == 0 || o.Name != "МАОУ СОШ № 3" {
			t.Fatalf("created %+v", o)
		}
		got, err := db.OrgByID(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"school3.kgo66.ru", "xn--3-7sb3aeo2d.xn--p1ai"}; !slices.Equal(got.Domains, want) {
			t.Errorf("domains %q, want %q", got.Domains, want)
		}
		if !got.CreatedAt.Equal(t0) || got.Blocked {
			t.Errorf("read back %+v", got)
		}
		if byINN, err := db.OrgByINN(ctx, "6615001234"); err != nil || byINN.ID != o.ID {
			t.Errorf("OrgByINN: %v %v", byINN, err)
		}

		// An update replaces fields and the domain list; an identical one writes nothing.
		o.Name, o.Domains = "МАОУ «СОШ № 3»", []string{"school3.kgo66.ru", "s3.kgo66.ru"}
		dirTx(t, db, func(tx *store.Tx) error { return tx.UpdateOrg(ctx, &o, "test", t0.Add(time.Hour)) })
		dirTx(t, db, func(tx *store.Tx) error { return tx.UpdateOrg(ctx, &o, "test", t0.Add(2*time.Hour)) })
		got, _ = db.OrgByID(ctx, o.ID)
		if got.Name != o.Name || !slices.Equal(got.Domains, []string{"s3.kgo66.ru", "school3.kgo66.ru"}) ||
			!got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after update %+v", got)
		}

		dirTx(t, db, func(tx *store.Tx) error {
			return tx.SetOrgBlocked(ctx, o.ID, true, "договор расторгнут", "test", t0)
		})
		dirTx(t, db, func(tx *store.Tx) error {
			return tx.SetOrgBlocked(ctx, o.ID, true, "договор расторгнут", "test", t0) // no-op
		})
		got, _ = db.OrgByID(ctx, o.ID)
		if !got.Blocked || got.BlockReason != "договор расторгнут" {
			t.Errorf("blocked %+v", got)
		}
		dirTx(t, db, func(tx *store.Tx) error { return tx.SetOrgBlocked(ctx, o.ID, false, "", "test", t0) })
		got, _ = db.OrgByID(ctx, o.ID)
		if got.Blocked || got.BlockReason != "" {
			t.Errorf("unblocked %+v", got)
		}

		list, err := db.ListOrgs(ctx)
		if err != nil || len(list) != 1 || len(list[0].Domains) != 2 {
			t.Errorf("ListOrgs: %v %+v", err, list)
		}
		if _, err := db.OrgByID(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing org: %v", err)
		}
		want := []string{"org_added", "org_updated", "org_blocked", "org_unblocked"}
		if got := auditKinds(t, db); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}

func TestDirectoryOrgConflicts(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newOrg(t, db, store.Org{Name: "А", INN: "6615001234", Domains: []string{"a.ru"}})
		newOrg(t, db, store.Org{Name: "Без ИНН"})
		newOrg(t, db, store.Org{Name: "Тоже без ИНН"}) // empty INNs do not collide
		cases := []struct {
			name string
			org  store.Org
			want string
		}{
			{"same INN", store.Org{Name: "Б", INN: "6615001234"}, "INN 6615001234 belongs to organisation"},
			{"same domain", store.Org{Name: "Б", Domains: []string{"A.ru"}}, "domain a.ru belongs to organisation"},
			{"no name", store.Org{Name: "  "}, "name: empty"},
			{"bad INN", store.Org{Name: "Б", INN: "12345"}, "not an INN"},
			{"bad OGRN", store.Org{Name: "Б", OGRN: "x"}, "not an OGRN"},
			{"public suffix", store.Org{Name: "Б", Domains: []string{"com.ru"}}, "public suffix"},
			{"bare TLD", store.Org{Name: "Б", Domains: []string{"ru"}}, "single label"},
			{"public mail", store.Org{Name: "Б", Domains: []string{"mail.ru"}}, "public mail service"},
			{"bad domain", store.Org{Name: "Б", Domains: []string{"a b.ru"}}, "not a valid domain"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateOrg(ctx, &c.org, "test", t0) })
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("err = %v, want %q", err, c.want)
				}
			})
		}
		b := newOrg(t, db, store.Org{Name: "Б", Domains: []string{"b.ru"}})
		b.Domains = append(b.Domains, "a.ru")
		err := db.Tx(ctx, func(tx *store.Tx) error { return tx.UpdateOrg(ctx, &b, "test", t0) })
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("taking another organisation's domain: %v", err)
		}
		got, _ := db.OrgByID(ctx, a.ID)
		if !slices.Equal(got.Domains, []string{"a.ru"}) {
			t.Errorf("domains of A changed: %v", got.Domains)
		}
	})
}

func TestDirectoryOrgByDomain(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kgo := newOrg(t, db, store.Org{Name: "Управление образования", Domains: []string{"kgo66.ru"}})
		school := newOrg(t, db, store.Org{Name: "СОШ № 3", Domains: []string{"school3.kgo66.ru"}})
		rf := newOrg(t, db, store.Org{Name: "Школа", Domains: []string{"школа.рф"}})
		cases := []struct {
			domain string
			want   int64
		}{
			{"school3.kgo66.ru", school.ID},
			{"SCHOOL3.kgo66.ru", school.ID},
			{"mail.school3.kgo66.ru", school.ID},
			{"a.b.mail.school3.kgo66.ru.", school.ID},
			{"school5.kgo66.ru", kgo.ID},
			{"kgo66.ru", kgo.ID},
			{"почта.школа.рф", rf.ID},
			{"xn--80atdl2c.xn--p1ai", rf.ID}, // школа.рф in punycode
			{"ru", 0},
			{"other66.ru", 0},
			{"", 0},
			{"not a domain", 0},
			{"..", 0},
		}
		for _, c := range cases {
			var got *store.Org
			err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.OrgByDomain(ctx, c.domain)
				return err
			})
			switch {
			case c.want == 0 && !errors.Is(err, store.ErrNotFound):
				t.Errorf("OrgByDomain(%q) = %v, %v; want not found", c.domain, got, err)
			case c.want != 0 && (err != nil || got.ID != c.want):
				t.Errorf("OrgByDomain(%q) = %v, %v; want #%d", c.domain, got, err, c.want)
			}
		}
	})
}

func TestDirectoryUsers(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := newOrg(t, db, store.Org{Name: "СОШ № 3", Domains: []string{"school3.kgo66.ru"}})
		upsert := func(u store.User, opts ...store.UpsertOption) (bool, store.User) {
			t.Helper()
			var created bool
			dirTx(t, db, func(tx *store.Tx) error {
				var err error
				created, err = tx.UpsertUser(ctx, &u, "test", t0, opts...)
				return err
			})
			return created, u
		}
		org := sql.NullInt64{Int64: o.ID, Valid: true}
		created, u := upsert(store.User{Email: "M.Ivanova@School3.KGO66.ru", FullName: "Иванова  Мария Петровна",
			Position: "учитель", OrgID: org, Confirmed: true})
		if !created || u.ID == 0 || u.Email != "m.ivanova@school3.kgo66.ru" || u.Role != store.RoleUser || u.FullName != "Иванова Мария Петровна" {
			t.Fatalf("created=%v %+v", created, u)
		}
		// The same data again: nothing happens.
		if created, _ := upsert(store.User{Email: "m.ivanova@school3.kgo66.ru", FullName: "Иванова Мария Петровна",
			Position: "учитель", OrgID: org, Confirmed: true}); created {
			t.Error("second upsert created a user")
		}
		// A self-identified user, later confirmed through an upsert.
		if created, _ := upsert(store.User{Email: "guest@school3.kgo66.ru", FullName: "Гость", SelfIdentified: true}); !created {
			t.Error("guest not created")
		}
		got, err := db.UserByEmail(ctx, "GUEST@school3.kgo66.ru")
		if err != nil || !got.SelfIdentified || got.Confirmed {
			t.Fatalf("guest %+v %v", got, err)
		}
		// An unconfirmed upsert never withdraws a confirmation, a confirmed one confirms.
		_, u = upsert(store.User{Email: "m.ivanova@school3.kgo66.ru", FullName: "Иванова Мария Петровна", OrgID: org, Role: store.RoleHead}, store.SetRole)
		if !u.Confirmed || u.Role != store.RoleHead || u.Position != "" {
			t.Errorf("after update %+v", u)
		}
		dirTx(t, db, func(tx *store.Tx) error { return tx.ConfirmUser(ctx, "guest@school3.kgo66.ru", "test", t0) })
		got, _ = db.UserByEmail(ctx, "guest@school3.kgo66.ru")
		if got.SelfIdentified || !got.Confirmed {
			t.Errorf("confirmed guest %+v", got)
		}

		dirTx(t, db, func(tx *store.Tx) error {
			return tx.SetUserBlocked(ctx, "GUEST@school3.kgo66.ru", true, "оскорбления", "test", t0)
		})
		got, _ = db.UserByEmail(ctx, "guest@school3.kgo66.ru")
		if !got.Blocked || got.BlockReason != "оскорбления" {
			t.Errorf("blocked guest %+v", got)
		}
		// An upsert leaves the block alone.
		_, u = upsert(store.User{Email: "guest@school3.kgo66.ru", FullName: "Гость Гостевич"})
		if !u.Blocked {
			t.Error("upsert unblocked a user")
		}
		dirTx(t, db, func(tx *store.Tx) error {
			return tx.SetUserBlocked(ctx, "guest@school3.kgo66.ru", false, "ignored", "test", t0)
		})
		got, _ = db.UserByEmail(ctx, "guest@school3.kgo66.ru")
		if got.Blocked || got.BlockReason != "" {
			t.Errorf("unblocked guest %+v", got)
		}

		if us, err := db.ListUsers(ctx, o.ID); err != nil || len(us) != 1 {
			t.Errorf("ListUsers(org) = %d, %v", len(us), err)
		}
		if us, err := db.ListUsers(ctx, 0); err != nil || len(us) != 2 {
			t.Errorf("ListUsers(all) = %d, %v", len(us), err)
		}
		bad := []struct {
			name string
			u    store.User
			want string
		}{
			{"bad email", store.User{Email: "not-an-address", FullName: "X"}, "not a valid e-mail"},
			{"display name", store.User{Email: "X <x@a.ru>", FullName: "X"}, "not a valid e-mail"},
			{"no name", store.User{Email: "x@a.ru"}, "full name: empty"},
			{"bad role", store.User{Email: "x@a.ru", FullName: "X", Role: "admin"}, "role \"admin\" is unknown"},
			{"missing org", store.User{Email: "x@a.ru", FullName: "X", OrgID: sql.NullInt64{Int64: 99, Valid: true}}, "not found"},
		}
		for _, c := range bad {
			err := db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.UpsertUser(ctx, &c.u, "test", t0); return err })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
			}
		}
		if _, err := db.UserByEmail(ctx, "nobody@a.ru"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing user: %v", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { return tx.SetUserBlocked(ctx, "nobody@a.ru", true, "", "test", t0) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("blocking a missing user: %v", err)
		}
		want := []string{"org_added", "user_added", "user_added", "user_updated", "user_confirmed",
			"user_blocked", "user_updated", "user_unblocked"}
		if got := auditKinds(t, db); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}

func TestDirectoryBlocking(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := newOrg(t, db, store.Org{Name: "СОШ № 3", Domains: []string{"school3.kgo66.ru"}})
		dirTx(t, db, func(tx *store.Tx) error {
			_, err := tx.UpsertUser(ctx, &store.User{Email: "a@school3.kgo66.ru", FullName: "А", Confirmed: true,
				OrgID: sql.NullInt64{Int64: o.ID, Valid: true}}, "test", t0)
			if err != nil {
				return err
			}
			_, err = tx.UpsertUser(ctx, &store.User{Email: "b@gmail.com", FullName: "Б", Confirmed: true,
				OrgID: sql.NullInt64{Int64: o.ID, Valid: true}}, "test", t0)
			return err
		})
		verdict := func(email string) store.Block {
			t.Helper()
			var b store.Block
			dirTx(t, db, func(tx *store.Tx) error {
				var err error
				b, err = tx.SenderBlock(ctx, email)
				return err
			})
			return b
		}
		check := func(step, email string, want store.Block) {
			t.Helper()
			if got := verdict(email); got != want {
				t.Errorf("%s: SenderBlock(%s) = %+v, want %+v", step, email, got, want)
			}
		}
		check("nothing blocked", "a@school3.kgo66.ru", store.Block{})
		dirTx(t, db, func(tx *store.Tx) error { return tx.SetOrgBlocked(ctx, o.ID, true, "долг", "test", t0) })
		org := store.Block{Scope: store.BlockOrg, Reason: "долг"}
		check("org blocked, member", "a@school3.kgo66.ru", org)
		check("org blocked, member on another domain", "b@gmail.com", org)
		check("org blocked, unknown sender of its domain", "new@mail.school3.kgo66.ru", org)
		check("org blocked, stranger", "x@other.ru", store.Block{})
		dirTx(t, db, func(tx *store.Tx) error {
			return tx.SetUserBlocked(ctx, "a@school3.kgo66.ru", true, "спам", "test", t0)
		})
		check("user blocked first", "a@school3.kgo66.ru", store.Block{Scope: store.BlockUser, Reason: "спам"})

		dirTx(t, db, func(tx *store.Tx) error {
			return tx.SetAllBlocked(ctx, true, "регламентные работы", "test", t0)
		})
		all := store.Block{Scope: store.BlockAll, Reason: "регламентные работы"}
		check("all blocked", "x@other.ru", all)
		dirTx(t, db, func(tx *store.Tx) error {
			on, reason, err := tx.AllBlocked(ctx)
			if !on || reason != all.Reason {
				t.Errorf("AllBlocked = %v %q", on, reason)
			}
			return err
		})
		dirTx(t, db, func(tx *store.Tx) error { return tx.SetAllBlocked(ctx, false, "", "test", t0) })
		dirTx(t, db, func(tx *store.Tx) error { return tx.SetAllBlocked(ctx, false, "", "test", t0) }) // no-op
		check("all unblocked", "x@other.ru", store.Block{})

		es, err := db.AuditEvents(ctx, t0.Add(time.Second))
		if err != nil || len(es) != 0 {
			t.Errorf("AuditEvents in the future: %v %v", es, err)
		}
		kinds := auditKinds(t, db)
		if n := len(kinds); n < 2 || kinds[n-2] != "all_blocked" || kinds[n-1] != "all_unblocked" {
			t.Errorf("audit %v", kinds)
		}
	})
}

func TestNormalizeEmail(t *testing.T) {
	cases := []struct{ in, want string }{
		{"M.Ivanova@School3.KGO66.ru", "m.ivanova@school3.kgo66.ru"},
		{" a@b.ru ", "a@b.ru"},
		{"Директор@Школа.РФ", "директор@xn--80atdl2c.xn--p1ai"},
		{"a@b", ""},
		{"a@", ""},
		{"@b.ru", ""},
		{"a b@c.ru", ""},
		{"Иван <a@b.ru>", ""},
		{"a@[127.0.0.1]", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, err := store.NormalizeEmail(c.in)
		if c.want == "" && err == nil {
			t.Errorf("NormalizeEmail(%q) = %q, want an error", c.in, got)
		}
		if c.want != "" && (err != nil || got != c.want) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"a@b.ru", "Директор@Школа.РФ", "x <a@b>", "a@@b", "\"q\"@b.ru", "a@xn--.ru"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := store.NormalizeEmail(s)
		if err != nil {
			return
		}
		again, err := store.NormalizeEmail(e)
		if err != nil || again != e {
			t.Errorf("NormalizeEmail not idempotent: %q -> %q -> %q, %v", s, e, again, err)
		}
	})
}
