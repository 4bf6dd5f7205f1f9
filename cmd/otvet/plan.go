package main

import (
	"context"
	"fmt"
	"time"
)

// cmdPlan lists the visits planned for a working day: by default today in
// the desk's zone (the first desk's, or --desk), from the desks' settings
// assembled as otvet serve assembles them.
func cmdPlan(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "plan", "plan [DATE] [--desk NAME] [--json] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array")
	deskName := fs.String("desk", "", "the desk whose zone says what today is (default: the first desk)")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	db, settings, err := openDBSettings(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	loc, ok := settings.Location(*deskName)
	if !ok {
		return usagef("plan: no desk %q in the configuration", *deskName)
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
