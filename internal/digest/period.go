package digest

import (
	"errors"
	"fmt"
	"time"

	"github.com/otvet/otvet/internal/workcal"
)

// Kind is the length of a digest's period.
type Kind string

// Kinds of digests.
const (
	Daily   Kind = "day"
	Weekly  Kind = "week"
	Monthly Kind = "month"
)

// ParseKind reads "day", "week" or "month".
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case Daily, Weekly, Monthly:
		return k, nil
	}
	return "", fmt.Errorf("unknown period %q: want day, week or month", s)
}

// Period is [From, To) in the zone of the plan's calendar. Consecutive
// digests of a kind cover consecutive periods, so every instant (and every
// ticket) belongs to exactly one digest of each kind:
//
//   - daily: from the previous working day's send time to this working day's
//     (evenings, weekends and holidays go to the next working day's digest);
//   - weekly, monthly: from the start of the previous week (month) that had a
//     working day to the start of this one; a week without a working day (New
//     Year) belongs to the digest of the week before it.
type Period struct {
	Kind     Kind
	From, To time.Time
	// Date names the period: the working day a daily digest is sent on, the
	// first day of a weekly or monthly period.
	Date workcal.Date
}

// Key identifies the period in digests_sent: its Date.
func (p Period) Key() string { return p.Date.String() }

// Format names the period for people in lang: "27.12.2024 (с 26.12.2024
// 17:00)", "23.12.2024 – 05.01.2025", "декабрь 2024".
func (p Period) Format(lang string) string {
	loc := p.From.Location()
	switch p.Kind {
	case Weekly:
		return formatDate(p.From, lang) + " – " + formatDate(p.To.AddDate(0, 0, -1), lang)
	case Monthly:
		last := p.To.AddDate(0, 0, -1)
		if last.Month() == p.From.Month() && last.Year() == p.From.Year() {
			return formatMonth(p.From, lang)
		}
		return formatMonth(p.From, lang) + " – " + formatMonth(last, lang)
	}
	day := formatDate(time.Date(p.Date.Year, p.Date.Month, p.Date.Day, 0, 0, 0, 0, loc), lang)
	if lang == "en" {
		return day + " (since " + formatTime(p.From, lang) + ")"
	}
	return day + " (с " + formatTime(p.From, lang) + ")"
}

func formatMonth(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("January 2006")
	}
	return ruMonths[t.Month()-1] + " " + t.Format("2006")
}

// Plan places digests on a production calendar: when each kind is sent and
// which period it covers. It is immutable and safe for concurrent use.
type Plan struct {
	cal   *workcal.Calendar
	loc   *time.Location
	kinds map[Kind]Schedule
}

// Default hours of the weekly and monthly digests.
const defaultHour = 9

// searchDays bounds the search for working days (the longest run of days
// off, the New Year holidays, is 10 days).
const searchDays = 60

// NewPlan returns the plan of digests on cal. A Schedule's Hour 0 means the
// default: the day's closing time for the daily digest (short days
// included), 09:00 for the weekly and monthly ones.
func NewPlan(cal *workcal.Calendar, daily, weekly, monthly Schedule) (*Plan, error) {
	if cal == nil {
		return nil, errors.New("digest: a plan needs a calendar")
	}
	pl := &Plan{cal: cal, loc: cal.Location(), kinds: map[Kind]Schedule{Daily: daily, Weekly: weekly, Monthly: monthly}}
	for k, sc := range pl.kinds {
		if sc.Hour < 0 || sc.Hour > 23 {
			return nil, fmt.Errorf("digest: %s digest hour %d is not within 0–23", k, sc.Hour)
		}
		if sc.Hour == 0 && k != Daily {
			sc.Hour = defaultHour
		}
		pl.kinds[k] = sc
	}
	return pl, nil
}

// Location is the plan's zone.
func (pl *Plan) Location() *time.Location { return pl.loc }

func (pl *Plan) day(d workcal.Date) (workcal.DayInfo, bool) {
	info, err := pl.cal.Day(d)
	return info, err == nil && !info.Open.IsZero()
}

func (pl *Plan) date(d workcal.Date, days int) workcal.Date {
	return workcal.DateOf(time.Date(d.Year, d.Month, d.Day+days, 12, 0, 0, 0, pl.loc))
}

// dailyAt is when the daily digest goes out on working day d: at the
// configured hour, or else at the day's closing time.
func (pl *Plan) dailyAt(d workcal.Date) (time.Time, bool) {
	info, ok := pl.day(d)
	if !ok {
		return time.Time{}, false
	}
	if h := pl.kinds[Daily].Hour; h > 0 {
		return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, pl.loc), true
	}
	return info.Close, true
}

// unit is the week (Monday 00:00) or month containing t, [start, end).
func (pl *Plan) unit(k Kind, t time.Time) (start, end time.Time) {
	t = t.In(pl.loc)
	if k == Weekly {
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		start = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, pl.loc)
		return start, start.AddDate(0, 0, 7)
	}
	start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, pl.loc)
	return start, start.AddDate(0, 1, 0)
}

// firstWorking is the first working day in [start, end).
func (pl *Plan) firstWorking(start, end time.Time) (workcal.Date, bool) {
	for t := start; t.Before(end); t = t.AddDate(0, 0, 1) {
		if d := workcal.DateOf(t); pl.working(d) {
			return d, true
		}
	}
	return workcal.Date{}, false
}

func (pl *Plan) working(d workcal.Date) bool {
	_, ok := pl.day(d)
	return ok
}

// boundaryAtOrBefore is the latest period boundary of kind k at or before
// t: a daily send time, or the start of a week or month with a working day.
func (pl *Plan) boundaryAtOrBefore(k Kind, t time.Time) (time.Time, bool) {
	t = t.In(pl.loc)
	if k == Daily {
		d := workcal.DateOf(t)
		for i := 0; i < searchDays; i++ {
			if at, ok := pl.dailyAt(pl.date(d, -i)); ok && !at.After(t) {
				return at, true
			}
		}
		return time.Time{}, false
	}
	start, end := pl.unit(k, t)
	for i := 0; i < 12; i++ {
		if _, ok := pl.firstWorking(start, end); ok {
			return start, true
		}
		start, end = pl.unit(k, start.Add(-time.Hour))
	}
	return time.Time{}, false
}

// boundaryAfter is the earliest period boundary of kind k after t.
func (pl *Plan) boundaryAfter(k Kind, t time.Time) (time.Time, bool) {
	t = t.In(pl.loc)
	if k == Daily {
		d := workcal.DateOf(t)
		for i := 0; i < searchDays; i++ {
			if at, ok := pl.dailyAt(pl.date(d, i)); ok && at.After(t) {
				return at, true
			}
		}
		return time.Time{}, false
	}
	_, start := pl.unit(k, t)
	for i := 0; i < 12; i++ {
		_, end := pl.unit(k, start)
		if _, ok := pl.firstWorking(start, end); ok {
			return start, true
		}
		start = end
	}
	return time.Time{}, false
}

// At returns the period of kind k that contains instant t.
func (pl *Plan) At(k Kind, t time.Time) (Period, error) {
	from, ok1 := pl.boundaryAtOrBefore(k, t)
	to, ok2 := pl.boundaryAfter(k, t)
	if !ok1 || !ok2 {
		return Period{}, fmt.Errorf("digest: no %s period around %s: no working days on the calendar", k, t.Format(time.RFC3339))
	}
	p := Period{Kind: k, From: from, To: to, Date: workcal.DateOf(from)}
	if k == Daily {
		p.Date = workcal.DateOf(to)
	}
	return p, nil
}

// Of returns the period of kind k that reports date d: the daily digest of
// the first working day on or after d, the weekly or monthly period that
// contains d.
func (pl *Plan) Of(k Kind, d workcal.Date) (Period, error) {
	return pl.At(k, time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, pl.loc))
}

// Previous returns the period before p.
func (pl *Plan) Previous(p Period) (Period, error) {
	return pl.At(p.Kind, p.From.Add(-time.Nanosecond))
}

// LastComplete returns the latest period of kind k that ended at or before now.
func (pl *Plan) LastComplete(k Kind, now time.Time) (Period, error) {
	p, err := pl.At(k, now)
	if err != nil {
		return Period{}, err
	}
	return pl.Previous(p)
}

// Latest returns the most recent scheduled digest of kind k at or before
// now: its period and when it was due. ok is false when there is none
// within the look-back (or the kind is off). The daily digest is due at the
// end of its period; the weekly and monthly ones on the first working day
// after it, at their hour.
func (pl *Plan) Latest(k Kind, now time.Time) (p Period, at time.Time, ok bool) {
	sc := pl.kinds[k]
	if sc.Off {
		return Period{}, time.Time{}, false
	}
	now = now.In(pl.loc)
	if k == Daily {
		to, ok := pl.boundaryAtOrBefore(Daily, now)
		if !ok {
			return Period{}, time.Time{}, false
		}
		p, err := pl.At(Daily, to.Add(-time.Nanosecond))
		return p, to, err == nil
	}
	start, ok := pl.boundaryAtOrBefore(k, now)
	for i := 0; ok && i < 3; i++ {
		_, end := pl.unit(k, start)
		first, _ := pl.firstWorking(start, end)
		at = time.Date(first.Year, first.Month, first.Day, sc.Hour, 0, 0, 0, pl.loc)
		if !at.After(now) {
			p, err := pl.At(k, start.Add(-time.Nanosecond))
			return p, at, err == nil
		}
		start, ok = pl.boundaryAtOrBefore(k, start.Add(-time.Nanosecond))
	}
	return Period{}, time.Time{}, false
}

var ruMonths = [12]string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"}

func formatDate(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2006-01-02")
	}
	return t.Format("02.01.2006")
}

func formatTime(t time.Time, lang string) string {
	if t.IsZero() {
		return ""
	}
	if lang == "en" {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("02.01.2006 15:04")
}

// formatBusiness writes business time in hours and minutes: "3 ч 20 мин", "3h 20m".
func formatBusiness(d time.Duration, lang string) string {
	d = d.Round(time.Minute)
	neg := ""
	if d < 0 {
		neg, d = "−", -d
	}
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	hu, mu, sep := " ч", " мин", " "
	if lang == "en" {
		hu, mu = "h", "m"
	}
	switch {
	case h == 0:
		return fmt.Sprintf("%s%d%s", neg, m, mu)
	case m == 0:
		return fmt.Sprintf("%s%d%s", neg, h, hu)
	}
	return fmt.Sprintf("%s%d%s%s%d%s", neg, h, hu, sep, m, mu)
}

// formatPercent writes a share: "95,2 %", "95.2%"; "—" when not ok.
func formatPercent(v float64, ok bool, lang string) string {
	if !ok {
		return "—"
	}
	s := fmt.Sprintf("%.1f", v)
	if s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	if lang == "en" {
		return s + "%"
	}
	for i := range s {
		if s[i] == '.' {
			s = s[:i] + "," + s[i+1:]
		}
	}
	return s + " %"
}
