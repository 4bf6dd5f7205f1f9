package directory

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// Export gathers what is stored about a person: the directory and staff
// entries, the audit events naming them, their rows in connection requests
// and the tickets they took part in; someone unknown gets empty lists.
func TestExport(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	at := time.Date(2025, 1, 9, 10, 0, 0, 0, time.UTC)
	req := regform.Request{Organisation: regform.Organisation{Name: "МБДОУ № 7"}, People: []regform.Person{
		{Row: 1, FullName: "Соколова Елена Павловна", Email: "sokolova@sad7.kgo66.ru"},
		{Row: 2, FullName: "Орлова Нина Ивановна", Email: "Orlova@Sad7.kgo66.ru", Phone: "2-55-02"},
	}}
	body, _ := json.Marshal(req)
	var ticket int64
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertUser(ctx, &store.User{Email: "orlova@sad7.kgo66.ru", FullName: "Орлова Нина Ивановна", Role: store.RoleUser}, "test", at); err != nil {
			return err
		}
		if err := tx.UpsertStaff(ctx, &store.Staff{Email: "orlova@sad7.kgo66.ru", Name: "Орлова", Role: "manager", Active: true}, "test", at); err != nil {
			return err
		}
		tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "Заявка",
			RequesterEmail: "sokolova@sad7.kgo66.ru", CreatedAt: at, UpdatedAt: at}
		if err := tx.CreateTicket(ctx, tk); err != nil {
			return err
		}
		ticket = tk.ID
		for _, p := range [][2]string{{"sokolova@sad7.kgo66.ru", "requester"}, {"orlova@sad7.kgo66.ru", "cc"}} {
			if _, err := tx.AddParticipant(ctx, tk.ID, p[0], "", p[1], at); err != nil {
				return err
			}
		}
		return tx.InsertRegistration(ctx, &store.Registration{TicketID: tk.ID, Request: string(body)})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, email       string
		user, staff       bool
		rows, tickets     int
		eventKind         string
		wantEmail, wantPh string
	}{
		{"user and staff", " Orlova@SAD7.kgo66.ru ", true, true, 1, 1, "user_added", "orlova@sad7.kgo66.ru", "2-55-02"},
		{"requester only", "sokolova@sad7.kgo66.ru", false, false, 1, 1, "", "sokolova@sad7.kgo66.ru", ""},
		{"unknown", "nobody@example.test", false, false, 0, 0, "", "nobody@example.test", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, err := s.Export(ctx, c.email)
			if err != nil {
				t.Fatal(err)
			}
			if x.Email != c.wantEmail || (x.User != nil) != c.user || (x.Staff != nil) != c.staff ||
				len(x.Registrations) != c.rows || len(x.Tickets) != c.tickets {
				t.Fatalf("export %+v", x)
			}
			if x.Events == nil || x.Registrations == nil || x.Tickets == nil || x.Bounces == nil {
				t.Errorf("nil lists: %+v", x)
			}
			if c.rows > 0 && (x.Registrations[0].Ticket != ticket || x.Registrations[0].Person.Phone != c.wantPh) {
				t.Errorf("rows %+v", x.Registrations)
			}
			if c.eventKind != "" && !slices.ContainsFunc(x.Events, func(e store.Event) bool { return e.Kind == c.eventKind }) {
				t.Errorf("events %+v lack %s", x.Events, c.eventKind)
			}
		})
	}
}
