package digest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/workcal"
)

// TestChartShapes draws degenerate and large series: each must give a PNG.
func TestChartShapes(t *testing.T) {
	day := func(n, met, breached int) Day {
		return Day{Date: workcal.Date{Year: 2024, Month: 12, Day: 1}, Received: n, FirstResponse: Metric{Met: met, Breached: breached}}
	}
	cases := []struct {
		name string
		days []Day
	}{
		{"two empty days", []Day{day(0, 0, 0), day(0, 0, 0)}},
		{"one day with compliance", []Day{day(3, 2, 1), day(0, 0, 0)}},
		{"no compliance", []Day{day(0, 0, 0), day(0, 0, 0), day(0, 0, 0)}},
		{"all breached", []Day{day(5, 0, 5), day(7, 0, 7)}},
		{"all met", []Day{day(5, 5, 0), day(7, 7, 0)}},
		{"one day", []Day{day(3, 2, 1)}},
		{"a year", func() []Day {
			var ds []Day
			for i := range 366 {
				ds = append(ds, day(i%7, i%5, i%3))
			}
			return ds
		}()},
		{"large", func() []Day {
			var ds []Day
			for i := range 31 {
				ds = append(ds, day(1000+i*37, 900, i))
			}
			return ds
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{"ru", "en"} {
				png, err := renderChart(&Report{Days: c.days, Location: time.UTC}, lang)
				if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
					t.Fatalf("%s: %v (%d bytes)", lang, err, len(png))
				}
			}
		})
	}
	if _, err := renderChart(&Report{}, "ru"); err == nil {
		t.Error("a chart without days was drawn")
	}
}

// TestDailyChartDays: the daily digest charts the last 14 civil days up to
// and including its working day.
func TestDailyChartDays(t *testing.T) {
	db := openSQLite(t)
	setup := testSetup(t)
	r, err := NewReporter(db, setup)
	if err != nil {
		t.Fatal(err)
	}
	p, err := testPlan(t, setup).Of(Daily, workcal.Date{Year: 2025, Month: 3, Day: 10})
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.Build(context.Background(), templates(t), p, Recipient{Email: "boss@kgo66.ru"}, at(t, "2025-03-10 17:00"))
	if err != nil {
		t.Fatal(err)
	}
	days := d.Report.Days
	if len(days) != chartDays || days[0].Date.String() != "2025-02-25" || days[len(days)-1].Date.String() != "2025-03-10" {
		t.Errorf("chart days: %d, %v – %v", len(days), days[0].Date, days[len(days)-1].Date)
	}
}
