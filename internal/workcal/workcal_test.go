package workcal

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ru"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustCal(t testing.TB, o Options) *Calendar {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// at parses "2006-01-02 15:04" in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCalendarBetweenHandChecked(t *testing.T) {
	for _, tc := range []struct {
		name     string
		zone     string
		from, to string
		want     time.Duration
	}{
		{"new year 2025 yekaterinburg", "Asia/Yekaterinburg", "2024-12-27 10:00", "2025-01-09 12:00", 18 * time.Hour},
		{"new year 2025 reversed is negative", "Asia/Yekaterinburg", "2025-01-09 12:00", "2024-12-27 10:00", -18 * time.Hour},
		{"march 8 2023 with short eve", "Europe/Moscow", "2023-03-07 00:00", "2023-03-10 00:00", 15 * time.Hour},
		{"march 7 2023 closes at 16", "Europe/Moscow", "2023-03-07 15:00", "2023-03-09 10:00", 2 * time.Hour},
		{"may 2024", "Europe/Moscow", "2024-05-01 00:00", "2024-06-01 00:00", 159 * time.Hour},
		{"working saturday full 2024-04-27", "Europe/Moscow", "2024-04-27 00:00", "2024-04-28 00:00", 8 * time.Hour},
		{"working saturday short 2024-11-02", "Asia/Irkutsk", "2024-11-02 00:00", "2024-11-03 00:00", 7 * time.Hour},
		{"short day 2024-05-08", "Europe/Moscow", "2024-05-08 08:00", "2024-05-08 18:00", 7 * time.Hour},
		{"inside a night", "Europe/Moscow", "2024-06-18 17:00", "2024-06-19 09:00", 0},
		{"inside a weekend", "Europe/Moscow", "2024-06-15 10:00", "2024-06-16 16:00", 0},
		{"across a weekend", "Europe/Moscow", "2024-06-14 16:30", "2024-06-17 09:30", time.Hour},
		{"empty", "Europe/Moscow", "2024-06-14 12:00", "2024-06-14 12:00", 0},
		{"into a year with no official data", "Europe/Moscow", "2027-12-30 10:00", "2028-01-10 12:00", 10 * time.Hour},
		{"whole of 2024", "Europe/Moscow", "2024-01-01 00:00", "2025-01-01 00:00", 1979 * time.Hour},
		{"five years, Irkutsk", "Asia/Irkutsk", "2020-01-01 00:00", "2025-01-01 00:00", (1749 + 1917 + 1973 + 1973 + 1979) * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			c := mustCal(t, Options{Location: loc})
			if got := c.Between(at(t, loc, tc.from), at(t, loc, tc.to)); got != tc.want {
				t.Errorf("Between = %v, want %v", got, tc.want)
			}
			// The same instants in UTC give the same answer.
			if got := c.Between(at(t, loc, tc.from).UTC(), at(t, loc, tc.to).UTC()); got != tc.want {
				t.Errorf("Between(UTC inputs) = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCalendarAddHandChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		zone string
		from string
		d    time.Duration
		want string
	}{
		{"new year 2025", "Asia/Yekaterinburg", "2024-12-27 10:00", 18 * time.Hour, "2025-01-09 12:00"},
		{"8h from 09:00 ends 17:00 same day", "Europe/Moscow", "2024-06-17 09:00", 8 * time.Hour, "2024-06-17 17:00"},
		{"short day ends 16:00", "Europe/Moscow", "2024-05-08 09:00", 7 * time.Hour, "2024-05-08 16:00"},
		{"short day rolls over holidays", "Europe/Moscow", "2024-05-08 09:00", 7*time.Hour + time.Minute, "2024-05-13 09:01"},
		{"from a saturday night", "Europe/Moscow", "2024-06-15 23:00", time.Hour, "2024-06-17 10:00"},
		{"from after closing", "Europe/Moscow", "2024-06-17 18:00", 30 * time.Minute, "2024-06-18 09:30"},
		{"working saturday", "Europe/Moscow", "2024-12-27 16:00", 2 * time.Hour, "2024-12-28 10:00"},
		{"backwards over a weekend", "Europe/Moscow", "2024-06-17 10:00", -2 * time.Hour, "2024-06-14 16:00"},
		{"backwards to an opening", "Europe/Moscow", "2024-06-17 10:00", -time.Hour, "2024-06-17 09:00"},
		{"into 2028 by rule", "Europe/Moscow", "2027-12-30 16:00", 2 * time.Hour, "2028-01-10 10:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			c := mustCal(t, Options{Location: loc})
			got := c.Add(at(t, loc, tc.from), tc.d)
			if want := at(t, loc, tc.want); !got.Equal(want) || got.Location() != loc {
				t.Errorf("Add = %v, want %v in %v", got, want, loc)
			}
		})
	}
}

func TestCalendarAddZeroIsIdentity(t *testing.T) {
	c := mustCal(t, Options{})
	for _, s := range []string{"2024-06-15 23:00", "2024-06-17 12:00", "1990-01-01 00:00", "2200-01-01 00:00"} {
		in := at(t, time.UTC, s)
		if got := c.Add(in, 0); got != in {
			t.Errorf("Add(%v, 0) = %v", in, got)
		}
	}
}

func TestCalendarOpenAndNextOpen(t *testing.T) {
	loc := mustLoc(t, "Europe/Moscow")
	c := mustCal(t, Options{Location: loc})
	for _, tc := range []struct {
		at, next string
		open     bool
	}{
		{"2024-06-17 09:00", "2024-06-17 09:00", true},
		{"2024-06-17 16:59", "2024-06-17 16:59", true},
		{"2024-06-17 17:00", "2024-06-18 09:00", false},
		{"2024-06-17 08:59", "2024-06-17 09:00", false},
		{"2024-06-15 12:00", "2024-06-17 09:00", false},
		{"2024-05-08 16:00", "2024-05-13 09:00", false},
		{"2024-12-28 12:00", "2024-12-28 12:00", true},
		{"2024-12-28 17:30", "2025-01-09 09:00", false},
		{"1999-12-31 12:00", "2000-01-10 09:00", false},
	} {
		got := c.IsOpen(at(t, loc, tc.at))
		if got != tc.open {
			t.Errorf("IsOpen(%s) = %v", tc.at, got)
		}
		if n := c.NextOpen(at(t, loc, tc.at)); !n.Equal(at(t, loc, tc.next)) {
			t.Errorf("NextOpen(%s) = %v, want %s", tc.at, n, tc.next)
		}
	}
	_, end := c.Range()
	if n := c.NextOpen(end.Add(time.Hour)); !n.Equal(end) {
		t.Errorf("NextOpen after the range = %v, want %v", n, end)
	}
}

// yearly is the table of the data README.
var calendarYearly = map[int][2]int{ // days, hours
	2013: {247, 1970}, 2014: {247, 1970}, 2015: {247, 1971}, 2016: {247, 1974}, 2017: {247, 1973},
	2018: {247, 1970}, 2019: {247, 1970}, 2020: {219, 1749}, 2021: {240, 1917}, 2022: {247, 1973},
	2023: {247, 1973}, 2024: {248, 1979}, 2025: {247, 1972}, 2026: {247, 1972}, 2027: {247, 1972},
}

func TestCalendarYearlyTotals(t *testing.T) {
	c := mustCal(t, Options{})
	for y := 2013; y <= 2027; y++ {
		tot, err := c.Year(y)
		if err != nil {
			t.Fatal(err)
		}
		want := calendarYearly[y]
		if tot.WorkingDays != want[0] || tot.Hours != time.Duration(want[1])*time.Hour {
			t.Errorf("%d: %d days %v, want %d days %dh", y, tot.WorkingDays, tot.Hours, want[0], want[1])
		}
		var sum time.Duration
		for m := time.January; m <= time.December; m++ {
			mt, err := c.Month(y, m)
			if err != nil {
				t.Fatal(err)
			}
			sum += mt.Hours
		}
		if sum != tot.Hours {
			t.Errorf("%d: months sum to %v, year %v", y, sum, tot.Hours)
		}
		if !c.Official(y) {
			t.Errorf("%d not official", y)
		}
	}
	if c.OfficialFrom() != 2013 || c.OfficialThrough() != 2027 || c.Official(2028) {
		t.Errorf("official %d–%d", c.OfficialFrom(), c.OfficialThrough())
	}
	if _, err := c.Year(2101); err == nil {
		t.Error("Year(2101) outside the range: no error")
	}
}

func TestCalendarOverrides(t *testing.T) {
	const file = `date,kind,note
# Tatarstan Republic Day, a regional holiday
2024-08-30,holiday,Republic Day (Tatarstan)
2024-08-29,short,eve of Republic Day
2024-06-15,workday,emergency working Saturday
2028,year,imaginary decree for 2028
2028-01-03,holiday,New Year holidays
2028-01-04,holiday
2028-01-05,holiday,
`
	ovs, err := ParseOverrides(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	loc := mustLoc(t, "Europe/Moscow")
	var logs bytes.Buffer
	c := mustCal(t, Options{Location: loc, Overrides: ovs, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, tc := range []struct {
		date string
		kind Kind
	}{
		{"2024-08-30", Holiday}, {"2024-08-29", Short}, {"2024-06-15", Workday}, {"2024-06-16", Weekend},
		{"2028-01-03", Holiday}, {"2028-01-06", Ordinary}, {"2028-01-01", Weekend}, {"2028-12-29", Ordinary},
		{"2029-01-01", Holiday}, {"2029-12-29", Weekend}, {"2029-12-31", Short},
	} {
		d, _ := ParseDate(tc.date)
		info, err := c.Day(d)
		if err != nil {
			t.Fatal(err)
		}
		if info.Kind != tc.kind {
			t.Errorf("%s: %v, want %v (%s)", tc.date, info.Kind, tc.kind, info.Note)
		}
	}
	if c.OfficialThrough() != 2028 || !c.Official(2028) || c.Official(2029) {
		t.Errorf("official through %d", c.OfficialThrough())
	}
	c.Between(at(t, loc, "2028-01-01 00:00"), at(t, loc, "2028-02-01 00:00"))
	if logs.Len() != 0 {
		t.Errorf("warning for an official year: %s", logs.String())
	}
	c.Between(at(t, loc, "2029-01-01 00:00"), at(t, loc, "2029-02-01 00:00"))
	c.Add(at(t, loc, "2030-01-01 00:00"), time.Hour)
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("want one warning, got %d:\n%s", n, logs.String())
	}
}

func TestCalendarParseOverridesErrors(t *testing.T) {
	for name, in := range map[string]string{
		"bad date":       "2024-02-30,holiday,x\n",
		"bad kind":       "2024-02-20,weekend\n",
		"one field":      "2024-02-20\n",
		"four fields":    "2024-02-20,holiday,a,b\n",
		"twice":          "2024-02-20,holiday\n2024-02-20,short\n",
		"year twice":     "2028,year\n2028,year\n",
		"bad year":       "20x8,year\n",
		"bare quote":     "2024-02-20,\"holiday\n",
		"year as a date": "2028,holiday\n",
	} {
		if _, err := ParseOverrides(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCalendarOptionsValidation(t *testing.T) {
	for name, o := range map[string]Options{
		"end before start": {Hours: Hours{17 * time.Hour, 9 * time.Hour}},
		"past midnight":    {Hours: Hours{9 * time.Hour, 25 * time.Hour}},
		"fractional":       {Hours: Hours{9*time.Hour + time.Millisecond, 17 * time.Hour}},
		"years":            {FirstYear: 2100, LastYear: 2000},
		"override kind":    {Overrides: Overrides{Days: []Override{{Date: Date{2024, 1, 9}, Kind: Weekend}}}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCalendarCustomHours(t *testing.T) {
	loc := mustLoc(t, "Asia/Irkutsk")
	c := mustCal(t, Options{Location: loc, Hours: Hours{8 * time.Hour, 20 * time.Hour}})
	if got := c.Between(at(t, loc, "2024-05-08 00:00"), at(t, loc, "2024-05-13 00:00")); got != 11*time.Hour {
		t.Errorf("short day with 8–20 hours: %v, want 11h", got)
	}
}

// TestCalendarArt112RuleAgainstData shows how close the fallback rule comes
// to the real calendar: the fixed holidays always agree.
func TestCalendarArt112RuleAgainstData(t *testing.T) {
	c := mustCal(t, Options{})
	hs := art112Holidays()
	for y := 2013; y <= 2027; y++ {
		diff := 0
		for _, o := range art112Year(hs, y) {
			info, err := c.Day(o.Date)
			if err != nil {
				t.Fatal(err)
			}
			if info.Kind != o.Kind {
				diff++
			}
			if o.Kind == Holiday && strings.Contains(o.Note, "(art.112)") && info.Kind != Holiday {
				t.Errorf("%s: data says %v, rule says holiday", o.Date, info.Kind)
			}
		}
		t.Logf("%d: %d rule dates differ from the decree", y, diff)
	}
}

// TestCalendarRickarRuIsWrong records why we do not use rickar's ru package.
func TestCalendarRickarRuIsWrong(t *testing.T) {
	loc := mustLoc(t, "Asia/Yekaterinburg")
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(ru.Holidays...)
	got := bc.WorkHoursInRange(at(t, loc, "2024-12-27 10:00"), at(t, loc, "2025-01-09 12:00"))
	t.Logf("rickar/cal ru: %v (truth: 18h)", got)
	if got == 18*time.Hour {
		t.Log("rickar/cal ru now gets New Year 2025 right; docs/calendar.md can drop the remark")
	}
}

func TestCalendarConcurrentUse(t *testing.T) {
	var logs bytes.Buffer
	c := mustCal(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	loc := c.Location()
	base := at(t, loc, "2029-01-01 00:00")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			a := base.Add(time.Duration(g) * time.Hour)
			for range 200 {
				c.Between(a, c.Add(a, 90*time.Minute))
			}
		})
	}
	wg.Wait()
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("want one warning, got %d", n)
	}
}
