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

// TestChartLabels: the last bar (the digest's own day) always has its date;
// the dates before it every step days, counted back from it.
func TestChartLabels(t *testing.T) {
	for _, n := range []int{1, 2, 9, 10, 11, 14, 31, 366} {
		step := max(1, (n+9)/10)
		var labelled []int
		for i := range n {
			d := Day{Date: workcal.Date{Year: 2025, Month: 3, Day: 1 + i%28}}
			if l := chartLabel(i, n, step, d, "ru"); l != "" {
				labelled = append(labelled, i)
			}
		}
		if len(labelled) == 0 || labelled[len(labelled)-1] != n-1 {
			t.Errorf("%d days: labelled %v, the last day has no date", n, labelled)
		}
		if len(labelled) > 11 {
			t.Errorf("%d days: %d labels, want about ten at most", n, len(labelled))
		}
	}
	d := Day{Date: workcal.Date{Year: 2025, Month: 3, Day: 10}}
	if got := chartLabel(13, 14, 2, d, "ru"); got != "10.03" {
		t.Errorf("ru label %q", got)
	}
	if got := chartLabel(13, 14, 2, d, "en"); got != "03-10" {
		t.Errorf("en label %q", got)
	}
}
