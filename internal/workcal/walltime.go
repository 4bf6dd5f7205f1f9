package workcal

import "time"

// WallTime is the instant at which the clocks of loc show the given date and
// time. Where the clocks are turned back, a wall time occurs twice: WallTime
// takes the earlier instant (the offset in force before the change), as
// Python (fold=0), Java (ZonedDateTime.of) and iCalendar (RFC 5545) do. Where
// the clocks are turned forward, a wall time in the gap never occurs: WallTime
// moves it forward by the length of the gap (02:30 in a one-hour gap at 02:00
// is 03:30), as Java and iCalendar do. time.Date leaves both cases
// unspecified.
func WallTime(year int, month time.Month, day, hour, minute, sec, nsec int, loc *time.Location) time.Time {
	naive := time.Date(year, month, day, hour, minute, sec, nsec, time.UTC)
	// The offsets around the wall time: a day either side covers every
	// offset a zone can have (-12h … +14h) at this wall time.
	_, before := naive.Add(-26 * time.Hour).In(loc).Zone()
	_, after := naive.Add(26 * time.Hour).In(loc).Zone()
	_, near := time.Date(year, month, day, hour, minute, sec, nsec, loc).Zone()
	var best time.Time
	for _, off := range []int{before, near, after} {
		t := naive.Add(-time.Duration(off) * time.Second)
		if _, o := t.In(loc).Zone(); o != off {
			continue // the clocks never show this wall time with this offset
		}
		if best.IsZero() || t.Before(best) {
			best = t
		}
	}
	if best.IsZero() {
		// In a gap: read the wall time with the offset before the change
		// (the smaller one: turning clocks forward raises the offset), which
		// is the instant the gap's length later on the new clock.
		best = naive.Add(-time.Duration(min(before, after)) * time.Second)
	}
	return best.In(loc)
}

// ParseWall parses value by layout, which has no zone or offset, as a wall
// time in loc with WallTime's rules for wall times that occur twice or never.
func ParseWall(layout, value string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse(layout, value)
	if err != nil {
		return time.Time{}, err
	}
	return WallTime(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc), nil
}
