package digest

import (
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

// Period is [From, To) in a zone: a civil day, an ISO week (Monday to
// Sunday) or a calendar month.
type Period struct {
	Kind     Kind
	From, To time.Time
}

// PeriodOf returns the period of kind k that contains date d in loc.
func PeriodOf(k Kind, d workcal.Date, loc *time.Location) Period {
	start := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	switch k {
	case Weekly:
		wd := (int(start.Weekday()) + 6) % 7 // Monday = 0
		start = start.AddDate(0, 0, -wd)
		return Period{Kind: k, From: start, To: start.AddDate(0, 0, 7)}
	case Monthly:
		start = time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, loc)
		return Period{Kind: k, From: start, To: start.AddDate(0, 1, 0)}
	}
	return Period{Kind: Daily, From: start, To: start.AddDate(0, 0, 1)}
}

// Previous returns the period before p.
func (p Period) Previous() Period {
	return PeriodOf(p.Kind, workcal.DateOf(p.From.Add(-time.Hour)), p.From.Location())
}

// Key identifies the period in digests_sent: its first date.
func (p Period) Key() string { return workcal.DateOf(p.From).String() }

// Format names the period for people in lang.
func (p Period) Format(lang string) string {
	last := p.To.AddDate(0, 0, -1)
	switch p.Kind {
	case Weekly:
		return formatDate(p.From, lang) + " – " + formatDate(last, lang)
	case Monthly:
		if lang == "en" {
			return p.From.Format("January 2006")
		}
		return ruMonths[p.From.Month()-1] + " " + p.From.Format("2006")
	}
	return formatDate(p.From, lang)
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
