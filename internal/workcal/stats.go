package workcal

import (
	"errors"
	"fmt"
	"time"

	"github.com/rickar/cal/v2"
)

// ErrOutOfRange is returned for dates outside the precomputed range.
var ErrOutOfRange = errors.New("workcal: date outside the precomputed range")

// DayInfo describes one civil date on the desk's calendar.
type DayInfo struct {
	Date Date
	Kind Kind
	// Open and Close are the opening hours in the desk's zone; zero on a
	// day off.
	Open, Close time.Time
	// Note tells why the date is special (data, override or rule).
	Note string
	// Official is false when the year is computed by the art. 112 rule.
	Official bool
}

// Hours returns the working time of the day.
func (d DayInfo) Hours() time.Duration { return d.Close.Sub(d.Open) }

// Day describes date d.
func (c *Calendar) Day(d Date) (DayInfo, error) {
	i := c.dayIndex(d)
	if d.Month < time.January || d.Month > time.December || d.Day < 1 || d.Day > 31 || i < 0 || i >= len(c.tab.kind) {
		return DayInfo{}, fmt.Errorf("%w: %s", ErrOutOfRange, d)
	}
	return c.dayAt(i), nil
}

func (c *Calendar) dayAt(i int) DayInfo {
	tb := &c.tab
	y, m, dd := civilFromDays(c.firstDay + int64(i))
	info := DayInfo{Date: Date{y, m, dd}, Kind: tb.kind[i], Note: c.notes[int32(i)], Official: c.Official(y)}
	if tb.close[i] > tb.open[i] {
		info.Open = time.Unix(tb.start[i]+int64(tb.open[i]), 0).In(c.loc)
		info.Close = time.Unix(tb.start[i]+int64(tb.close[i]), 0).In(c.loc)
	}
	return info
}

// Totals sum up a span of days.
type Totals struct {
	Days        int           // calendar days
	WorkingDays int           // days with working hours (short days included)
	ShortDays   int           // of which short
	DaysOff     int           // Days - WorkingDays
	Hours       time.Duration // working time with the desk's hours
}

// Month returns the totals of a month.
func (c *Calendar) Month(year int, month time.Month) (Totals, error) {
	if month < time.January || month > time.December {
		return Totals{}, fmt.Errorf("workcal: bad month %d", month)
	}
	from := Date{year, month, 1}
	to := Date{year, month + 1, 1}
	if month == time.December {
		to = Date{year + 1, time.January, 1}
	}
	return c.totals(from, to)
}

// Year returns the totals of a year.
func (c *Calendar) Year(year int) (Totals, error) {
	return c.totals(Date{year, time.January, 1}, Date{year + 1, time.January, 1})
}

func (c *Calendar) totals(from, to Date) (Totals, error) {
	a, b := c.dayIndex(from), c.dayIndex(to)
	if a < 0 || b > len(c.tab.kind) {
		return Totals{}, fmt.Errorf("%w: %s", ErrOutOfRange, from)
	}
	var t Totals
	for i := a; i < b; i++ {
		t.Days++
		if k := c.tab.kind[i]; k.Working() {
			t.WorkingDays++
			if k == Short {
				t.ShortDays++
			}
		}
	}
	t.DaysOff = t.Days - t.WorkingDays
	t.Hours = time.Duration(c.tab.cum[b]-c.tab.cum[a]) * time.Second
	return t, nil
}

// BusinessCalendar returns a rickar/cal business calendar that answers from
// the same day table (working days, hours, short days). Its own
// WorkHoursInRange and AddWorkHours walk day by day; Otvet uses it only as a
// reference in tests and benchmarks. Pass it times in the desk's zone.
func (c *Calendar) BusinessCalendar() *cal.BusinessCalendar {
	bc := cal.NewBusinessCalendar()
	kind := func(t time.Time) (int, bool) {
		i := c.dayIndex(DateOf(t))
		return i, i >= 0 && i < len(c.tab.kind)
	}
	bc.WorkdayFunc = func(t time.Time) bool {
		i, ok := kind(t)
		return ok && c.tab.kind[i].Working()
	}
	at := func(t time.Time, pick func(Hours) time.Duration) time.Time {
		h := c.hours
		if i, ok := kind(t); ok && c.tab.kind[i] == Short {
			h = c.short
		}
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, int(pick(h)/time.Second), 0, t.Location())
	}
	bc.WorkdayStartFunc = func(t time.Time) time.Time { return at(t, func(h Hours) time.Duration { return h.Start }) }
	bc.WorkdayEndFunc = func(t time.Time) time.Time { return at(t, func(h Hours) time.Duration { return h.End }) }
	return bc
}
