//go:build race

package regform

// raceEnabled: the race detector slows this package's corpus tests ~20×;
// they take a smaller sample then (the full one runs without -race).
const raceEnabled = true
