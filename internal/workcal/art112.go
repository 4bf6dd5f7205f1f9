package workcal

import (
	"time"

	"github.com/rickar/cal/v2"
)

// art112Holidays returns the non-working holidays of Labour Code art. 112
// as rickar/cal holidays. 1–8 January never move (the Government moves two
// of those days elsewhere by decree, which no rule can guess); the others,
// falling on a Saturday or Sunday, give the next Monday off.
func art112Holidays() []*cal.Holiday {
	weekendToMonday := []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 1}}
	fixed := func(name string, m time.Month, d int, observed []cal.AltDay) *cal.Holiday {
		return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: m, Day: d, Observed: observed, Func: cal.CalcDayOfMonth}
	}
	hs := make([]*cal.Holiday, 0, 14)
	for d := 1; d <= 8; d++ {
		name := "New Year holidays (art.112)"
		if d == 7 {
			name = "Orthodox Christmas (art.112)"
		}
		hs = append(hs, fixed(name, time.January, d, nil))
	}
	return append(hs,
		fixed("Defender of the Fatherland Day (art.112)", time.February, 23, weekendToMonday),
		fixed("International Women's Day (art.112)", time.March, 8, weekendToMonday),
		fixed("Spring and Labour Day (art.112)", time.May, 1, weekendToMonday),
		fixed("Victory Day (art.112)", time.May, 9, weekendToMonday),
		fixed("Russia Day (art.112)", time.June, 12, weekendToMonday),
		fixed("Unity Day (art.112)", time.November, 4, weekendToMonday),
	)
}

// art112Year computes year y by Labour Code art. 112 (holidays and their
// transfer to the next Monday) and art. 95 (the working day immediately
// before a holiday date, including 31 December, is one hour shorter).
func art112Year(hs []*cal.Holiday, y int) []Override {
	off := make(map[Date]string)
	var actuals []Date
	for _, h := range hs {
		act, obs := h.Calc(y)
		if act.IsZero() {
			continue
		}
		a := DateOf(act)
		actuals = append(actuals, a)
		off[a] = h.Name
		if o := DateOf(obs); o != a && o.Year == y {
			if _, dup := off[o]; !dup {
				off[o] = "day off by transfer (art.112 rule)"
			}
		}
	}
	working := func(d Date) bool {
		if _, ok := off[d]; ok {
			return false
		}
		wd := civilTime(d).Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	out := make([]Override, 0, len(off)+8)
	for d, note := range off {
		out = append(out, Override{Date: d, Kind: Holiday, Note: note})
	}
	before := append(actuals, Date{y + 1, time.January, 1})
	for _, h := range before {
		p := DateOf(civilTime(h).AddDate(0, 0, -1))
		if p.Year == y && working(p) {
			out = append(out, Override{Date: p, Kind: Short, Note: "pre-holiday day; 1 hour shorter (art.95 rule)"})
		}
	}
	return out
}

// civilTime is d at midnight UTC, for civil-date arithmetic.
func civilTime(d Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
