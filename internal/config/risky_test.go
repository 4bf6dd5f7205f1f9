package config

import (
	"slices"
	"strings"
	"testing"
)

// TestRiskyExtensions: limits.risky_extensions is a list of extensions;
// empty or absent means the built-in list (Risky returns nil for it).
func TestRiskyExtensions(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want []string // Limits.Risky()
		bad  string   // the field named in the error, "" = valid
	}{
		{"", nil, ""},
		{"limits: {risky_extensions: []}", nil, ""},
		{"limits: {risky_extensions: [exe, .docm, 7z, tar.gz]}", nil, "limits.risky_extensions[3]"},
		{"limits: {risky_extensions: [exe, .DOCM, iso]}", []string{"exe", ".DOCM", "iso"}, ""},
		{"limits: {risky_extensions: [\"*.exe\"]}", nil, "limits.risky_extensions[0]"},
		{"limits: {risky_extensions: [exe, \"\"]}", nil, "limits.risky_extensions[1]"},
		{"limits: {risky_extensions: [a very long name]}", nil, "limits.risky_extensions[0]"},
	} {
		t.Run(c.yaml, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "c.yaml", c.yaml+"\n")
			cfg, err := Load(p, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.Validate()
			got := ""
			if err != nil && strings.Contains(err.Error(), "limits.risky_extensions") {
				got = err.Error()
			}
			if (c.bad == "") != (got == "") || !strings.Contains(got, c.bad) {
				t.Errorf("error %q, want one naming %q", got, c.bad)
			}
			if c.bad == "" && !slices.Equal(cfg.Limits.Risky(), c.want) {
				t.Errorf("Risky() = %q, want %q", cfg.Limits.Risky(), c.want)
			}
		})
	}
}
