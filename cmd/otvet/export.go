package main

import (
	"context"
	"strings"

	"github.com/otvet/otvet/internal/regform"
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
// and the bounces of mail to them. The directory gathers it; this prints it.
func userExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user export", "user export EMAIL [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || !strings.Contains(fs.Arg(0), "@") {
		return usagef("user export: give one e-mail address")
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	x, err := d.svc.Export(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	out := map[string]any{"email": x.Email}
	if x.User != nil {
		out["directory"] = toUserJSON(x.User)
	}
	if s := x.Staff; s != nil {
		out["staff"] = exportStaff{Email: s.Email, Name: s.Name, Role: s.Role, Active: s.Active,
			CreatedAt: rfc3339(s.CreatedAt), UpdatedAt: rfc3339(s.UpdatedAt)}
	}
	out["events"] = toAuditJSON(x.Events)
	rows := []exportRow{}
	for _, r := range x.Registrations {
		rows = append(rows, exportRow{Ticket: r.Ticket, State: r.State, Person: r.Person})
	}
	out["registrations"] = rows
	tickets := []ticketJSON{}
	for _, id := range x.Tickets {
		j, err := loadTicket(ctx, d.db, id)
		if err != nil {
			return err
		}
		tickets = append(tickets, j)
	}
	out["tickets"] = tickets
	out["bounces"] = x.Bounces
	return writeJSON(e.Stdout, out)
}
