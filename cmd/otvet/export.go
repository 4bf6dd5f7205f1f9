package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// exportRow is a person's row in a connection request.
type exportRow struct {
	Ticket int64          `json:"ticket"`
	State  string         `json:"state"`
	Person regform.Person `json:"person"`
}

// exportStaff is a person's support-staff entry.
type exportStaff struct {
	Email     string `json:"email"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Active    bool   `json:"active"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// userExport prints everything stored about a person (152-FZ subject access):
// the directory entry, the staff entry, the audit events naming them, their
// rows in connection requests, every ticket and message they took part in,
// and the bounces of mail to them.
func userExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user export", "user export EMAIL [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || !strings.Contains(fs.Arg(0), "@") {
		return usagef("user export: give one e-mail address")
	}
	email := strings.ToLower(strings.TrimSpace(fs.Arg(0)))
	if n, err := store.NormalizeEmail(email); err == nil {
		email = n
	}
	db, err := openDB(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	out := map[string]any{"email": email}
	if u, err := db.UserByEmail(ctx, email); err == nil {
		out["directory"] = toUserJSON(u)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var staff *store.Staff
	err = db.Tx(ctx, func(tx *store.Tx) error {
		s, err := tx.StaffByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		staff = s
		return err
	})
	if err != nil {
		return err
	}
	if staff != nil {
		out["staff"] = exportStaff{Email: staff.Email, Name: staff.Name, Role: staff.Role, Active: staff.Active,
			CreatedAt: rfc3339(staff.CreatedAt), UpdatedAt: rfc3339(staff.UpdatedAt)}
	}
	events, err := db.EventsAbout(ctx, email)
	if err != nil {
		return err
	}
	out["events"] = toAuditJSON(events)
	regs, err := db.RegistrationsMentioning(ctx, email)
	if err != nil {
		return err
	}
	rows := []exportRow{}
	for _, r := range regs {
		var req regform.Request
		if err := json.Unmarshal([]byte(r.Request), &req); err != nil {
			continue
		}
		for _, p := range req.People {
			if n, err := store.NormalizeEmail(p.Email); err == nil && n == email {
				rows = append(rows, exportRow{Ticket: r.TicketID, State: r.State, Person: p})
			}
		}
	}
	out["registrations"] = rows
	ids, err := db.TicketsOf(ctx, email)
	if err != nil {
		return err
	}
	tickets := []ticketJSON{}
	for _, id := range ids {
		j, err := loadTicket(ctx, db, id)
		if err != nil {
			return err
		}
		tickets = append(tickets, j)
	}
	out["tickets"] = tickets
	bounces, err := db.BouncesOf(ctx, email)
	if err != nil {
		return err
	}
	if bounces == nil {
		bounces = []store.Bounce{}
	}
	out["bounces"] = bounces
	return writeJSON(e.Stdout, out)
}
