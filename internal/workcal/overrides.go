package workcal

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Kind is the status of one civil date.
type Kind uint8

const (
	// Ordinary is a Monday–Friday working day with nothing special about it.
	Ordinary Kind = iota
	// Weekend is a Saturday or Sunday day off.
	Weekend
	// Holiday is any non-working day that would otherwise be worked, and any
	// art. 112 holiday date (weekends included): holidays, days off by
	// transfer, non-working days by decree, regional holidays.
	Holiday
	// Workday is a full working day by transfer (usually a Saturday). In an
	// override it makes any date a full working day.
	Workday
	// Short is a working day one hour shorter (art. 95), whatever its weekday.
	Short
)

// Working reports whether the day has working hours.
func (k Kind) Working() bool { return k == Ordinary || k == Workday || k == Short }

func (k Kind) String() string {
	switch k {
	case Ordinary:
		return "ordinary"
	case Weekend:
		return "weekend"
	case Holiday:
		return "holiday"
	case Workday:
		return "workday"
	case Short:
		return "short"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Date is a civil date with no time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Override sets the status of one date. Kind is Holiday, Workday or Short.
type Override struct {
	Date Date
	Kind Kind
	Note string
}

// Overrides change the calendar without a new release.
type Overrides struct {
	// Years are given in full by Days: for each of them the embedded data and
	// the art. 112 rule are ignored, every date not listed in Days follows
	// the plain rule (Monday–Friday working, Saturday–Sunday off), and the
	// year counts as official. Use it for a new year's decree.
	Years []int
	// Days set single dates, on top of the embedded data, the art. 112 rule
	// or a year given in full.
	Days []Override
}

// Merge returns o with other's entries appended; for a date listed in both,
// other wins.
func (o Overrides) Merge(other Overrides) Overrides {
	return Overrides{
		Years: append(append([]int(nil), o.Years...), other.Years...),
		Days:  append(append([]Override(nil), o.Days...), other.Days...),
	}
}

// maxOverrideBytes bounds what ParseOverrides reads: the embedded 15 years
// take 20 KB.
const maxOverrideBytes = 4 << 20

// ParseOverrides reads overrides in the format of the embedded data: CSV
// with the columns date,kind,note (note optional; header line optional;
// lines starting with # are comments). kind is holiday, workday or short. A
// row whose date is a bare year with kind "year" (`2028,year,decree No. …`)
// declares that year given in full by the file (see Overrides.Years). A date
// listed twice is an error.
func ParseOverrides(r io.Reader) (Overrides, error) {
	var ovs Overrides
	cr := csv.NewReader(io.LimitReader(r, maxOverrideBytes))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	seenDay := make(map[Date]bool)
	seenYear := make(map[int]bool)
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return ovs, nil
		}
		if err != nil {
			return Overrides{}, fmt.Errorf("workcal: overrides: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "date") {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			return Overrides{}, fmt.Errorf("workcal: overrides line %d: want date,kind[,note], got %d fields", line, len(rec))
		}
		ds, ks := strings.TrimSpace(rec[0]), strings.ToLower(strings.TrimSpace(rec[1]))
		note := ""
		if len(rec) == 3 {
			note = strings.TrimSpace(rec[2])
		}
		if ks == "year" {
			y, err := strconv.Atoi(ds)
			if err != nil || y < 1 || y > 9999 || len(ds) != 4 {
				return Overrides{}, fmt.Errorf("workcal: overrides line %d: kind year wants a year like 2028, got %q", line, ds)
			}
			if seenYear[y] {
				return Overrides{}, fmt.Errorf("workcal: overrides line %d: year %d declared twice", line, y)
			}
			seenYear[y] = true
			ovs.Years = append(ovs.Years, y)
			continue
		}
		d, err := ParseDate(ds)
		if err != nil {
			return Overrides{}, fmt.Errorf("workcal: overrides line %d: %w", line, err)
		}
		k, err := parseKind(ks)
		if err != nil {
			return Overrides{}, fmt.Errorf("workcal: overrides line %d: %w", line, err)
		}
		if seenDay[d] {
			return Overrides{}, fmt.Errorf("workcal: overrides line %d: date %s listed twice", line, d)
		}
		seenDay[d] = true
		ovs.Days = append(ovs.Days, Override{Date: d, Kind: k, Note: note})
	}
}

// ParseDate parses an ISO date yyyy-mm-dd.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("bad date %q: want yyyy-mm-dd", s)
	}
	return DateOf(t), nil
}

func parseKind(s string) (Kind, error) {
	switch s {
	case "holiday":
		return Holiday, nil
	case "workday":
		return Workday, nil
	case "short":
		return Short, nil
	}
	return 0, fmt.Errorf("bad kind %q: want holiday, workday, short or year", s)
}
