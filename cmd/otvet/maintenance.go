package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

func cmdMaintenance(ctx context.Context, e *env, args []string) error {
	const usage = "maintenance add --system NAME --from TIME --to TIME [--note TEXT] [--keywords W1,W2] [--announce] [--tz ZONE] | list [--json] [--tz ZONE] | end ID [--at TIME] [--tz ZONE] | remove ID"
	if len(args) == 0 {
		return usagef("usage: otvet %s", usage)
	}
	fs := newFlags(e, "maintenance "+args[0], usage)
	cfg := configFlag(fs)
	tz := tzFlag(fs)
	switch args[0] {
	case "add":
		system := fs.String("system", "", "the system under maintenance, as users name it (e.g. МИС, 1С, ЕИС)")
		from := fs.String("from", "", "start: RFC 3339, or YYYY-MM-DD HH:MM in the first desk's zone")
		to := fs.String("to", "", "end, as --from")
		note := fs.String("note", "", "what users are told")
		keywords := fs.String("keywords", "", "comma-separated other words that name the system")
		announced := fs.Bool("announce", false, "mail the system's users now, when the window changes and when it is over")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if strings.TrimSpace(*system) == "" {
			return usagef("maintenance add: --system is required")
		}
		a, err := openApp(ctx, e, *cfg, app.Options{})
		if err != nil {
			return err
		}
		defer a.Close()
		loc, _ := a.Settings.Location("")
		out, err := outputZone(a.Settings, *tz)
		if err != nil {
			return err
		}
		start, err := parseLocalTime(*from, loc)
		if err != nil {
			return usagef("maintenance add: --from: %v", err)
		}
		end, err := parseLocalTime(*to, loc)
		if err != nil {
			return usagef("maintenance add: --to: %v", err)
		}
		if !end.After(start) {
			return usagef("maintenance add: --to must be after --from")
		}
		w := &store.MaintenanceWindow{System: *system, Keywords: *keywords, StartsAt: start, EndsAt: end, Note: *note, CreatedBy: "cli"}
		if err := a.Service.AddMaintenanceAnnounced(ctx, w, *announced); errors.Is(err, helpdesk.ErrBadMaintenance) {
			return usagef("maintenance add: %v", err)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "maintenance window #%d: %s, %s – %s\n", w.ID, w.System, localTime(start, out), localTime(end, out))
		return nil
	case "list":
		asJSON := fs.Bool("json", false, "one JSON array")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		db, settings, err := openDBSettings(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		loc, err := outputZone(settings, *tz)
		if err != nil {
			return err
		}
		ws, err := db.ListMaintenance(ctx, time.Now().UTC())
		if err != nil {
			return err
		}
		if *asJSON {
			type wj struct {
				ID       int64  `json:"id"`
				System   string `json:"system"`
				Keywords string `json:"keywords,omitempty"`
				From     string `json:"from"`
				To       string `json:"to"`
				Note     string `json:"note,omitempty"`
			}
			out := make([]wj, 0, len(ws))
			for _, w := range ws {
				out = append(out, wj{w.ID, w.System, w.Keywords, rfc3339(w.StartsAt), rfc3339(w.EndsAt), w.Note})
			}
			return writeJSON(e.Stdout, out)
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSYSTEM\tFROM\tTO\tNOTE")
		for _, w := range ws {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", w.ID, w.System, localTime(w.StartsAt, loc), localTime(w.EndsAt, loc), w.Note)
		}
		return tw.Flush()
	case "remove", "end":
		at := fs.String("at", "", "end: the new end (RFC 3339, or YYYY-MM-DD HH:MM in the first desk's zone); default now")
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("maintenance %s: give the window's ID", args[0])
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id <= 0 {
			return usagef("maintenance %s: %q is not an ID", args[0], fs.Arg(0))
		}
		if *at != "" && args[0] == "remove" {
			return usagef("maintenance remove: --at is for end")
		}
		a, err := openApp(ctx, e, *cfg, app.Options{})
		if err != nil {
			return err
		}
		defer a.Close()
		end := time.Now()
		loc, _ := a.Settings.Location("")
		out, err := outputZone(a.Settings, *tz)
		if err != nil {
			return err
		}
		if *at != "" {
			if end, err = parseLocalTime(*at, loc); err != nil {
				return usagef("maintenance end: --at: %v", err)
			}
		}
		var n int64
		if args[0] == "remove" {
			n, err = a.Service.RemoveMaintenance(ctx, id, "cli")
		} else {
			n, err = a.Service.EndMaintenance(ctx, id, end, "cli")
		}
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no maintenance window #%d", id)
		}
		if err != nil {
			return err
		}
		if args[0] == "remove" {
			fmt.Fprintf(e.Stdout, "maintenance window #%d removed; %d deferred requests resume now\n", id, n)
		} else {
			fmt.Fprintf(e.Stdout, "maintenance window #%d ends %s; %d deferred requests resume then\n", id, localTime(end, out), n)
		}
		return nil
	}
	return usagef("maintenance: unknown subcommand %q; usage: otvet %s", args[0], usage)
}

// parseLocalTime reads RFC 3339, or a date and time without offset in loc
// (parseInstant: a wall time that occurs twice is the earlier instant, one
// that never occurs is moved forward by the gap).
func parseLocalTime(s string, loc *time.Location) (time.Time, error) {
	if t, ok := parseInstant(s, loc); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write 2025-01-09 09:00 (in the desk's zone) or RFC 3339", s)
}
