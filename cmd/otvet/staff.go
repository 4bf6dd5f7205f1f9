package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/store"
)

func cmdStaff(ctx context.Context, e *env, args []string) error {
	const usage = "staff add --email E --name N --role agent|lead|manager | list [--json] | disable EMAIL | enable EMAIL"
	if len(args) == 0 {
		return usagef("usage: otvet %s", usage)
	}
	fs := newFlags(e, "staff "+args[0], usage)
	cfg := configFlag(fs)
	switch args[0] {
	case "add":
		email := fs.String("email", "", "the staff member's own address")
		name := fs.String("name", "", "full name")
		role := fs.String("role", "agent", "agent, lead (may assign to others) or manager (digests only)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if *email == "" {
			return usagef("staff add: --email is required")
		}
		d, err := openDirectory(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer d.db.Close()
		s := &store.Staff{Email: *email, Name: *name, Role: *role, Active: true}
		if err := d.svc.AddStaff(ctx, s); err != nil {
			return dirErr("staff add", err)
		}
		fmt.Fprintf(e.Stdout, "staff %s (%s) is an active %s\n", s.Email, s.Name, s.Role)
		return nil
	case "list":
		asJSON := fs.Bool("json", false, "one JSON array")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		db, err := openDB(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		ss, err := db.ListStaff(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			type sj struct {
				Email  string `json:"email"`
				Name   string `json:"name"`
				Role   string `json:"role"`
				Active bool   `json:"active"`
			}
			out := make([]sj, 0, len(ss))
			for _, s := range ss {
				out = append(out, sj{s.Email, s.Name, s.Role, s.Active})
			}
			return writeJSON(e.Stdout, out)
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tACTIVE")
		for _, s := range ss {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", s.Email, s.Name, s.Role, s.Active)
		}
		return tw.Flush()
	case "disable", "enable":
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("staff %s: give the staff member's e-mail", args[0])
		}
		d, err := openDirectory(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer d.db.Close()
		enable := args[0] == "enable"
		s, err := d.svc.SetStaffActive(ctx, fs.Arg(0), enable)
		if err != nil {
			return dirErr("staff "+args[0], err)
		}
		if enable {
			fmt.Fprintf(e.Stdout, "staff %s is active\n", s.Email)
		} else {
			fmt.Fprintf(e.Stdout, "staff %s is disabled: their mail is no longer accepted as staff mail, "+
				"and a restart does not re-activate them (enable: otvet staff enable %s)\n", s.Email, s.Email)
		}
		return nil
	}
	return usagef("staff: unknown subcommand %q; usage: otvet %s", args[0], usage)
}

// cmdPlan lists the visits planned for a working day.
func cmdPlan(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "plan", "plan [DATE] [--desk NAME] [--json] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array")
	deskName := fs.String("desk", "", "the desk whose zone says what today is (default: the first desk)")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	db, c, err := openDBConfig(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	loc, err := deskLocation(c, *deskName)
	if err != nil {
		return err
	}
	day := time.Now().In(loc).Format("2006-01-02")
	if fs.NArg() > 0 {
		t, err := time.Parse("2006-01-02", fs.Arg(0))
		if err != nil {
			if t, err = time.Parse("02.01.2006", fs.Arg(0)); err != nil {
				return usagef("plan: %q is not a date like 2025-01-09", fs.Arg(0))
			}
		}
		day = t.Format("2006-01-02")
	}
	ts, err := db.PlannedTickets(ctx, day)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]ticketJSON, 0, len(ts))
		for i := range ts {
			out = append(out, toTicketJSON(&ts[i]))
		}
		return writeJSON(e.Stdout, out)
	}
	fmt.Fprintf(e.Stdout, "Visits planned for %s: %d\n", day, len(ts))
	return printTickets(e.Stdout, ts)
}

// deskLocation is the time zone of the named desk (the first one by default).
func deskLocation(c *config.Config, name string) (*time.Location, error) {
	for _, d := range c.Desks {
		if name == "" || d.Name == name {
			loc, err := time.LoadLocation(d.TimeZone)
			if err != nil {
				return nil, fmt.Errorf("desk %s: timezone %q: %w", d.Name, d.TimeZone, err)
			}
			return loc, nil
		}
	}
	if name != "" {
		return nil, usagef("plan: no desk %q in the configuration", name)
	}
	return time.Local, nil
}
