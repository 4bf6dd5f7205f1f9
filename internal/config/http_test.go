package config

import (
	"strings"
	"testing"
)

func TestHTTPSection(t *testing.T) {
	for _, c := range []struct {
		yaml    string
		problem string // "" when http is valid
	}{
		{"", ""},
		{"http: {listen: \"127.0.0.1:8080\"}", ""},
		{"http: {listen: \":8080\", base_url: \"https://helpdesk.example.test\"}", ""},
		{"http: {listen: \"8080\"}", "http.listen"},
		{"http: {listen: \"127.0.0.1:8080\", base_url: \"helpdesk.example.test\"}", "http.base_url"},
		{"http: {listen: \"127.0.0.1:8080\", base_url: \"ftp://x\"}", "http.base_url"},
	} {
		t.Run(c.yaml, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "c.yaml", c.yaml+"\n")
			cfg, err := Load(p, func(k string) string {
				if k == "OTVET_HTTP_LISTEN" && c.yaml == "" {
					return "127.0.0.1:9090"
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.Validate()
			has := err != nil && strings.Contains(err.Error(), "http.")
			if c.problem == "" && has || c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)) {
				t.Errorf("problem %q, got %v", c.problem, err)
			}
			if c.yaml == "" && cfg.HTTP.Listen != "127.0.0.1:9090" {
				t.Errorf("OTVET_HTTP_LISTEN not read: %q", cfg.HTTP.Listen)
			}
		})
	}
}
