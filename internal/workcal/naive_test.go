package workcal

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// naive is a deliberately simple business-time implementation: it reads the
// embedded CSV on its own and walks day by day with time.Date. It shares no
// code with the fast path.
type naive struct {
	loc  *time.Location
	kind map[string]string // yyyy-mm-dd → holiday / workday / short
	// fallback answers dates outside the CSV (years computed by rule).
	fallback func(y int, m time.Month, d int) Kind
}

func newNaive(t testing.TB, c *Calendar) *naive {
	n := &naive{loc: c.Location(), kind: map[string]string{}}
	for i, line := range strings.Split(strings.TrimSpace(string(embeddedCSV)), "\n") {
		if i == 0 {
			continue
		}
		f := strings.Split(line, ",")
		n.kind[f[0]] = f[1]
	}
	n.fallback = func(y int, m time.Month, d int) Kind {
		info, err := c.Day(Date{y, m, d})
		if err != nil {
			t.Fatal(err)
		}
		return info.Kind
	}
	return n
}

// hours returns the opening and closing instants of a local date, or
// ok=false on a day off.
func (n *naive) hours(y int, m time.Month, d int) (open, close time.Time, ok bool) {
	end := 17
	if y < 2013 || y > 2027 {
		switch n.fallback(y, m, d) {
		case Weekend, Holiday:
			return time.Time{}, time.Time{}, false
		case Short:
			end = 16
		}
	} else {
		wd := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
		switch n.kind[time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")] {
		case "holiday":
			return time.Time{}, time.Time{}, false
		case "short":
			end = 16
		case "workday":
		default:
			if wd == time.Saturday || wd == time.Sunday {
				return time.Time{}, time.Time{}, false
			}
		}
	}
	return time.Date(y, m, d, 9, 0, 0, 0, n.loc), time.Date(y, m, d, end, 0, 0, 0, n.loc), true
}

func (n *naive) between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -n.between(b, a)
	}
	var sum time.Duration
	y, m, d := a.In(n.loc).Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); ; day = day.AddDate(0, 0, 1) {
		o, c, ok := n.hours(day.Year(), day.Month(), day.Day())
		if !ok {
			if time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, n.loc).After(b) {
				break
			}
			continue
		}
		if !o.Before(b) {
			break
		}
		lo, hi := o, c
		if a.After(lo) {
			lo = a
		}
		if b.Before(hi) {
			hi = b
		}
		if hi.After(lo) {
			sum += hi.Sub(lo)
		}
	}
	return sum
}

func (n *naive) add(a time.Time, dur time.Duration) time.Time {
	y, m, d := a.In(n.loc).Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); ; day = day.AddDate(0, 0, 1) {
		o, c, ok := n.hours(day.Year(), day.Month(), day.Day())
		if !ok || !c.After(a) {
			continue
		}
		if a.After(o) {
			o = a
		}
		if left := c.Sub(o); dur <= left {
			return o.Add(dur)
		} else {
			dur -= left
		}
	}
}

var calendarZones = []string{"Europe/Moscow", "Asia/Yekaterinburg", "Asia/Irkutsk", "Europe/Kaliningrad", "Asia/Vladivostok", "UTC"}

// TestCalendarEveryDayBoundaryAgainstNaive compares the fast path with the
// naive one on every local midnight of 2013–2027, cumulatively and per day.
func TestCalendarEveryDayBoundaryAgainstNaive(t *testing.T) {
	for _, zone := range calendarZones[:3] {
		t.Run(zone, func(t *testing.T) {
			c := mustCal(t, Options{Location: mustLoc(t, zone)})
			nv := newNaive(t, c)
			base := time.Date(2013, 1, 1, 0, 0, 0, 0, c.Location())
			var cum time.Duration
			for day := base; day.Year() < 2028; {
				next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, c.Location())
				want := nv.between(day, next)
				if got := c.Between(day, next); got != want {
					t.Fatalf("%s: day %v, naive %v", day.Format(time.DateOnly), got, want)
				}
				cum += want
				if got := c.Between(base, next); got != cum {
					t.Fatalf("to %s: %v, naive %v", next.Format(time.DateOnly), got, cum)
				}
				day = next
			}
		})
	}
}

// TestCalendarRandomAgainstNaive compares random spans and deadlines.
func TestCalendarRandomAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 12))
	lo := time.Date(2012, 6, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2029, 6, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, zone := range calendarZones {
		c := mustCal(t, Options{Location: mustLoc(t, zone)})
		nv := newNaive(t, c)
		for range 300 {
			a := time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9))
			b := a.Add(time.Duration(rng.Int64N(int64(120*24*time.Hour))) - 20*24*time.Hour)
			if got, want := c.Between(a, b), nv.between(a, b); got != want {
				t.Fatalf("%s: Between(%v, %v) = %v, naive %v", zone, a, b, got, want)
			}
			d := time.Duration(rng.Int64N(int64(300 * time.Hour)))
			if got, want := c.Add(a, d), nv.add(a, d); !got.Equal(want) {
				t.Fatalf("%s: Add(%v, %v) = %v, naive %v", zone, a, d, got, want)
			}
		}
	}
}

// TestCalendarMinuteSteppingAgainstFast counts open minutes one by one.
func TestCalendarMinuteSteppingAgainstFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	c := mustCal(t, Options{Location: mustLoc(t, "Asia/Yekaterinburg")})
	nv := newNaive(t, c)
	for range 6 {
		a := time.Date(2013+rng.IntN(16), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), 0, 0, c.Location())
		b := a.Add(time.Duration(rng.IntN(6*24*60)) * time.Minute)
		var minutes time.Duration
		for m := a; m.Before(b); m = m.Add(time.Minute) {
			y, mo, d := m.Date()
			if o, cl, ok := nv.hours(y, mo, d); ok && !m.Before(o) && m.Before(cl) {
				minutes += time.Minute
			}
		}
		if got := c.Between(a, b); got != minutes {
			t.Errorf("Between(%v, %v) = %v, minute stepping %v", a, b, got, minutes)
		}
	}
}

// TestCalendarProperties checks round trips, monotonicity and additivity.
func TestCalendarProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, zone := range calendarZones {
		c := mustCal(t, Options{Location: mustLoc(t, zone)})
		for range 2000 {
			a := time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9))
			b := a.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
			x := b.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour))))
			d := time.Duration(rng.Int64N(int64(2000*time.Hour))) - 200*time.Hour
			if d == 0 {
				continue
			}
			due := c.Add(a, d)
			if got := c.Between(a, due); got != d {
				t.Fatalf("%s: Between(a, Add(a, %v)) = %v (a=%v)", zone, d, got, a)
			}
			if d > 0 && c.Add(b, d).Before(due) {
				t.Fatalf("%s: Add not monotonic in its start: %v < %v", zone, c.Add(b, d), due)
			}
			if d > 0 && c.Add(a, d+time.Second).Before(due) {
				t.Fatalf("%s: Add not monotonic in d", zone)
			}
			ab, bx, ax := c.Between(a, b), c.Between(b, x), c.Between(a, x)
			if ab < 0 || bx < 0 || ab+bx != ax {
				t.Fatalf("%s: Between not additive: %v + %v != %v", zone, ab, bx, ax)
			}
			if d > 0 && due.After(a) && c.Between(a, due.Add(-time.Nanosecond)) >= d {
				t.Fatalf("%s: Add(a, %v) is not the earliest instant", zone, d)
			}
		}
	}
}

// TestCalendarOutsideRange documents the behaviour outside the table.
func TestCalendarOutsideRange(t *testing.T) {
	c := mustCal(t, Options{FirstYear: 2024, LastYear: 2024})
	first, end := c.Range()
	before, after := first.Add(-time.Hour), end.Add(time.Hour)
	if got := c.Between(before, after); got != 1979*time.Hour {
		t.Errorf("Between over the whole range = %v", got)
	}
	if c.IsOpen(after) || c.IsOpen(before) {
		t.Error("open outside the range")
	}
	if got := c.Add(end.Add(-24*time.Hour), time.Hour); !got.Equal(end) {
		t.Errorf("Add past the end = %v, want the end %v", got, end)
	}
	if got := c.Add(first.Add(24*time.Hour), -100*time.Hour); !got.Equal(first) {
		t.Errorf("Add before the start = %v, want %v", got, first)
	}
	if got := c.Add(first, 1<<62); !got.Equal(end) {
		t.Errorf("Add of a huge duration = %v", got)
	}
	if got := c.Add(end, -1<<62); !got.Equal(first) {
		t.Errorf("Add of a huge negative duration = %v", got)
	}
	if got := c.Add(time.Time{}, time.Hour); !got.Equal(time.Date(2024, 1, 9, 10, 0, 0, 0, c.Location())) {
		t.Errorf("Add from the zero time = %v", got)
	}
}

// TestCalendarRickarReference checks that rickar/cal, configured from our
// table, agrees with the fast path on ordinary spans.
func TestCalendarRickarReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c := mustCal(t, Options{Location: mustLoc(t, "Asia/Irkutsk")})
	bc := c.BusinessCalendar()
	for range 200 {
		a := time.Date(2014+rng.IntN(13), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), 0, 0, c.Location())
		b := a.Add(time.Duration(rng.IntN(60*24)) * time.Hour)
		if got, want := c.Between(a, b), bc.WorkHoursInRange(a, b); got != want {
			t.Fatalf("Between(%v, %v) = %v, rickar %v", a, b, got, want)
		}
	}
}
