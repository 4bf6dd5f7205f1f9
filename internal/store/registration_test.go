package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// regTicket creates a ticket with a connection request naming the addresses.
func regTicket(t *testing.T, db *store.DB, request string) int64 {
	t.Helper()
	var id int64
	dirTx(t, db, func(tx *store.Tx) error {
		tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "Заявка", RequesterEmail: "head@sad7.ru",
			CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateTicket(ctx(), tk); err != nil {
			return err
		}
		id = tk.ID
		return tx.InsertRegistration(ctx(), &store.Registration{TicketID: id, Request: request})
	})
	return id
}

func ctx() context.Context { return context.Background() }

func TestUpsertUserKeepsOrganisationAndRole(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		a := newOrg(t, db, store.Org{Name: "Школа", Domains: []string{"school.ru"}})
		b := newOrg(t, db, store.Org{Name: "Сад", Domains: []string{"sad.ru"}})
		inA, inB := sql.NullInt64{Int64: a.ID, Valid: true}, sql.NullInt64{Int64: b.ID, Valid: true}
		dirTx(t, db, func(tx *store.Tx) error {
			_, err := tx.UpsertUser(ctx(), &store.User{Email: "head@school.ru", FullName: "Директор", OrgID: inA, Role: store.RoleHead,
				Confirmed: true, Department: "Администрация", Systems: "СЭД", Rights: "подпись", Account: "head"}, "test", t0)
			return err
		})
		u, err := db.UserByEmail(ctx(), "head@school.ru")
		if err != nil || u.Department != "Администрация" || u.Systems != "СЭД" || u.Rights != "подпись" || u.Account != "head" {
			t.Fatalf("stored %+v %v", u, err)
		}
		// An update without a role keeps the head a head.
		dirTx(t, db, func(tx *store.Tx) error {
			_, err := tx.UpsertUser(ctx(), &store.User{Email: "head@school.ru", FullName: "Директор", OrgID: inA, Systems: "СЭД; 1С"}, "test", t0)
			return err
		})
		if u, _ := db.UserByEmail(ctx(), "head@school.ru"); u.Role != store.RoleHead || u.Systems != "СЭД; 1С" {
			t.Errorf("after update %+v", u)
		}
		// Moving to another organisation or demoting needs the operator's word.
		for _, u := range []store.User{
			{Email: "head@school.ru", FullName: "Директор", OrgID: inB},
			{Email: "head@school.ru", FullName: "Директор", OrgID: inA, Role: store.RoleUser},
		} {
			err := db.Tx(ctx(), func(tx *store.Tx) error { _, err := tx.UpsertUser(ctx(), &u, "test", t0); return err })
			if !errors.Is(err, store.ErrExplicitChoice) || !errors.Is(err, store.ErrConflict) {
				t.Errorf("%+v: err = %v, want ErrExplicitChoice", u, err)
			}
		}
		dirTx(t, db, func(tx *store.Tx) error {
			_, err := tx.UpsertUser(ctx(), &store.User{Email: "head@school.ru", FullName: "Директор", OrgID: inB, Role: store.RoleUser},
				"test", t0, store.MoveOrg, store.SetRole)
			return err
		})
		if u, _ := db.UserByEmail(ctx(), "head@school.ru"); u.OrgID != inB || u.Role != store.RoleUser {
			t.Errorf("explicit move %+v", u)
		}
		// A user without an organisation may be given one.
		dirTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.UpsertUser(ctx(), &store.User{Email: "x@gmail.com", FullName: "Икс"}, "test", t0); err != nil {
				return err
			}
			_, err := tx.UpsertUser(ctx(), &store.User{Email: "x@gmail.com", FullName: "Икс", OrgID: inA}, "test", t0)
			return err
		})
	})
}

func TestChangeUserEmailAndNames(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db, store.Org{Name: "МБДОУ Детский сад № 7", Domains: []string{"sad7.ru"}})
		newOrg(t, db, store.Org{Name: "МБДОУ Детский сад № 17"})
		in := sql.NullInt64{Int64: o.ID, Valid: true}
		dirTx(t, db, func(tx *store.Tx) error {
			for _, e := range []string{"orlova@sad7.ru", "other@sad7.ru"} {
				name := "Орлова Нина Ивановна"
				if e == "other@sad7.ru" {
					name = "Иванова Анна"
				}
				if _, err := tx.UpsertUser(ctx(), &store.User{Email: e, FullName: name, OrgID: in, Confirmed: true}, "test", t0); err != nil {
					return err
				}
			}
			return nil
		})
		dirTx(t, db, func(tx *store.Tx) error {
			us, err := tx.UsersNamed(ctx(), o.ID, "орлова  нина ивановна")
			if err != nil || len(us) != 1 || us[0].Email != "orlova@sad7.ru" {
				t.Errorf("UsersNamed = %+v, %v", us, err)
			}
			ids, err := tx.OrgIDsByFoldedName(ctx(), "МБДОУ «Детский сад №7»")
			if err != nil || !slices.Equal(ids, []int64{o.ID}) {
				t.Errorf("OrgIDsByFoldedName = %v, %v", ids, err)
			}
			if err := tx.ChangeUserEmail(ctx(), "orlova@sad7.ru", "other@sad7.ru", "test", t0); !errors.Is(err, store.ErrConflict) {
				t.Errorf("change to a taken address: %v", err)
			}
			return tx.ChangeUserEmail(ctx(), "orlova@sad7.ru", "N.Orlova@sad7.ru", "test", t0)
		})
		if _, err := db.UserByEmail(ctx(), "orlova@sad7.ru"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old address still a user: %v", err)
		}
		if u, err := db.UserByEmail(ctx(), "n.orlova@sad7.ru"); err != nil || u.FullName != "Орлова Нина Ивановна" {
			t.Errorf("new address: %+v %v", u, err)
		}
		if ks := auditKinds(t, db); !slices.Contains(ks, "user_email_changed") {
			t.Errorf("audit kinds %v", ks)
		}
		es, err := db.EventsAbout(ctx(), "N.Orlova@sad7.ru")
		if err != nil || len(es) != 1 || es[0].Kind != "user_email_changed" {
			t.Errorf("EventsAbout = %+v, %v", es, err)
		}
	})
}

func TestFoldName(t *testing.T) {
	for _, c := range [][2]string{
		{"МБДОУ «Детский сад № 7»", "мбдоу детский сад № 7"},
		{"МБДОУ Детский сад №7", "мбдоу детский сад № 7"},
		{"  Соловьёва   Дарья ", "соловьева дарья"},
		{"ООО \"Ромашка\"", "ооо ромашка"},
	} {
		if got := store.FoldName(c[0]); got != c[1] {
			t.Errorf("FoldName(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestRegistrationDecisionsAreAudited(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db, store.Org{Name: "Сад"})
		id := regTicket(t, db, `{"People":[{"Email":"Orlova@sad7.ru","Phone":"2-55-02"}]}`)
		dirTx(t, db, func(tx *store.Tx) error {
			if err := tx.SetRegistrationChoice(ctx(), id, sql.NullInt64{Int64: 999, Valid: true}, false, false); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("choice of a missing organisation: %v", err)
			}
			if err := tx.SetRegistrationChoice(ctx(), id, sql.NullInt64{Int64: o.ID, Valid: true}, false, true); err != nil {
				return err
			}
			r, err := tx.Registration(ctx(), id)
			if err != nil || r.TargetOrgID.Int64 != o.ID || !r.MoveUsers || r.NewOrg {
				t.Errorf("registration %+v %v", r, err)
			}
			if err := tx.AddEvent(ctx(), id, t0, "registration_edited", "cli", "1 people"); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx(), id, t0, "customer_replied", "system", ""); err != nil {
				return err
			}
			return tx.DecideRegistration(ctx(), id, store.RegRejected, sql.NullInt64{}, "agent@kgo66.ru", t0)
		})
		es, err := db.AuditEvents(ctx(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range es {
			kinds = append(kinds, e.Kind)
		}
		if !slices.Contains(kinds, "registration_edited") || !slices.Contains(kinds, "registration_rejected") || slices.Contains(kinds, "customer_replied") {
			t.Errorf("audit kinds %v", kinds)
		}
		rs, err := db.RegistrationsMentioning(ctx(), "orlova@SAD7.ru")
		if err != nil || len(rs) != 1 || rs[0].TicketID != id || rs[0].State != store.RegRejected {
			t.Errorf("RegistrationsMentioning = %+v, %v", rs, err)
		}
		if rs, _ := db.RegistrationsMentioning(ctx(), "orlova_sad7.ru"); len(rs) != 0 {
			t.Errorf("an underscore matched any character: %+v", rs)
		}
	})
}

func TestFollowUpFiles(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		id := regTicket(t, db, `{}`)
		dirTx(t, db, func(tx *store.Tx) error {
			for i, name := range []string{"form.xlsx", "prikaz.pdf"} {
				m := &store.Message{TicketID: id, Direction: store.DirIn, MessageID: name, BodyText: store.Text("text " + name), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
				if err := tx.InsertMessage(ctx(), m); err != nil {
					return err
				}
				if err := tx.InsertAttachment(ctx(), &store.Attachment{MessageID: m.ID, Filename: name, ContentType: "application/pdf", Size: 1}); err != nil {
					return err
				}
			}
			fs, err := tx.FollowUpFiles(ctx(), id)
			if err != nil || len(fs) != 1 || fs[0].Filename != "prikaz.pdf" || fs[0].Text != "text prikaz.pdf" {
				t.Errorf("FollowUpFiles = %+v, %v", fs, err)
			}
			return nil
		})
	})
}

func TestPurgeDropsSentMailOfClosedTickets(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		var closed, open int64
		dirTx(t, db, func(tx *store.Tx) error {
			for i, st := range []string{store.StatusClosed, store.StatusOpen} {
				tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "s", RequesterEmail: "u@x.ru", CreatedAt: t0, UpdatedAt: t0}
				if err := tx.CreateTicket(ctx(), tk); err != nil {
					return err
				}
				for j, state := range []string{"sent", "pending"} {
					o := &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: tk.ID, Valid: true}, Kind: "ack",
						MessageID: strings.Repeat("m", i+1) + state + "@otvet", EnvelopeFrom: "sd@x", Recipients: "u@x.ru", RcptKey: "u@x.ru",
						Raw: []byte("Subject: personal data\r\n\r\nФИО, телефон"), NextAttemptAt: t0, CreatedAt: t0.Add(time.Duration(j) * time.Second)}
					if err := tx.InsertOutgoing(ctx(), o); err != nil {
						return err
					}
				}
				if err := tx.UpdateTicketState(ctx(), tk.ID, st, "", sql.NullTime{}, t0); err != nil {
					return err
				}
				if i == 0 {
					closed = tk.ID
				} else {
					open = tk.ID
				}
			}
			return nil
		})
		for _, id := range []int64{closed, open} {
			rows, _ := db.OutgoingForTicket(ctx(), id)
			if err := db.MarkSent(ctx(), rows[0].ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		dirTx(t, db, func(tx *store.Tx) error {
			var err error
			n, err = tx.PurgeBefore(ctx(), t0.Add(time.Hour))
			return err
		})
		if n != 1 {
			t.Errorf("purged %d rows, want the one sent message of the closed ticket", n)
		}
		for _, c := range []struct {
			id    int64
			empty []bool // per row: raw purged
		}{{closed, []bool{true, false}}, {open, []bool{false, false}}} {
			rows, _ := db.OutgoingForTicket(ctx(), c.id)
			for i, r := range rows {
				if (len(r.Raw) == 0) != c.empty[i] {
					t.Errorf("ticket #%d row %d (%s): raw %d bytes", c.id, i, r.State, len(r.Raw))
				}
			}
		}
	})
}

// The operator's permissions on a request (domains to add, addresses
// allowed, role changes) are stored and read back on both engines.
func TestRegistrationAllowances(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		id := regTicket(t, db, `{"People":[{"Email":"outsider@evil.test"}]}`)
		dirTx(t, db, func(tx *store.Tx) error {
			r, err := tx.Registration(ctx(), id)
			if err != nil || len(r.AddDomains) != 0 || len(r.AllowPeople) != 0 || r.AllowRoleChange {
				t.Errorf("a new request %+v %v", r, err)
			}
			if err := tx.SetRegistrationAllowances(ctx(), id, store.List{"evil.test", "ds7.kgo66.ru"}, store.List{"a@gmail.com"}, true); err != nil {
				return err
			}
			r, err = tx.Registration(ctx(), id)
			if err != nil || !slices.Equal(r.AddDomains, []string{"evil.test", "ds7.kgo66.ru"}) ||
				!slices.Equal(r.AllowPeople, []string{"a@gmail.com"}) || !r.AllowRoleChange {
				t.Errorf("after the choice %+v %v", r, err)
			}
			return nil
		})
	})
}
