package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // desks name their zones; do not depend on the host's zoneinfo

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/workcal"
)

// calendarHelp is the help of the calendar command and its subcommands.
const calendarHelp = `With --config (or $OTVET_CONFIG) and no --tz, the first desk's zone, hours
and calendar overrides are used.
With - as the last argument, between and add read one query a line from
standard input ("FROM TO" or "FROM DURATION").
FROM, TO: 2024-12-27T10:00, 2024-12-27 10:00[:00], with +05:00 or Z, or a bare
date (midnight); local to ZONE (default Europe/Moscow) without an offset.
DURATION: 8h, 90m, 1h30m or whole seconds. See docs/calendar.md.`

// calendarFlags are the command-line settings that shape the calendar.
type calendarFlags struct {
	TZ        string
	Overrides string
	JSON      bool
	// Config: a configuration file whose first desk (zone, hours, overrides
	// file) shapes the calendar unless --tz is given.
	Config string
	tzSet  bool
}

// newCalendarFromFlags builds the desk calendar for the calendar command.
func newCalendarFromFlags(e *env, f calendarFlags) (*workcal.Calendar, error) {
	if f.Config == "" && !f.tzSet {
		f.Config = e.Config
	}
	if f.Config == "" && !f.tzSet {
		f.Config = e.Getenv("OTVET_CONFIG")
	}
	if f.Config != "" && !f.tzSet && f.Overrides == "" {
		c, err := config.Load(f.Config, e.Getenv)
		if err != nil {
			return nil, err
		}
		settings, err := app.LoadSettings(c, e.Log)
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		return settings.Default, nil
	}
	loc, err := time.LoadLocation(f.TZ)
	if err != nil || f.TZ == "" || strings.EqualFold(f.TZ, "local") {
		return nil, usagef("calendar: bad --tz %q: want an IANA zone such as Europe/Moscow or Asia/Yekaterinburg", f.TZ)
	}
	var ovs workcal.Overrides
	if f.Overrides != "" {
		file, err := os.Open(f.Overrides)
		if err != nil {
			return nil, fmt.Errorf("calendar: --overrides: %w", err)
		}
		defer file.Close()
		if ovs, err = workcal.ParseOverrides(file); err != nil {
			return nil, fmt.Errorf("calendar: --overrides %s: %w", f.Overrides, err)
		}
	}
	return workcal.New(workcal.Options{Location: loc, Overrides: ovs, Logger: e.Log})
}

// calendarSub runs one calendar subcommand (between, add or show).
func calendarSub(sub string) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		return cmdCalendar(ctx, e, sub, args)
	}
}

func cmdCalendar(ctx context.Context, e *env, sub string, args []string) error {
	f, pos, err := calParseFlags(sub, args)
	if err != nil {
		return err
	}
	c, err := newCalendarFromFlags(e, f)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.Stdout)
	switch sub {
	case "show":
		err = calShow(w, c, f, pos)
	default:
		err = calQueries(ctx, e, w, c, sub, f.JSON, pos)
	}
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("calendar: write output: %w", ferr)
	}
	return err
}

// calParseFlags accepts the flags anywhere among the arguments, as
// --name VALUE, --name=VALUE or with one dash. A lone "-" and negative
// durations ("-2h") are arguments, and "--" ends the flags.
func calParseFlags(sub string, args []string) (calendarFlags, []string, error) {
	f := calendarFlags{TZ: workcal.DefaultZone}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || (a[1] >= '0' && a[1] <= '9') {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "json":
			if sub == "show" {
				return f, nil, usagef("calendar show: --json is not supported")
			}
			f.JSON = !hasVal || val == "true"
			if hasVal && val != "true" && val != "false" {
				return f, nil, usagef("calendar %s: bad --json=%q", sub, val)
			}
		case "tz", "overrides", "config":
			if !hasVal {
				if i+1 >= len(args) {
					return f, nil, usagef("calendar %s: --%s needs a value", sub, name)
				}
				i++
				val = args[i]
			}
			switch name {
			case "tz":
				f.TZ, f.tzSet = val, true
			case "overrides":
				f.Overrides = val
			default:
				f.Config = val
			}
		case "h", "help":
			return f, nil, errHelpShown
		default:
			return f, nil, usagef("calendar %s: unknown flag %s; see 'otvet calendar %s --help'", sub, a, sub)
		}
	}
	return f, calJoinDateTime(pos), nil
}

// calJoinDateTime glues "2024-12-27" "10:00" into one argument.
func calJoinDateTime(toks []string) []string {
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if len(t) == 10 && t[4] == '-' && t[7] == '-' && i+1 < len(toks) {
			if n := toks[i+1]; len(n) >= 4 && n[0] >= '0' && n[0] <= '9' && strings.Contains(n[:3], ":") {
				t += "T" + n
				i++
			}
		}
		out = append(out, t)
	}
	return out
}

// calParseInstant parses an ISO 8601 instant; without an offset it is local
// to loc (parseInstant: a wall time that occurs twice is the earlier
// instant, one that never occurs is moved forward by the gap).
func calParseInstant(s string, loc *time.Location) (time.Time, error) {
	if t, ok := parseInstant(s, loc); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad time %q: want ISO 8601 such as 2024-12-27T10:00, 2024-12-27 10:00:00, 2024-12-27T10:00+05:00 or 2024-12-27", s)
}

// calParseDuration parses Go syntax (8h, 90m) or whole seconds.
func calParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > math.MaxInt64/int64(time.Second) || n < math.MinInt64/int64(time.Second) {
			return 0, fmt.Errorf("bad duration %q: too large", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: want 8h, 90m, 1h30m or whole seconds", s)
	}
	return d, nil
}

// calResult is one answer; the JSON form has at least seconds (between)
// or due (add).
type calResult struct {
	From     string  `json:"from"`
	To       string  `json:"to,omitempty"`
	Due      string  `json:"due,omitempty"`
	Duration string  `json:"duration"`
	Seconds  float64 `json:"seconds"`
}

// calAnswer evaluates one query of two arguments.
func calAnswer(c *workcal.Calendar, sub string, a, b string) (calResult, string, error) {
	loc := c.Location()
	from, err := calParseInstant(a, loc)
	if err != nil {
		return calResult{}, "", fmt.Errorf("FROM: %w", err)
	}
	r := calResult{From: from.In(loc).Format(time.RFC3339Nano)}
	if sub == "between" {
		to, err := calParseInstant(b, loc)
		if err != nil {
			return calResult{}, "", fmt.Errorf("TO: %w", err)
		}
		d := c.Between(from, to)
		r.To, r.Duration, r.Seconds = to.In(loc).Format(time.RFC3339Nano), d.String(), d.Seconds()
		return r, r.Duration, nil
	}
	d, err := calParseDuration(b)
	if err != nil {
		return calResult{}, "", fmt.Errorf("DURATION: %w", err)
	}
	r.Due, r.Duration, r.Seconds = c.Add(from, d).In(loc).Format(time.RFC3339Nano), d.String(), d.Seconds()
	return r, r.Due, nil
}

// calQueries answers between/add for the arguments or, with "-", for each
// line of standard input.
func calQueries(ctx context.Context, e *env, w *bufio.Writer, c *workcal.Calendar, sub string, asJSON bool, pos []string) error {
	want := "FROM TO"
	if sub == "add" {
		want = "FROM DURATION"
	}
	enc := json.NewEncoder(w)
	if len(pos) == 1 && pos[0] == "-" {
		return calStdin(ctx, e, w, enc, c, sub, asJSON, want)
	}
	if len(pos) != 2 {
		return usagef("calendar %s: want %s (or - to read them from standard input), got %d arguments", sub, want, len(pos))
	}
	r, text, err := calAnswer(c, sub, pos[0], pos[1])
	if err != nil {
		return usagef("calendar %s: %v", sub, err)
	}
	if asJSON {
		return enc.Encode(r)
	}
	_, err = fmt.Fprintln(w, text)
	return err
}

type calLineError struct {
	Line  int    `json:"line"`
	Input string `json:"input"`
	Error string `json:"error"`
}

func calStdin(ctx context.Context, e *env, w *bufio.Writer, enc *json.Encoder, c *workcal.Calendar, sub string, asJSON bool, want string) error {
	sc := bufio.NewScanner(e.Stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lines, failed := 0, 0
	for n := 1; sc.Scan(); n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		lines++
		toks := calJoinDateTime(strings.Fields(line))
		var r calResult
		var text string
		err := fmt.Errorf("want %s, got %d fields", want, len(toks))
		if len(toks) == 2 {
			r, text, err = calAnswer(c, sub, toks[0], toks[1])
		}
		switch {
		case err != nil && asJSON:
			failed++
			err = enc.Encode(calLineError{Line: n, Input: line, Error: err.Error()})
		case err != nil:
			failed++
			_, err = fmt.Fprintf(w, "error: line %d: %v\n", n, err)
		case asJSON:
			err = enc.Encode(r)
		default:
			_, err = fmt.Fprintln(w, text)
		}
		if err != nil {
			return fmt.Errorf("calendar %s: write output: %w", sub, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("calendar %s: read standard input: %w", sub, err)
	}
	if failed > 0 {
		return fmt.Errorf("calendar %s: %d of %d lines failed", sub, failed, lines)
	}
	return nil
}

// calShow prints a month, or a year three months across, like cal(1).
func calShow(w io.Writer, c *workcal.Calendar, f calendarFlags, pos []string) error {
	if len(pos) < 1 || len(pos) > 2 {
		return usagef("calendar show: want YEAR [MONTH], got %d arguments", len(pos))
	}
	year, err := strconv.Atoi(pos[0])
	first, end := c.Range()
	if err != nil || year < first.Year() || year >= end.Year() {
		return usagef("calendar show: bad YEAR %q: want %d–%d", pos[0], first.Year(), end.Year()-1)
	}
	var blocks [][]string
	var tot workcal.Totals
	if len(pos) == 2 {
		m, err := strconv.Atoi(pos[1])
		if err != nil || m < 1 || m > 12 {
			return usagef("calendar show: bad MONTH %q: want 1–12", pos[1])
		}
		b, t, err := calMonthBlock(c, year, time.Month(m))
		if err != nil {
			return err
		}
		blocks, tot = [][]string{b[:len(b)-1]}, t // the summary line says it
	} else {
		for m := time.January; m <= time.December; m++ {
			b, _, err := calMonthBlock(c, year, m)
			if err != nil {
				return err
			}
			blocks = append(blocks, b)
		}
		if tot, err = c.Year(year); err != nil {
			return err
		}
	}
	for i := 0; i < len(blocks); i += 3 {
		row := blocks[i:min(i+3, len(blocks))]
		for l := range row[0] {
			parts := make([]string, len(row))
			for j, b := range row {
				parts[j] = fmt.Sprintf("%-28s", b[l])
			}
			fmt.Fprintln(w, strings.TrimRight(strings.Join(parts, "   "), " "))
		}
		fmt.Fprintln(w)
	}
	what := strconv.Itoa(year)
	if len(pos) == 2 {
		m, _ := strconv.Atoi(pos[1])
		what = fmt.Sprintf("%s %d", time.Month(m), year)
	}
	fmt.Fprintf(w, "%s: %d working days (%d short), %d days off, %s working hours\n",
		what, tot.WorkingDays, tot.ShortDays, tot.DaysOff, calHours(tot.Hours))
	fmt.Fprintln(w, "Legend: * day off (holiday, transfer)  + working weekend day  ~ short day (one hour less)")
	if c.Official(year) {
		fmt.Fprintf(w, "Official production calendar data: %d–%d.\n", c.OfficialFrom(), c.OfficialThrough())
	} else {
		fmt.Fprintf(w, "Warning: no official production calendar for %d (official data: %d–%d); days computed by Labour Code art. 112 and 95.\n",
			year, c.OfficialFrom(), c.OfficialThrough())
	}
	if f.Overrides != "" {
		fmt.Fprintf(w, "Overrides: %s\n", f.Overrides)
	}
	return nil
}

// calHours prints whole hours as "167", otherwise a duration.
func calHours(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10)
	}
	return d.String()
}

// calMonthBlock renders one month as lines of at most 28 characters.
func calMonthBlock(c *workcal.Calendar, year int, m time.Month) ([]string, workcal.Totals, error) {
	title := fmt.Sprintf("%s %d", m, year)
	lines := []string{fmt.Sprintf("%*s", (28+len(title))/2, title), "  Mo  Tu  We  Th  Fr  Sa  Su"}
	days := time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	lead := (int(time.Date(year, m, 1, 0, 0, 0, 0, time.UTC).Weekday()) + 6) % 7
	var b strings.Builder
	b.WriteString(strings.Repeat("    ", lead))
	for d := 1; d <= days; d++ {
		info, err := c.Day(workcal.Date{Year: year, Month: m, Day: d})
		if err != nil {
			return nil, workcal.Totals{}, err
		}
		mark := ' '
		switch info.Kind {
		case workcal.Holiday:
			mark = '*'
		case workcal.Workday:
			mark = '+'
		case workcal.Short:
			mark = '~'
		}
		fmt.Fprintf(&b, "%3d%c", d, mark)
		if (lead+d)%7 == 0 || d == days {
			lines = append(lines, strings.TrimRight(b.String(), " "))
			b.Reset()
		}
	}
	for len(lines) < 8 {
		lines = append(lines, "")
	}
	t, err := c.Month(year, m)
	if err != nil {
		return nil, workcal.Totals{}, err
	}
	lines = append(lines, fmt.Sprintf("%d days, %s h", t.WorkingDays, calHours(t.Hours)))
	return lines, t, nil
}
