package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

const digestUsage = "digest --period day|week|month [--date YYYY-MM-DD] [--org ID] [--lang ru|en] [--print | --to EMAIL] [--as-of TIME] [--config FILE]"

// cmdDigest builds a manager's digest: prints its text form, or queues the
// mail (HTML, chart, CSV) in the outbox.
func cmdDigest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "digest", digestUsage)
	cfg := configFlag(fs)
	period := fs.String("period", "day", "day, week or month")
	date := fs.String("date", "", "a date in the period (default: the last complete period)")
	org := fs.Int64("org", 0, "only this organisation's tickets (a client head's digest)")
	lang := fs.String("lang", "ru", "ru or en")
	print := fs.Bool("print", false, "write the text form to standard output (the default)")
	to := fs.String("to", "", "queue the digest mail to this address in the outbox")
	asOf := fs.String("as-of", "", "compute as of this time (2025-01-09 10:00 in the desk's zone, or RFC 3339; default now)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("digest: unexpected argument %q; usage: otvet %s", fs.Arg(0), digestUsage)
	}
	kind, err := digest.ParseKind(*period)
	if err != nil {
		return usagef("digest: %v", err)
	}
	if *lang != "ru" && *lang != "en" {
		return usagef("digest: --lang must be ru or en, not %q", *lang)
	}
	if *print && *to != "" {
		return usagef("digest: --print and --to exclude each other")
	}
	if *to != "" && !strings.Contains(*to, "@") {
		return usagef("digest: --to %q is not an address", *to)
	}
	if *org < 0 {
		return usagef("digest: --org must be a positive organisation id")
	}
	if _, err := parseAsOf(*asOf, time.UTC); err != nil {
		return err
	}
	c, settings, db, err := openForReports(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	setup := settings.Digest()
	plan, err := settings.DigestPlan(c.Digests)
	if err != nil {
		return err
	}
	now, err := parseAsOf(*asOf, plan.Location())
	if err != nil {
		return err
	}
	var p digest.Period
	if *date != "" {
		d, err := parseDate(*date, plan.Location())
		if err != nil {
			return usagef("digest: --date: %v", err)
		}
		p, err = plan.Of(kind, workcal.DateOf(d))
		if err != nil {
			return err
		}
	} else if p, err = plan.LastComplete(kind, now); err != nil {
		return err
	}
	tm, err := mailout.LoadTemplates(c.Templates.Dir)
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	r, err := digest.NewReporter(db, setup)
	if err != nil {
		return err
	}
	rc := digest.Recipient{Email: *to, Lang: *lang, OrgID: *org}
	d, err := r.Build(ctx, tm, p, rc, now)
	if err != nil {
		return err
	}
	if *to == "" {
		_, err := fmt.Fprint(e.Stdout, "Subject: "+d.Rendered.Subject+"\n\n"+d.Rendered.Text)
		return err
	}
	o, err := digest.QueueNow(ctx, db, setup, d, rc, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "queued the %s digest for %s to %s as outbox #%d; otvet serve (or poll --once) sends it\n",
		kind, p.Format("en"), *to, o.ID)
	return nil
}

const reportUsage = "report sla --from YYYY-MM-DD --to YYYY-MM-DD [--org ID] [--format text|json|csv] [--as-of TIME] [--config FILE]"

// cmdReport prints the SLA report of a period (both dates included).
func cmdReport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "sla" {
		return usagef("usage: otvet %s", reportUsage)
	}
	fs := newFlags(e, "report sla", reportUsage)
	cfg := configFlag(fs)
	from := fs.String("from", "", "first date of the period")
	to := fs.String("to", "", "last date of the period (included)")
	org := fs.Int64("org", 0, "only this organisation's tickets")
	format := fs.String("format", "text", "text, json or csv")
	asOf := fs.String("as-of", "", "compute as of this time (2025-01-09 10:00 in the desk's zone, or RFC 3339; default now)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("report sla: unexpected argument %q", fs.Arg(0))
	}
	if *from == "" || *to == "" {
		return usagef("report sla: --from and --to are required; usage: otvet %s", reportUsage)
	}
	if *format != "text" && *format != "json" && *format != "csv" {
		return usagef("report sla: --format must be text, json or csv, not %q", *format)
	}
	if *org < 0 {
		return usagef("report sla: --org must be a positive organisation id")
	}
	if _, err := parseAsOf(*asOf, time.UTC); err != nil {
		return err
	}
	_, settings, db, err := openForReports(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	setup := settings.Digest()
	loc := setup.Default.Location()
	now, err := parseAsOf(*asOf, loc)
	if err != nil {
		return err
	}
	f, err := parseDate(*from, loc)
	if err != nil {
		return usagef("report sla: --from: %v", err)
	}
	t, err := parseDate(*to, loc)
	if err != nil {
		return usagef("report sla: --to: %v", err)
	}
	if t.Before(f) {
		return usagef("report sla: --to %s is before --from %s", *to, *from)
	}
	r, err := digest.NewReporter(db, setup)
	if err != nil {
		return err
	}
	rep, err := r.Report(ctx, digest.Params{From: f, To: t.AddDate(0, 0, 1), Now: now, OrgID: *org})
	if err != nil {
		return err
	}
	s := rep.SLA()
	switch *format {
	case "json":
		return s.WriteJSON(e.Stdout)
	case "csv":
		return s.WriteCSV(e.Stdout)
	}
	return s.WriteText(e.Stdout)
}

// openForReports loads the whole configuration, assembles the desks'
// settings (calendars, levels, clauses) and opens the database.
func openForReports(ctx context.Context, e *env, cfgFlag string) (*config.Config, *app.Settings, *store.DB, error) {
	c, err := loadConfig(e, cfgFlag)
	if err != nil {
		return nil, nil, nil, err
	}
	settings, err := app.LoadSettings(c, e.Log)
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := app.OpenDB(ctx, c, e.Log)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return c, settings, db, nil
}

// parseDate reads a calendar date as YYYY-MM-DD or DD.MM.YYYY (the form
// the digests print) and returns its first instant in loc (parseDay: a
// midnight the zone skips moves forward). The error says what is wrong:
// the form, or a day the month does not have.
func parseDate(s string, loc *time.Location) (time.Time, error) {
	if t, ok := parseDay(s, loc); ok {
		return t, nil
	}
	v := strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02.01.2006"} {
		_, err := time.Parse(layout, v)
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" && len(v) == len(layout) {
			// The form is right but the date does not exist (2025-02-30, 2025-13-01).
			return time.Time{}, fmt.Errorf("%q is not a date%s", s, pe.Message)
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: write 2024-12-27 or 27.12.2024", s)
}

// parseAsOf reads --as-of: now when empty, else a time as parseInstant
// reads it (a wall time in loc, the desk's zone). It is called once with
// UTC before the configuration is read, to refuse a bad form early.
func parseAsOf(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, ok := parseInstant(s, loc)
	if !ok {
		return time.Time{}, usagef("--as-of %q is not a time: write 2025-01-09 10:00 (in the desk's zone) or RFC 3339 (2025-01-09T10:00:00+03:00)", s)
	}
	return t, nil
}
