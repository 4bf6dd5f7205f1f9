package main

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestTimesInZoneEverywhere: every command that prints times prints them
// in the desk's zone, or in --tz's; JSON stays in UTC; a bad --tz is a
// usage error. Times typed in (maintenance --from/--to) are wall times in
// the desk's zone, the earlier instant when the clocks go back and moved
// forward when they skip (the desk here is in New York, which has DST).
func TestTimesInZoneEverywhere(t *testing.T) {
	cfg := demoConfig(t)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "timezone: Asia/Yekaterinburg") {
		t.Fatalf("the demo's desk zone moved:\n%s", b)
	}
	if out := must(t, "tickets", "list", "--config", cfg); !strings.Contains(out, "+05") {
		t.Errorf("tickets list does not print the desk's zone (+05):\n%s", out)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "Asia/Yekaterinburg", "America/New_York", 1)), 0o600); err != nil {
		t.Fatal(err)
	}

	zoned := []struct {
		args []string
		want string // in the output with --tz Europe/Moscow
	}{
		{[]string{"tickets", "list"}, "MSK"},
		{[]string{"tickets", "search", "журнала"}, "MSK"},
		{[]string{"tickets", "show", "1"}, "MSK"},
		{[]string{"outbox", "list"}, ""},
		{[]string{"audit"}, ""},
		{[]string{"directory", "audit"}, ""},
		{[]string{"quarantine", "list"}, ""},
	}
	for _, c := range zoned {
		name := strings.Join(c.args, " ")
		if c.want != "" {
			if out := must(t, append(c.args, "--config", cfg)...); !strings.Contains(out, "EST") || strings.Contains(out, "+05") {
				t.Errorf("%s: not in the desk's zone (EST):\n%s", name, out)
			}
		}
		out := must(t, append(c.args, "--tz", "Europe/Moscow", "--config", cfg)...)
		if c.want != "" && (!strings.Contains(out, c.want) || strings.Contains(out, "EST")) {
			t.Errorf("%s --tz Europe/Moscow: no %s:\n%s", name, c.want, out)
		}
		var ue usageError
		if _, _, err := otvet(t, append(c.args, "--tz", "Mars/Olympus", "--config", cfg)...); !errors.As(err, &ue) {
			t.Errorf("%s --tz Mars/Olympus: %v, want a usage error", name, err)
		}
	}
	// JSON is UTC whatever --tz says.
	for _, args := range [][]string{{"tickets", "list", "--json"}, {"tickets", "show", "1", "--json"}} {
		out := must(t, append(args, "--tz", "Europe/Moscow", "--config", cfg)...)
		if !strings.Contains(out, `Z"`) || strings.Contains(out, "+03:00") {
			t.Errorf("%v: JSON not in UTC:\n%.400s", args, out)
		}
	}

	// 01:30 on 2030-11-03 happens twice in New York: the earlier (EDT, -04).
	// 02:30 on 2031-03-09 never happens: 03:30 EDT.
	out := must(t, "maintenance", "add", "--system", "МИС", "--from", "2030-11-03 01:30", "--to", "09.03.2031 02:30", "--config", cfg)
	if !strings.Contains(out, "2030-11-03 01:30 EDT") || !strings.Contains(out, "2031-03-09 03:30 EDT") {
		t.Errorf("maintenance add: %s", out)
	}
	var ws []struct{ From, To string }
	if err := json.Unmarshal([]byte(must(t, "maintenance", "list", "--json", "--config", cfg)), &ws); err != nil || len(ws) != 1 {
		t.Fatalf("maintenance list --json: %v %v", ws, err)
	}
	if ws[0].From != "2030-11-03T05:30:00Z" || ws[0].To != "2031-03-09T07:30:00Z" {
		t.Errorf("window %s – %s, want 2030-11-03T05:30:00Z – 2031-03-09T07:30:00Z", ws[0].From, ws[0].To)
	}
	if out := must(t, "maintenance", "list", "--tz", "Europe/Moscow", "--config", cfg); !strings.Contains(out, "2030-11-03 08:30 MSK") {
		t.Errorf("maintenance list --tz Europe/Moscow:\n%s", out)
	}
	if out := must(t, "maintenance", "end", "1", "--at", "2030-11-03 01:59", "--tz", "UTC", "--config", cfg); !strings.Contains(out, "2030-11-03 05:59 UTC") {
		t.Errorf("maintenance end --at (ambiguous) --tz UTC: %s", out)
	}
}
