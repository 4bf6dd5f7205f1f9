package workcal

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

//go:embed data/ru-production-calendar.csv
var embeddedCSV []byte

// Default precomputed range: wide enough for any ticket, small enough
// (about 37,000 days, under 1 MB) to build in a few milliseconds.
const (
	DefaultFirstYear = 2000
	DefaultLastYear  = 2100
)

// DefaultZone is the zone used when Options.Location is nil.
const DefaultZone = "Europe/Moscow"

// Hours are the opening hours of a day, as offsets of local wall-clock time
// from midnight: {9 * time.Hour, 17 * time.Hour} is 09:00–17:00.
type Hours struct {
	Start, End time.Duration
}

// Options configure a Calendar. The zero value means the defaults.
type Options struct {
	// Location is the desk's time zone; nil means Europe/Moscow.
	Location *time.Location
	// Hours on working days; zero means 09:00–17:00.
	Hours Hours
	// ShortHours on short (pre-holiday) days; zero means Hours with the end
	// one hour earlier (09:00–16:00 by default).
	ShortHours Hours
	// Overrides change single dates or give whole years.
	Overrides Overrides
	// Logger receives the warning about years without official data; nil
	// discards it.
	Logger *slog.Logger
	// FirstYear and LastYear bound the precomputed table; zero means
	// 2000 and 2100. Instants outside count as closed time.
	FirstYear, LastYear int
}

// Calendar answers business-time questions for one desk. It is immutable
// after New and safe for concurrent use.
type Calendar struct {
	loc        *time.Location
	hours      Hours
	short      Hours
	log        *slog.Logger
	warnOnce   sync.Once
	firstYear  int
	lastYear   int
	firstDay   int64 // civil day number of firstYear-01-01
	tab        table
	notes      map[int32]string
	official   []bool // per year from firstYear
	offLo      int    // first day index of the official block
	offHi      int    // last day index of the official block
	offFirstY  int
	offThrough int
}

// table is the precomputed per-day data. Index i is the i-th civil day from
// firstYear-01-01; start has one more entry (the midnight ending the range).
type table struct {
	start []int64 // Unix seconds of local midnight
	open  []int32 // opening, seconds after start[i]
	close []int32 // closing, seconds after start[i]; == open on days off
	cum   []int64 // working seconds in days before i
	kind  []Kind
}

// New builds a calendar: it parses the embedded data, applies the overrides
// and precomputes the table.
func New(o Options) (*Calendar, error) {
	c := &Calendar{loc: o.Location, hours: o.Hours, short: o.ShortHours, log: o.Logger,
		firstYear: o.FirstYear, lastYear: o.LastYear}
	if c.loc == nil {
		loc, err := time.LoadLocation(DefaultZone)
		if err != nil {
			return nil, fmt.Errorf("workcal: load default zone %s: %w", DefaultZone, err)
		}
		c.loc = loc
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.hours == (Hours{}) {
		c.hours = Hours{9 * time.Hour, 17 * time.Hour}
	}
	if c.short == (Hours{}) {
		c.short = Hours{c.hours.Start, c.hours.End - time.Hour}
	}
	if c.firstYear == 0 {
		c.firstYear = DefaultFirstYear
	}
	if c.lastYear == 0 {
		c.lastYear = DefaultLastYear
	}
	var errs []error
	for _, h := range []struct {
		name string
		h    Hours
	}{{"hours", c.hours}, {"short hours", c.short}} {
		if h.h.Start < 0 || h.h.End > 24*time.Hour || h.h.Start >= h.h.End || h.h.Start%time.Second != 0 || h.h.End%time.Second != 0 {
			errs = append(errs, fmt.Errorf("workcal: bad %s %v–%v: want whole seconds, 0 ≤ start < end ≤ 24h", h.name, h.h.Start, h.h.End))
		}
	}
	if c.firstYear < 1 || c.lastYear > 9999 || c.firstYear > c.lastYear {
		errs = append(errs, fmt.Errorf("workcal: bad year range %d–%d", c.firstYear, c.lastYear))
	}
	for _, d := range o.Overrides.Days {
		if d.Kind != Holiday && d.Kind != Workday && d.Kind != Short {
			errs = append(errs, fmt.Errorf("workcal: override %s: kind %v is not holiday, workday or short", d.Date, d.Kind))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	data, err := ParseOverrides(bytes.NewReader(embeddedCSV))
	if err != nil {
		return nil, fmt.Errorf("workcal: embedded data: %w", err)
	}
	c.build(data, o.Overrides)
	return c, nil
}

func (c *Calendar) build(data, ovs Overrides) {
	nYears := c.lastYear - c.firstYear + 1
	c.official = make([]bool, nYears)
	inRange := func(y int) bool { return y >= c.firstYear && y <= c.lastYear }
	byYear := make(map[int][]Override)
	for _, d := range data.Days {
		byYear[d.Date.Year] = append(byYear[d.Date.Year], d)
	}
	full := make(map[int]bool)
	for _, y := range ovs.Years {
		full[y] = true
	}
	c.firstDay = daysFromCivil(c.firstYear, time.January, 1)
	n := int(daysFromCivil(c.lastYear+1, time.January, 1) - c.firstDay)
	t := table{
		start: make([]int64, n+1), open: make([]int32, n), close: make([]int32, n),
		cum: make([]int64, n+1), kind: make([]Kind, n),
	}
	c.notes = make(map[int32]string)
	set := func(d Override) {
		if !inRange(d.Date.Year) {
			return
		}
		i := c.dayIndex(d.Date)
		t.kind[i] = d.Kind
		if d.Note != "" {
			c.notes[int32(i)] = d.Note
		} else {
			delete(c.notes, int32(i))
		}
	}
	// Plain weekday rule first.
	for i := range n {
		wd := time.Weekday((c.firstDay + int64(i) + 4) % 7) // day 0 (1970-01-01) was a Thursday
		if wd < 0 {
			wd += 7
		}
		if wd == time.Saturday || wd == time.Sunday {
			t.kind[i] = Weekend
		}
	}
	hs := art112Holidays()
	for y := c.firstYear; y <= c.lastYear; y++ {
		switch {
		case full[y]:
			c.official[y-c.firstYear] = true
		case byYear[y] != nil:
			c.official[y-c.firstYear] = true
			for _, d := range byYear[y] {
				set(d)
			}
		default:
			for _, d := range art112Year(hs, y) {
				set(d)
			}
		}
	}
	for _, d := range ovs.Days {
		set(d)
	}
	// Absolute instants and prefix sums.
	for i := range n {
		y, m, d := civilFromDays(c.firstDay + int64(i))
		t.start[i] = time.Date(y, m, d, 0, 0, 0, 0, c.loc).Unix()
		if t.kind[i].Working() {
			h := c.hours
			if t.kind[i] == Short {
				h = c.short
			}
			o := time.Date(y, m, d, 0, 0, int(h.Start/time.Second), 0, c.loc).Unix()
			e := time.Date(y, m, d, 0, 0, int(h.End/time.Second), 0, c.loc).Unix()
			t.open[i], t.close[i] = int32(o-t.start[i]), int32(e-t.start[i])
		}
		t.cum[i+1] = t.cum[i] + int64(t.close[i]-t.open[i])
	}
	t.start[n] = time.Date(c.lastYear+1, time.January, 1, 0, 0, 0, 0, c.loc).Unix()
	c.tab = t
	c.findOfficialBlock(data)
}

// findOfficialBlock finds the contiguous run of official years that holds
// the embedded data (or the first official year if overrides replace it).
func (c *Calendar) findOfficialBlock(data Overrides) {
	years := make([]int, 0, len(c.official))
	for i, ok := range c.official {
		if ok {
			years = append(years, c.firstYear+i)
		}
	}
	c.offLo, c.offHi = len(c.tab.kind), -1
	if len(years) == 0 {
		return
	}
	anchor := years[0]
	if len(data.Days) > 0 {
		if y := data.Days[0].Date.Year; y >= c.firstYear && y <= c.lastYear {
			anchor = y
		}
	}
	lo, hi := anchor, anchor
	for lo-1 >= c.firstYear && c.official[lo-1-c.firstYear] {
		lo--
	}
	for hi+1 <= c.lastYear && c.official[hi+1-c.firstYear] {
		hi++
	}
	c.offFirstY, c.offThrough = lo, hi
	c.offLo = c.dayIndex(Date{lo, time.January, 1})
	c.offHi = c.dayIndex(Date{hi, time.December, 31})
}

// Location returns the desk's zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// OfficialFrom and OfficialThrough are the first and last years of the
// contiguous block of official data (embedded, or whole years from
// overrides); 0 if there is none.
func (c *Calendar) OfficialFrom() int { return c.offFirstY }

// OfficialThrough is the last year with official data; see OfficialFrom.
func (c *Calendar) OfficialThrough() int { return c.offThrough }

// Official reports whether year y comes from official data rather than the
// art. 112 rule.
func (c *Calendar) Official(y int) bool {
	return y >= c.firstYear && y <= c.lastYear && c.official[y-c.firstYear]
}

// Range returns the first instant of the precomputed table and the instant
// just after it, in the desk's zone. Outside it every instant is closed.
func (c *Calendar) Range() (first, end time.Time) {
	return time.Unix(c.tab.start[0], 0).In(c.loc), time.Unix(c.tab.start[len(c.tab.kind)], 0).In(c.loc)
}

// warnUnofficial logs, once per calendar, that a computation used years
// computed by rule.
func (c *Calendar) warnUnofficial(i int) {
	c.warnOnce.Do(func() {
		y, _, _ := civilFromDays(c.firstDay + int64(i))
		c.log.Warn("workcal: no official production calendar for this date; using Labour Code art. 112 rule",
			"year", y, "official_from", c.offFirstY, "official_through", c.offThrough, "zone", c.loc.String())
	})
}

// dayIndex is the table index of a civil date (it may be out of range).
func (c *Calendar) dayIndex(d Date) int {
	return int(daysFromCivil(d.Year, d.Month, d.Day) - c.firstDay)
}

// daysFromCivil returns the number of days from 1970-01-01 to the date
// (proleptic Gregorian; Howard Hinnant's algorithm).
func daysFromCivil(y int, m time.Month, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400
	mm := int64(m)
	if mm > 2 {
		mm -= 3
	} else {
		mm += 9
	}
	doy := (153*mm+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (int, time.Month, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(d)
}
