package main

import (
	"strings"
	"testing"
	"time"
)

// TestParseDate: `digest --date` and `report sla --from/--to` take the two
// documented forms; an error says what is wrong.
func TestParseDate(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	// Chile skipped midnight on 2022-09-11 (clocks 00:00 → 01:00).
	scl, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		loc  *time.Location
		want string // RFC 3339, or the error's text
	}{
		{"2024-12-27", msk, "2024-12-27T00:00:00+03:00"},
		{"27.12.2024", msk, "2024-12-27T00:00:00+03:00"},
		{" 2024-12-27 ", msk, "2024-12-27T00:00:00+03:00"},
		{"2022-09-11", scl, "2022-09-11T01:00:00-03:00"},
		{"2025-02-30", msk, `"2025-02-30" is not a date: day out of range`},
		{"31.04.2025", msk, `"31.04.2025" is not a date: day out of range`},
		{"2025-13-01", msk, `"2025-13-01" is not a date: month out of range`},
		{"27/12/2024", msk, `"27/12/2024" is not a date: write 2024-12-27 or 27.12.2024`},
		{"2024-1-2", msk, `"2024-1-2" is not a date: write 2024-12-27 or 27.12.2024`},
		{"", msk, `"" is not a date: write 2024-12-27 or 27.12.2024`},
	}
	for _, c := range cases {
		got, err := parseDate(c.in, c.loc)
		switch {
		case strings.Contains(c.want, "not a date"):
			if err == nil || err.Error() != c.want {
				t.Errorf("%q: %v, %v; want error %s", c.in, got, err, c.want)
			}
		case err != nil || got.Format(time.RFC3339) != c.want:
			t.Errorf("%q: %v, %v; want %s", c.in, got.Format(time.RFC3339), err, c.want)
		}
	}
}
