package digest

import (
	"bytes"
	"fmt"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// renderChart draws the daily series as a PNG: tickets received per day
// (bars on the left axis) and the share of first responses in time among
// the tickets received that day (a line on the right axis, in percent).
func renderChart(rep *Report, lang string) (png []byte, err error) {
	defer func() {
		if p := recover(); p != nil { // the library panics on some degenerate inputs
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
	var xs, ys, cx, cy []float64
	var ticks []chart.Tick
	maxY := 1.0
	step := max(1, len(rep.Days)/10)
	for i, d := range rep.Days {
		x := float64(i)
		xs = append(xs, x-0.3, x-0.3, x+0.3, x+0.3)
		ys = append(ys, 0, float64(d.Received), float64(d.Received), 0)
		maxY = max(maxY, float64(d.Received))
		if c, ok := d.FirstResponse.Compliance(); ok {
			cx, cy = append(cx, x), append(cy, c)
		}
		if i%step == 0 {
			label := fmt.Sprintf("%02d.%02d", d.Date.Day, int(d.Date.Month))
			if lang == "en" {
				label = fmt.Sprintf("%02d-%02d", int(d.Date.Month), d.Date.Day)
			}
			ticks = append(ticks, chart.Tick{Value: x, Label: label})
		}
	}
	blue := drawing.Color{R: 0x3b, G: 0x76, B: 0xc4, A: 0xff}
	green := drawing.Color{R: 0x1e, G: 0x9e, B: 0x5a, A: 0xff}
	series := []chart.Series{chart.ContinuousSeries{
		Name:    received,
		Style:   chart.Style{StrokeColor: blue, FillColor: blue.WithAlpha(200), StrokeWidth: 1},
		XValues: xs, YValues: ys,
	}}
	if len(cx) >= 2 { // go-chart refuses a line of one point
		dots := chart.Style{StrokeColor: green, StrokeWidth: 2.5, DotColor: green, DotWidth: 3}
		series = append(series, chart.ContinuousSeries{Name: compliance, Style: dots, YAxis: chart.YAxisSecondary, XValues: cx, YValues: cy})
	}
	top := float64(niceCeil(int(maxY * 1.1)))
	c := chart.Chart{
		Width: 600, Height: 260,
		Background: chart.Style{Padding: chart.Box{Top: 30, Left: 10, Right: 10, Bottom: 10}},
		XAxis:      chart.XAxis{Ticks: ticks, Range: &chart.ContinuousRange{Min: -0.6, Max: float64(len(rep.Days)) - 0.4}},
		// go-chart draws the primary axis on the right: counts there, percent on the left.
		YAxis: chart.YAxis{Range: &chart.ContinuousRange{Min: 0, Max: top}, Ticks: countTicks(top)},
		// Explicit ticks on the secondary axis break its range in go-chart
		// v2.1.2 (and can hang the renderer): a formatter only.
		YAxisSecondary: chart.YAxis{
			Range:          &chart.ContinuousRange{Min: 0, Max: 100},
			ValueFormatter: func(v any) string { return fmt.Sprintf("%.0f %%", v) },
		},
		Series: series,
	}
	c.Elements = []chart.Renderable{chart.LegendThin(&c)}
	var b bytes.Buffer
	if err := c.Render(chart.PNG, &b); err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	return b.Bytes(), nil
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

// countTicks marks whole numbers from 0 to top, five steps at most.
func countTicks(top float64) []chart.Tick {
	step := max(1, niceCeil(int(top)/5))
	var ts []chart.Tick
	for v := 0; float64(v) <= top; v += step {
		ts = append(ts, chart.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	return ts
}
