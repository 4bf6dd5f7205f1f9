package sla

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/otvet/otvet/internal/workcal"
)

func testCal(t testing.TB) (*workcal.Calendar, *time.Location) {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	c, err := workcal.New(workcal.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	return c, loc
}

func msk(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	if err != nil {
		v, err = time.ParseInLocation("2006-01-02 15:04", s, loc)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCalendarSLALevels(t *testing.T) {
	ls, err := NewLevels(DefaultLevels())
	if err != nil {
		t.Fatal(err)
	}
	if lv, ok := ls.Get("standard"); !ok || lv.FirstResponse != 4*time.Hour || lv.Target(Resolution) != 24*time.Hour {
		t.Errorf("standard = %+v, %v", lv, ok)
	}
	if _, ok := ls.Get("gold"); ok {
		t.Error("unknown level found")
	}
	if got := strings.Join(ls.Names(), ","); got != "basic,standard,priority" {
		t.Errorf("Names = %s", got)
	}
	for _, tc := range []struct{ org, desk, want string }{
		{"priority", "basic", "priority"}, {"", "basic", "basic"}, {"gold", "basic", ""},
	} {
		lv, err := ls.Resolve(tc.org, tc.desk)
		if (err != nil) != (tc.want == "") || lv.Name != tc.want {
			t.Errorf("Resolve(%q, %q) = %q, %v", tc.org, tc.desk, lv.Name, err)
		}
	}
	_, err = NewLevels([]Level{
		{Name: "Basic", FirstResponse: time.Hour, Resolution: 2 * time.Hour},
		{Name: "x", FirstResponse: 0, Resolution: time.Hour},
		{Name: "x", FirstResponse: 3 * time.Hour, Resolution: time.Hour},
		{Name: "y", FirstResponse: time.Millisecond, Resolution: time.Hour},
	})
	if err == nil {
		t.Fatal("bad levels accepted")
	}
	for _, want := range []string{`"Basic"`, "must be positive", "defined twice", "later than resolution", "whole seconds"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	if _, err := NewLevels(nil); err == nil {
		t.Error("no levels accepted")
	}
	if !Pauses("waiting") || !Pauses("deferred") || Pauses("open") {
		t.Error("Pauses")
	}
}

func TestCalendarSLAClockAcrossNightsAndHolidays(t *testing.T) {
	cal, loc := testCal(t)
	for _, tc := range []struct {
		name    string
		start   string
		target  time.Duration
		pauses  [][2]string // pause, resume
		due     string
		elapsed map[string]time.Duration
	}{
		{name: "overnight onto a working saturday", start: "2024-12-27 15:00", target: 4 * time.Hour,
			due: "2024-12-28 11:00", elapsed: map[string]time.Duration{"2024-12-27 20:00": 2 * time.Hour, "2024-12-28 10:00": 3 * time.Hour}},
		{name: "paused over new year", start: "2024-12-27 15:00", target: 4 * time.Hour,
			pauses: [][2]string{{"2024-12-27 16:00", "2025-01-09 11:00"}}, due: "2025-01-09 14:00",
			elapsed: map[string]time.Duration{"2025-01-05 12:00": time.Hour, "2025-01-09 12:00": 2 * time.Hour}},
		{name: "opened at night, paused and resumed at night", start: "2024-06-14 22:00", target: 8 * time.Hour,
			pauses: [][2]string{{"2024-06-17 12:00", "2024-06-17 20:00"}}, due: "2024-06-18 14:00",
			elapsed: map[string]time.Duration{"2024-06-17 15:00": 3 * time.Hour, "2024-06-18 09:00": 3 * time.Hour}},
		{name: "two pauses, one inside closed hours", start: "2024-05-07 10:00", target: 16 * time.Hour,
			pauses: [][2]string{{"2024-05-07 11:00", "2024-05-07 12:00"}, {"2024-05-07 18:00", "2024-05-08 08:00"}},
			due:    "2024-05-13 12:00", elapsed: map[string]time.Duration{"2024-05-08 23:00": 13 * time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Start(Resolution, tc.target, msk(t, loc, tc.start), cal)
			for _, p := range tc.pauses {
				if err := c.Record(Event{Kind: EventPause, At: msk(t, loc, p[0]), Reason: "waiting"}); err != nil {
					t.Fatal(err)
				}
				if err := c.Resume(msk(t, loc, p[1])); err != nil {
					t.Fatal(err)
				}
			}
			due, ok := c.Due()
			if !ok || !due.Equal(msk(t, loc, tc.due)) {
				t.Errorf("Due = %v, %v; want %s", due.In(loc), ok, tc.due)
			}
			for now, want := range tc.elapsed {
				if got := c.Elapsed(msk(t, loc, now)); got != want {
					t.Errorf("Elapsed(%s) = %v, want %v", now, got, want)
				}
			}
			if got := c.Elapsed(due); got != tc.target {
				t.Errorf("Elapsed(due) = %v", got)
			}
		})
	}
}

func TestCalendarSLAClockWarningAndBreach(t *testing.T) {
	cal, loc := testCal(t)
	start := msk(t, loc, "2024-06-17 09:00")
	c := Start(FirstResponse, 4*time.Hour, start, cal)
	warnAt, _ := c.WarnAt()
	if !warnAt.Equal(msk(t, loc, "2024-06-17 12:12")) {
		t.Errorf("WarnAt = %v", warnAt)
	}
	due, _ := c.Due()
	for _, tc := range []struct {
		now     time.Time
		state   State
		warning bool
	}{
		{start, Running, false},
		{warnAt.Add(-time.Second), Running, false},
		{warnAt, Running, true},
		{due, Running, true},
		{due.Add(time.Second), Breached, false},
		{msk(t, loc, "2024-06-17 20:00"), Breached, false},
	} {
		if s := c.Status(tc.now); s.State != tc.state || s.Warning != tc.warning {
			t.Errorf("at %v: %s warning=%v, want %s %v", tc.now.In(loc), s.State, s.Warning, tc.state, tc.warning)
		}
	}
	if err := c.SetWarnPercent(50); err != nil || !c.Warning(msk(t, loc, "2024-06-17 11:00")) {
		t.Errorf("50%% threshold: %v", err)
	}
	if c.SetWarnPercent(0) == nil || c.SetWarnPercent(101) == nil {
		t.Error("bad thresholds accepted")
	}

	stopped := func(stop string, pause string) State {
		c := Start(FirstResponse, 4*time.Hour, start, cal)
		if pause != "" {
			if err := c.Pause(msk(t, loc, pause)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Stop(msk(t, loc, stop)); err != nil {
			t.Fatal(err)
		}
		if c.Warning(msk(t, loc, stop)) {
			t.Error("a stopped clock warns")
		}
		return c.State(msk(t, loc, "2024-07-01 00:00"))
	}
	if s := stopped("2024-06-17 13:00", ""); s != Met {
		t.Errorf("stop exactly at due: %s", s)
	}
	if s := stopped("2024-06-17 13:00:01", ""); s != Breached {
		t.Errorf("stop a second late: %s", s)
	}
	if s := stopped("2024-06-20 13:00", "2024-06-17 12:00"); s != Met {
		t.Errorf("stop while paused within target: %s", s)
	}
	p := Start(FirstResponse, 4*time.Hour, start, cal)
	_ = p.Pause(msk(t, loc, "2024-06-17 10:00"))
	if _, ok := p.Due(); ok || p.State(msk(t, loc, "2024-06-20 10:00")) != Paused {
		t.Error("paused clock has a due time or wrong state")
	}
}

func TestCalendarSLAClockHistoryRules(t *testing.T) {
	cal, loc := testCal(t)
	t0 := msk(t, loc, "2024-06-17 10:00")
	c := Start(FirstResponse, time.Hour, t0, cal)
	for _, tc := range []struct {
		e    Event
		want error
	}{
		{Event{Kind: EventResume, At: t0}, ErrTransition},
		{Event{Kind: EventPause, At: t0.Add(-time.Second)}, ErrOutOfOrder},
		{Event{Kind: EventStart, At: t0}, ErrTransition},
		{Event{Kind: "explode", At: t0}, ErrTransition},
		{Event{Kind: EventPause, At: t0}, nil},
		{Event{Kind: EventPause, At: t0}, ErrTransition},
		{Event{Kind: EventStop, At: t0.Add(time.Hour)}, nil},
		{Event{Kind: EventResume, At: t0.Add(2 * time.Hour)}, ErrTransition},
		{Event{Kind: EventStop, At: t0.Add(2 * time.Hour)}, ErrTransition},
	} {
		if err := c.Record(tc.e); !errors.Is(err, tc.want) {
			t.Errorf("%s at %v: %v, want %v", tc.e.Kind, tc.e.At, err, tc.want)
		}
	}
	if _, err := Replay(FirstResponse, time.Hour, 0, []Event{{Kind: EventPause, At: t0}}, cal); err == nil {
		t.Error("history without start accepted")
	}
	if _, err := Replay(FirstResponse, time.Hour, 0, nil, cal); err == nil {
		t.Error("empty history accepted")
	}
}

func TestCalendarSLAClockReplayAndJSON(t *testing.T) {
	cal, loc := testCal(t)
	c := Start(Resolution, 24*time.Hour, msk(t, loc, "2024-12-26 14:00"), cal)
	steps := []Event{
		{Kind: EventPause, At: msk(t, loc, "2024-12-27 10:00"), Reason: "waiting"},
		{Kind: EventResume, At: msk(t, loc, "2024-12-28 16:00")},
		{Kind: EventPause, At: msk(t, loc, "2025-01-09 12:00"), Reason: "deferred"},
		{Kind: EventResume, At: msk(t, loc, "2025-01-10 09:30")},
	}
	for _, e := range steps {
		if err := c.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.SetWarnPercent(75)
	nows := []string{"2024-12-26 15:00", "2024-12-31 12:00", "2025-01-10 12:00", "2025-01-20 12:00"}

	replayed, err := Replay(c.Metric(), c.Target(), c.WarnPercent(), c.Events(), cal)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"target":"24h0m0s"`) || !strings.Contains(string(data), `"reason":"waiting"`) {
		t.Errorf("JSON = %s", data)
	}
	decoded, err := Decode(data, cal)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range nows {
		now := msk(t, loc, s)
		want := c.Status(now)
		for name, other := range map[string]*Clock{"replayed": replayed, "decoded": decoded} {
			if got := other.Status(now); got != want {
				t.Errorf("%s at %s: %+v, want %+v", name, s, got, want)
			}
		}
	}
	// 3h on the 26th, 1h on the 27th, 1h on the 28th, 3h on 9 Jan.
	if got := c.Elapsed(msk(t, loc, "2025-01-10 09:30")); got != 8*time.Hour {
		t.Errorf("Elapsed = %v", got)
	}
	if got := c.Elapsed(msk(t, loc, "2025-01-10 12:00")); got != 8*time.Hour+150*time.Minute {
		t.Errorf("Elapsed = %v", got)
	}
	ex := c.Explain(msk(t, loc, "2025-01-10 12:00"), loc)
	for _, want := range []string{"resolution: target 24h0m0s, warning at 75%", "paused  2024-12-27 10:00:00 → 2024-12-28 16:00:00 (waiting)",
		"running 2025-01-10 09:30:00 → now: 2h30m0s", "elapsed 10h30m0s, remaining 13h30m0s, state running"} {
		if !strings.Contains(ex, want) {
			t.Errorf("Explain lacks %q:\n%s", want, ex)
		}
	}
	var plain Clock
	if err := json.Unmarshal(data, &plain); err != nil || plain.Elapsed(msk(t, loc, "2025-01-10 12:00")) == 8*time.Hour+150*time.Minute {
		t.Errorf("a clock decoded without a calendar should count wall time: %v", err)
	}
	for _, bad := range []string{`{}`, `{"metric":"resolution","target":"x","events":[]}`,
		`{"metric":"resolution","target":"1h","events":[{"kind":"resume","at":"2024-01-01T00:00:00Z"}]}`, `[`} {
		if _, err := Decode([]byte(bad), cal); err == nil {
			t.Errorf("Decode(%s) accepted", bad)
		}
	}
}

func FuzzCalendarSLADecode(f *testing.F) {
	f.Add([]byte(`{"metric":"resolution","target":"24h0m0s","warn_percent":80,"events":[{"kind":"start","at":"2024-12-26T11:00:00Z"},{"kind":"pause","at":"2024-12-27T07:00:00Z","reason":"waiting"}]}`))
	f.Add([]byte(`{"metric":"first_response","target":"-1h","events":[{"kind":"start","at":"0001-01-01T00:00:00Z"}]}`))
	cal, _ := testCal(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(data, cal)
		if err != nil {
			return
		}
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		_ = c.Status(now)
		_ = c.Explain(now, nil)
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(again, cal); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}
