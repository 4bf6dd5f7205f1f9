package workcal

import (
	"bytes"
	"testing"
	"time"
)

func FuzzCalendarParseOverrides(f *testing.F) {
	f.Add(embeddedCSV[:400])
	f.Add([]byte("2028,year,decree\n2028-01-03,holiday\n"))
	f.Add([]byte("date,kind,note\n# comment\n2024-08-30,holiday,Republic Day\n"))
	f.Add([]byte("2024-02-30,short\n"))
	f.Add([]byte("\"2024-01-01\",\"workday\",\"a \"\"quoted\"\" note\"\n"))
	f.Add([]byte(",,,\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		ovs, err := ParseOverrides(bytes.NewReader(in))
		if err != nil {
			return
		}
		for _, d := range ovs.Days {
			if d.Kind != Holiday && d.Kind != Workday && d.Kind != Short {
				t.Fatalf("parsed kind %v", d.Kind)
			}
			back, err := ParseDate(d.Date.String())
			if err != nil || back != d.Date {
				t.Fatalf("date %v does not round-trip", d.Date)
			}
		}
		// Any parsed overrides build a calendar that answers queries.
		c, err := New(Options{Location: time.UTC, Overrides: ovs, FirstYear: 2024, LastYear: 2029})
		if err != nil {
			t.Fatal(err)
		}
		a := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		if got := c.Between(a, c.Add(a, 100*time.Hour)); got != 100*time.Hour {
			t.Fatalf("round trip %v", got)
		}
	})
}
