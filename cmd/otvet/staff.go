package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/store"
)

func cmdStaff(ctx context.Context, e *env, args []string) error {
	const usage = "staff add --email E --name N --role agent|lead|manager | list [--json] | disable EMAIL | enable EMAIL | revoke EMAIL | edit EMAIL --morning on|off"
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
		type sj struct {
			Email  string `json:"email"`
			Name   string `json:"name"`
			Role   string `json:"role"`
			Active bool   `json:"active"`
		}
		return listing[store.Staff]{
			head:  []string{"EMAIL", "NAME", "ROLE", "ACTIVE"},
			cells: func(s store.Staff) []string { return []string{s.Email, s.Name, s.Role, fmt.Sprint(s.Active)} },
			json:  func(s store.Staff) any { return sj{s.Email, s.Name, s.Role, s.Active} },
		}.run(ctx, e, fs, cfg, args[1:], (*store.DB).ListStaff)
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
	case "revoke":
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("staff revoke: give the staff member's e-mail")
		}
		d, err := openDirectory(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer d.db.Close()
		n, err := d.svc.RevokeStaffTokens(ctx, fs.Arg(0))
		if err != nil {
			return dirErr("staff revoke", err)
		}
		fmt.Fprintf(e.Stdout, "the reply addresses of %s are revoked on %d ticket(s): a reply to mail they received before "+
			"is refused; their next notifications carry new ones (to stop them altogether: otvet staff disable %s)\n",
			fs.Arg(0), n, fs.Arg(0))
		return nil
	case "edit":
		return staffEdit(ctx, e, fs, cfg, args[1:])
	}
	return usagef("staff: unknown subcommand %q; usage: otvet %s", args[0], usage)
}

// staffEdit changes a member's own settings: --morning on|off switches
// their morning mail (docs/digest.md#morning-mail), audited.
func staffEdit(ctx context.Context, e *env, fs *flag.FlagSet, cfg *string, args []string) error {
	morning := fs.String("morning", "", "on or off: the member's morning mail at the desk's opening")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("staff edit: give the staff member's e-mail")
	}
	var on bool
	switch strings.ToLower(*morning) {
	case "on", "yes", "true":
		on = true
	case "off", "no", "false":
	case "":
		return usagef("staff edit: nothing to change (--morning on|off)")
	default:
		return usagef("staff edit: --morning must be on or off, not %q", *morning)
	}
	db, err := openDB(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	changed, err := digest.SetMorningMail(ctx, db, fs.Arg(0), on, "cli", time.Now())
	if errors.Is(err, digest.ErrNotStaff) {
		return usagef("staff edit: %v", err)
	}
	if err != nil {
		return err
	}
	state := "off"
	if on {
		state = "on"
	}
	if !changed {
		fmt.Fprintf(e.Stdout, "the morning mail of %s was already %s\n", fs.Arg(0), state)
		return nil
	}
	fmt.Fprintf(e.Stdout, "the morning mail of %s is %s\n", fs.Arg(0), state)
	return nil
}
