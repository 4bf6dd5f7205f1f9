package workcal

import (
	"testing"
	"time"
)

// TestWallTime pins the instant of wall times that occur twice (clocks turned
// back: the earlier offset) or never (clocks turned forward: moved forward by
// the gap), as Python, Java and iCalendar resolve them.
func TestWallTime(t *testing.T) {
	cases := []struct {
		name, zone, wall, want string
	}{
		{"ambiguous: Yekaterinburg 2014-10-26, the earlier offset", "Asia/Yekaterinburg", "2014-10-26T01:26:00", "2014-10-26T01:26:00+06:00"},
		{"ambiguous: Berlin autumn, the earlier offset", "Europe/Berlin", "2024-10-27T02:30:00", "2024-10-27T02:30:00+02:00"},
		{"ambiguous: New York autumn, the earlier offset", "America/New_York", "2024-11-03T01:30:00", "2024-11-03T01:30:00-04:00"},
		{"just after the repeated hour", "Asia/Yekaterinburg", "2014-10-26T02:00:00", "2014-10-26T02:00:00+05:00"},
		{"nonexistent: Berlin spring, moved forward", "Europe/Berlin", "2024-03-31T02:30:00", "2024-03-31T03:30:00+02:00"},
		{"nonexistent: New York spring, moved forward", "America/New_York", "2024-03-10T02:15:00", "2024-03-10T03:15:00-04:00"},
		{"nonexistent midnight: Sao Paulo 2018, moved forward", "America/Sao_Paulo", "2018-11-04T00:00:00", "2018-11-04T01:00:00-02:00"},
		{"nonexistent day: Apia skipped 2011-12-30", "Pacific/Apia", "2011-12-30T12:00:00", "2011-12-31T12:00:00+14:00"},
		{"ordinary: Moscow", "Europe/Moscow", "2024-12-27T10:00:00", "2024-12-27T10:00:00+03:00"},
		{"ordinary: UTC", "UTC", "2024-12-27T10:00:00", "2024-12-27T10:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Skip(err)
			}
			got, err := ParseWall("2006-01-02T15:04:05", c.wall, loc)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.Format(time.RFC3339); s != c.want {
				t.Errorf("%s %s = %s, want %s", c.zone, c.wall, s, c.want)
			}
		})
	}
}
