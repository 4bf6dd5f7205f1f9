package main

import (
	"errors"
	"testing"
	"time"
)

// TestParseInstant: the one reading of a time typed on the command line.
// Wall times that occur twice are the earlier instant; those that never
// occur move forward by the gap; an offset is kept; dates are midnight.
func TestParseInstant(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	london, ny, ekb := zone("Europe/London"), zone("America/New_York"), zone("Asia/Yekaterinburg")
	cases := []struct {
		name string
		in   string
		loc  *time.Location
		want string // the instant in UTC, "" when refused
	}{
		{"plain", "2025-01-09 09:00", ekb, "2025-01-09T04:00:00Z"},
		{"T and seconds", "2025-01-09T09:00:30", ekb, "2025-01-09T04:00:30Z"},
		{"spaces between", "2025-01-09   09:00", ekb, "2025-01-09T04:00:00Z"},
		{"Russian order", "09.01.2025 09:00", ekb, "2025-01-09T04:00:00Z"},
		{"date alone", "2025-01-09", ekb, "2025-01-08T19:00:00Z"},
		{"Russian date alone", "09.01.2025", ekb, "2025-01-08T19:00:00Z"},
		{"offset kept", "2025-01-09T09:00:00+03:00", ekb, "2025-01-09T06:00:00Z"},
		{"basic offset", "2025-01-09T09:00+0300", ekb, "2025-01-09T06:00:00Z"},
		{"UTC", "2025-01-09T09:00Z", ekb, "2025-01-09T09:00:00Z"},
		{"fraction", "2025-01-09T09:00:00.5+05:00", ekb, "2025-01-09T04:00:00.5Z"},
		// Clocks turned back: the earlier of the two instants.
		{"London fall-back", "2024-10-27 01:30", london, "2024-10-27T00:30:00Z"},
		{"New York fall-back", "2024-11-03 01:30", ny, "2024-11-03T05:30:00Z"},
		{"New York fall-back, first minute", "2024-11-03T01:00", ny, "2024-11-03T05:00:00Z"},
		{"Yekaterinburg 2014, the issue's case", "2014-10-26T01:26", ekb, "2014-10-25T19:26:00Z"},
		// Clocks turned forward: moved forward by the gap.
		{"London spring gap", "2024-03-31 01:30", london, "2024-03-31T01:30:00Z"},
		{"New York spring gap", "2024-03-10 02:30", ny, "2024-03-10T07:30:00Z"},
		{"New York after the gap", "2024-03-10 03:30", ny, "2024-03-10T07:30:00Z"},
		{"Yekaterinburg 2011 gap", "2011-03-27 02:30", ekb, "2011-03-26T21:30:00Z"},
		// Refused.
		{"empty", "", ekb, ""},
		{"hour only", "2025-01-09T09", ekb, ""},
		{"no such hour", "2025-01-09 25:00", ekb, ""},
		{"no such day", "2025-02-30", ekb, ""},
		{"words", "tomorrow", ekb, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := parseInstant(c.in, c.loc)
			if c.want == "" {
				if ok {
					t.Fatalf("%q accepted as %v", c.in, got)
				}
				return
			}
			if !ok {
				t.Fatalf("%q refused", c.in)
			}
			if s := got.UTC().Format(time.RFC3339Nano); s != c.want {
				t.Errorf("%q in %s = %s, want %s", c.in, c.loc, s, c.want)
			}
		})
	}
}

// TestParseDay: a date is its first instant; a midnight the clocks skip
// moves forward (Santiago's 2024-09-08 began at 01:00).
func TestParseDay(t *testing.T) {
	scl, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"2024-09-08":   "2024-09-08T01:00:00-03:00",
		"08.09.2024":   "2024-09-08T01:00:00-03:00",
		" 2024-09-09 ": "2024-09-09T00:00:00-03:00",
	} {
		got, ok := parseDay(in, scl)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("parseDay(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"2024-09-08T10:00", "2024-13-01", ""} {
		if got, ok := parseDay(in, scl); ok {
			t.Errorf("parseDay(%q) accepted as %v", in, got)
		}
	}
}

// TestParseAsOf: --as-of of digest and report reads times as parseInstant
// does (it took RFC 3339 only); a bad one is a usage error.
func TestParseAsOf(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseAsOf("2024-11-03 01:30", ny)
	if err != nil || got.UTC().Format(time.RFC3339) != "2024-11-03T05:30:00Z" {
		t.Errorf("ambiguous --as-of: %v, %v", got, err)
	}
	if got, err := parseAsOf("2025-01-09T10:00:00+03:00", ny); err != nil || got.UTC().Format(time.RFC3339) != "2025-01-09T07:00:00Z" {
		t.Errorf("RFC 3339 --as-of: %v, %v", got, err)
	}
	if got, err := parseAsOf("", ny); err != nil || time.Since(got) > time.Minute {
		t.Errorf("no --as-of: %v, %v", got, err)
	}
	var ue usageError
	if _, err := parseAsOf("yesterday", ny); !errors.As(err, &ue) {
		t.Errorf("bad --as-of: %v, want a usage error", err)
	}
}
