package workcal

import (
	"testing"
	"time"
)

var calendarSpans = []struct {
	name string
	to   time.Time
	d    time.Duration
}{
	{"1day", time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC), 8 * time.Hour},
	{"1month", time.Date(2024, 4, 4, 10, 0, 0, 0, time.UTC), 160 * time.Hour},
	{"5years", time.Date(2029, 3, 4, 10, 0, 0, 0, time.UTC), 5 * 1970 * time.Hour},
}

func benchCal(b *testing.B) (*Calendar, time.Time) {
	c := mustCal(b, Options{Location: mustLoc(b, "Asia/Yekaterinburg")})
	return c, time.Date(2024, 3, 4, 10, 0, 0, 0, c.Location())
}

var calendarSinkD time.Duration
var calendarSinkT time.Time

func BenchmarkCalendarBetween(b *testing.B) {
	c, from := benchCal(b)
	for _, s := range calendarSpans {
		to := time.Date(s.to.Year(), s.to.Month(), s.to.Day(), 10, 0, 0, 0, c.Location())
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				calendarSinkD = c.Between(from, to)
			}
		})
	}
}

func BenchmarkCalendarAdd(b *testing.B) {
	c, from := benchCal(b)
	for _, s := range calendarSpans {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				calendarSinkT = c.Add(from, s.d)
			}
		})
	}
}

// The rickar/cal reference walks day by day over the same day table.

func BenchmarkCalendarRickarWorkHoursInRange(b *testing.B) {
	c, from := benchCal(b)
	bc := c.BusinessCalendar()
	for _, s := range calendarSpans {
		to := time.Date(s.to.Year(), s.to.Month(), s.to.Day(), 10, 0, 0, 0, c.Location())
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				calendarSinkD = bc.WorkHoursInRange(from, to)
			}
		})
	}
}

func BenchmarkCalendarRickarAddWorkHours(b *testing.B) {
	c, from := benchCal(b)
	bc := c.BusinessCalendar()
	for _, s := range calendarSpans {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				calendarSinkT = bc.AddWorkHours(from, s.d)
			}
		})
	}
}

func BenchmarkCalendarNew(b *testing.B) {
	b.ReportAllocs()
	loc := mustLoc(b, "Europe/Moscow")
	for b.Loop() {
		if _, err := New(Options{Location: loc}); err != nil {
			b.Fatal(err)
		}
	}
}
