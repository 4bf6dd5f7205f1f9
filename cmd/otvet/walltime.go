package main

import (
	"strings"
	"time"

	"github.com/otvet/otvet/internal/workcal"
)

// Every time a person types on the command line (maintenance --from/--to/
// --at, announce --at, rules test --at, audit --since, calendar FROM/TO,
// digest --date, report --from/--to, digest and report --as-of, plan DATE)
// is read by
// parseInstant or parseDay: with an offset it is that instant; without one
// it is a wall time in the desk's zone, and workcal.WallTime settles the
// two cases the clocks make hard (docs/times.md):
//
//   - a wall time that occurs twice (clocks turned back: 01:30 on
//     2024-11-03 in New York) is the earlier instant, the offset in force
//     before the change, as Python (fold=0), Java and iCalendar take it;
//   - a wall time that never occurs (clocks turned forward: 02:30 on
//     2024-03-10 in New York) is moved forward by the gap (03:30).

// offsetLayouts are the forms of an instant with its offset (RFC 3339 and
// ISO 8601's basic offset; seconds and their fraction optional).
var offsetLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z0700",
}

// wallLayouts are the forms of a wall time without an offset; a date alone
// is its first instant (midnight, or the end of a gap at midnight).
var wallLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"02.01.2006T15:04:05",
	"02.01.2006T15:04",
	"02.01.2006",
}

// parseInstant reads a time typed by a person: an instant with an offset,
// or a wall time in loc (a date, then "T" or spaces, then the time) with
// WallTime's rules. ok is false for anything else; the caller says what it
// wanted.
func parseInstant(s string, loc *time.Location) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i == 10 { // the date's and the time's separator
		s = s[:10] + "T" + strings.TrimLeft(s[10:], " ")
	}
	for _, l := range offsetLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	for _, l := range wallLayouts {
		if t, err := workcal.ParseWall(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseDay reads a calendar date (2024-12-27 or 27.12.2024) and returns its
// first instant in loc (a midnight the zone skips moves forward).
func parseDay(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"2006-01-02", "02.01.2006"} {
		if t, err := workcal.ParseWall(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
