package main

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/demo"
)

// TestDigestAndReportCommands runs the digest and the SLA report on the demo's data.
func TestDigestAndReportCommands(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2024, 12, 27, 10, 0, 0, 0, time.FixedZone("+05", 5*3600))
	if _, err := demo.Run(context.Background(), demo.Options{At: at, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	asOf := "2024-12-27T18:00:00+05:00"

	out, _, err := otvet(t, "digest", "--period", "day", "--date", "2024-12-27", "--as-of", asOf, "--config", cfg)
	if err != nil || !strings.Contains(out, "Subject: Ежедневная сводка SLA: 27.12.2024") || !strings.Contains(out, "Поступило: 4") {
		t.Fatalf("digest --print: %v\n%s", err, out)
	}
	out, _, err = otvet(t, "digest", "--period", "week", "--date", "2024-12-27", "--lang", "en", "--print", "--as-of", asOf, "--config", cfg)
	if err != nil || !strings.Contains(out, "Weekly SLA digest: 2024-12-23 – 2024-12-29") {
		t.Fatalf("digest --lang en: %v\n%s", err, out)
	}
	out, _, err = otvet(t, "digest", "--period", "month", "--date", "2024-12-01", "--to", "manager@example.test", "--as-of", asOf, "--config", cfg)
	if err != nil || !strings.Contains(out, "queued the month digest for December 2024 to manager@example.test as outbox #") {
		t.Fatalf("digest --to: %v\n%s", err, out)
	}
	out, _, err = otvet(t, "outbox", "list", "--json", "--config", cfg)
	var rows []outboxJSON
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || rows[0].Kind != "digest" || rows[0].To != "manager@example.test" {
		t.Errorf("outbox after digest --to: %v %s", err, out)
	}

	out, _, err = otvet(t, "report", "sla", "--from", "2024-12-01", "--to", "2024-12-31", "--format", "json", "--as-of", asOf, "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Total  map[string]any   `json:"total"`
		Levels []map[string]any `json:"levels"`
		Orgs   []map[string]any `json:"organisations"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Total["received"] != 4.0 || len(rep.Orgs) == 0 {
		t.Fatalf("report sla json: %v\n%s", err, out)
	}
	for _, k := range []string{"received", "first_response_met", "first_response_breached", "first_response_compliance",
		"median_first_response_seconds", "p90_first_response_seconds", "resolution_met", "resolution_breached",
		"resolution_compliance", "median_resolution_seconds", "p90_resolution_seconds"} {
		if _, ok := rep.Levels[0][k]; !ok {
			t.Errorf("level row lacks %q", k)
		}
	}
	for _, f := range []string{"text", "csv"} {
		out, _, err = otvet(t, "report", "sla", "--from", "2024-12-01", "--to", "2024-12-31", "--format", f, "--config", cfg)
		if err != nil || !strings.Contains(out, "total") {
			t.Errorf("report sla --format %s: %v\n%s", f, err, out)
		}
	}

	for _, args := range [][]string{
		{"digest", "--period", "year"},
		{"digest", "--lang", "de"},
		{"digest", "--print", "--to", "a@b.c"},
		{"digest", "--date", "27.12.2024", "--config", cfg},
		{"report"},
		{"report", "sla", "--from", "2024-12-01"},
		{"report", "sla", "--from", "2024-12-31", "--to", "2024-12-01", "--config", cfg},
		{"report", "sla", "--from", "2024-12-01", "--to", "2024-12-31", "--format", "xml"},
	} {
		_, _, err := otvet(t, args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
}
