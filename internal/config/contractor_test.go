package config

import (
	"strings"
	"testing"
	"time"
)

// The contractor keys: a level's with_contractor (runs or pauses) and
// tickets.contractor_alert_after, defaulted and validated.
func TestContractorKeys(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		pauses     map[string]bool
		alert      time.Duration
		problems   []string
	}{
		{"defaults", "", map[string]bool{}, time.Hour, nil},
		{"set", `
tickets: {contractor_alert_after: 30m}
support_levels:
  - {name: standard, first_response: 4h, resolution: 24h, with_contractor: pauses}
  - {name: basic, first_response: 8h, resolution: 40h, with_contractor: runs}
`, map[string]bool{"standard": true}, 30 * time.Minute, nil},
		{"wrong", `
tickets: {contractor_alert_after: -1h}
support_levels:
  - {name: standard, first_response: 4h, resolution: 24h, with_contractor: stops}
`, map[string]bool{}, -time.Hour, []string{"support_levels[0].with_contractor", "tickets.contractor_alert_after"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(writeFile(t, t.TempDir(), "c.yaml", "database: {driver: sqlite}\n"+tc.yaml), func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			if got := c.PauseWithContractor(); len(got) != len(tc.pauses) || got["standard"] != tc.pauses["standard"] {
				t.Errorf("PauseWithContractor() = %v, want %v", got, tc.pauses)
			}
			if c.Tickets.ContractorAlertAfter.D() != tc.alert {
				t.Errorf("contractor_alert_after %v, want %v", c.Tickets.ContractorAlertAfter.D(), tc.alert)
			}
			err = c.Validate()
			for _, p := range tc.problems {
				if err == nil || !strings.Contains(err.Error(), p) {
					t.Errorf("no problem named %s: %v", p, err)
				}
			}
			if len(tc.problems) == 0 && err != nil && strings.Contains(err.Error(), "contractor") {
				t.Errorf("unexpected contractor problem: %v", err)
			}
		})
	}
}
