package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/store"
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
		t, ok := parseDay(fs.Arg(0), loc)
		if !ok {
			return usagef("plan: %q is not a date like 2025-01-09", fs.Arg(0))
		}
		day = t.Format("2006-01-02")
	}
	ts, err := db.PlannedTickets(ctx, day)
	if err != nil {
		return err
	}
	visits := make([]planJSON, 0, len(ts))
	for i := range ts {
		v := planJSON{ticketJSON: toTicketJSON(&ts[i])}
		if ts[i].OrgID.Valid {
			o, err := db.OrgByID(ctx, ts[i].OrgID.Int64)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if o != nil {
				v.Organisation, v.Address = o.Name, o.Address
			}
		}
		visits = append(visits, v)
	}
	if *asJSON {
		return writeJSON(e.Stdout, visits)
	}
	fmt.Fprintf(e.Stdout, "Visits planned for %s: %d\n", day, len(visits))
	return printPlan(e.Stdout, visits)
}

// planJSON is a planned visit: the ticket with its organisation's name and
// address (where to go).
type planJSON struct {
	ticketJSON
	Address string `json:"address,omitempty"`
}

// printPlan prints the visits of a day: who goes where, about what.
func printPlan(w io.Writer, visits []planJSON) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tASSIGNEE\tORGANISATION\tADDRESS\tREQUESTER\tSUBJECT")
	for _, v := range visits {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", v.Number, cmpOr(v.Assignee, "-"), cmpOr(clip(v.Organisation, 40), "-"),
			cmpOr(clip(v.Address, 50), "-"), v.Requester, clip(v.Subject, 50))
	}
	return tw.Flush()
}
