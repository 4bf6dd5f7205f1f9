package digest

import (
	"fmt"

	"github.com/go-analyze/charts"
)

// Chart size in pixels (the HTML template shows it at this size).
const chartWidth, chartHeight = 600, 260

var (
	chartBlue  = charts.Color{R: 0x3b, G: 0x76, B: 0xc4, A: 0xff}
	chartGreen = charts.Color{R: 0x1e, G: 0x9e, B: 0x5a, A: 0xff}
)

// renderChart draws the daily series as a PNG (github.com/go-analyze/charts,
// pure Go): tickets received per day (bars, left axis) and the share of
// first responses in time among the tickets received that day (a dot per
// day that has a decided ticket, right axis, in percent).
func renderChart(rep *Report, lang string) (png []byte, err error) {
	defer func() {
		if p := recover(); p != nil { // a bug in the library must not stop the digest
			png, err = nil, fmt.Errorf("digest: chart: %v", p)
		}
	}()
	if len(rep.Days) == 0 {
		return nil, fmt.Errorf("digest: chart: no days")
	}
	received, compliance := "Поступило", "Первый ответ в срок, %"
	if lang == "en" {
		received, compliance = "Received", "First response in time, %"
	}
	n := len(rep.Days)
	null := charts.GetNullValue()
	counts, shares := make([]float64, n), make([]float64, n)
	labels := make([]string, n)
	maxY := 1
	step := max(1, (n+9)/10) // at most about ten dates under the axis
	for i, d := range rep.Days {
		counts[i], shares[i] = null, null
		if d.Received > 0 {
			counts[i] = float64(d.Received)
		}
		maxY = max(maxY, d.Received)
		if c, ok := d.FirstResponse.Compliance(); ok {
			shares[i] = c
		}
		labels[i] = chartLabel(i, n, step, d, lang)
	}
	// Headroom above the highest bar keeps it clear of the 100 % dots.
	top := niceCeil(max(maxY+1, maxY+maxY/10))
	theme := charts.GetTheme(charts.ThemeLight).WithSeriesColors([]charts.Color{chartBlue, chartGreen})
	opt := charts.ChartOption{
		OutputFormat: charts.ChartOutputPNG,
		Width:        chartWidth, Height: chartHeight,
		Theme:   theme,
		Padding: charts.NewBox(10, 10, 10, 10),
		// An explicit label count keeps every day a tick; the empty labels
		// between the dates keep them apart.
		XAxis: charts.XAxisOption{Labels: labels, LabelCount: n},
		YAxis: []charts.YAxisOption{
			{Min: charts.Ptr(0.0), Max: charts.Ptr(float64(top)), LabelCount: countLabels(top),
				ValueFormatter: func(v float64) string { return fmt.Sprintf("%.0f", v) }},
			{Min: charts.Ptr(0.0), Max: charts.Ptr(100.0), LabelCount: 5,
				ValueFormatter: func(v float64) string { return fmt.Sprintf("%.0f %%", v) }},
		},
		Legend: charts.LegendOption{SeriesNames: []string{received, compliance}},
		Symbol: charts.Symbol{Shape: charts.SymbolDot, Size: 4},
		// Dots rather than a line: the library draws a line beside the bars
		// when the days are narrow, while dots sit on the bars' centres.
		SeriesList: charts.GenericSeriesList{
			{Type: charts.ChartTypeBar, Name: received, Values: counts},
			{Type: charts.ChartTypeScatter, Name: compliance, Values: shares, YAxisIndex: 1},
		},
	}
	p, err := charts.Render(opt)
	if err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	b, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	return b, nil
}

// chartLabel is the date under day i of n, counted back from the last day
// (the digest's own day, always labelled) every step days; "" between.
func chartLabel(i, n, step int, d Day, lang string) string {
	if (n-1-i)%step != 0 {
		return ""
	}
	if lang == "en" {
		return fmt.Sprintf("%02d-%02d", int(d.Date.Month), d.Date.Day)
	}
	return fmt.Sprintf("%02d.%02d", d.Date.Day, int(d.Date.Month))
}

// niceCeil rounds a count up to 1, 2 or 5 times a power of ten.
func niceCeil(n int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// countLabels is how many labels the count axis from 0 to top gets: whole
// numbers, six at most.
func countLabels(top int) int {
	for _, steps := range []int{5, 4, 2, 1} {
		if top%steps == 0 {
			return steps + 1
		}
	}
	return 2
}
