package digest

import (
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/sla"
)

// FuzzScanClock checks the fast clock reader against sla.Decode: whatever
// it accepts, sla.Decode reads the same way; whatever it refuses falls back.
func FuzzScanClock(f *testing.F) {
	cal := testSetup(f).Default
	c := sla.Start(sla.Resolution, 24*time.Hour, time.Date(2024, 12, 27, 15, 0, 0, 0, msk), cal)
	_ = c.Record(sla.Event{Kind: sla.EventPause, At: time.Date(2024, 12, 27, 16, 0, 0, 0, msk), Reason: "waiting"})
	_ = c.Resume(time.Date(2025, 1, 9, 11, 0, 0, 0, msk))
	_ = c.Stop(time.Date(2025, 1, 10, 11, 0, 0, 123456789, msk))
	full, _ := json.Marshal(c)
	f.Add(string(full))
	f.Add(`{"metric":"first_response","target":"4h0m0s","warn_percent":80,"events":[{"kind":"start","at":"2024-12-27T10:00:00Z"}]}`)
	f.Add(`{"metric":"first_response","target":"4h0m0s","warn_percent":80,"events":[]}`)
	f.Add(`{"metric":"x","target":"4h","warn_percent":80,"events":[{"kind":"stop","at":"2024-12-27T10:00:00Z"}]}`)
	f.Add(`{"metric":"a\"b","target":"1h","warn_percent":1,"events":[{"kind":"start","at":"2024-12-27T10:00:00Z","reason":"x\\y"}]}`)
	f.Add(`{ "metric": "first_response" }`)
	f.Fuzz(func(t *testing.T, s string) {
		m, target, warn, events, err := scanClock(s)
		if err != nil {
			return
		}
		fast, ferr := sla.Replay(m, target, warn, events, cal)
		slow, serr := sla.Decode([]byte(s), cal)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("fast %v, sla.Decode %v", ferr, serr)
		}
		if ferr != nil {
			return
		}
		a, _ := json.Marshal(fast)
		b, _ := json.Marshal(slow)
		if string(a) != string(b) {
			t.Fatalf("fast %s\nslow %s", a, b)
		}
	})
}

func TestEvaluateFallbackWithoutClock(t *testing.T) {
	cal := testSetup(t).Default
	opened := at(t, "2024-12-27 15:00")
	cases := []struct {
		name         string
		stop, closed string
		asOf         string
		ok, breached bool
		stopped      bool
		elapsed      time.Duration
	}{
		{"answered on the working Saturday", "2024-12-28 10:00", "", "2025-01-10 00:00", true, false, true, 3 * time.Hour},
		{"answered after the holidays", "2025-01-09 11:00", "", "2025-01-10 00:00", true, true, true, 12 * time.Hour},
		{"unanswered, past due", "", "", "2025-01-09 13:00", true, true, false, 14 * time.Hour},
		{"closed without an answer", "", "2024-12-28 10:00", "2025-01-10 00:00", false, false, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := evaluate("", cal, opened, nt(t, c.stop), nt(t, c.closed), 4*time.Hour, at(t, c.asOf))
			if f.ok != c.ok || f.breached != c.breached || f.stopped != c.stopped || f.elapsed != c.elapsed {
				t.Errorf("got %+v", f)
			}
		})
	}
	// A clock that is not valid JSON falls back to the timestamps.
	f := evaluate("{bad", cal, opened, sql.NullTime{}, sql.NullTime{}, time.Hour, at(t, "2024-12-27 17:00"))
	if !f.ok || !f.breached || f.elapsed != 2*time.Hour {
		t.Errorf("bad clock: %+v", f)
	}
}
