//go:build !race

package regform

const raceEnabled = false
