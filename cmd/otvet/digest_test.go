package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
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

	// The daily digest of 27 December covers the time since the closing
	// time (17:00 at the demo desk) of the day before.
	out, _, err := otvet(t, "digest", "--period", "day", "--date", "2024-12-27", "--as-of", asOf, "--config", cfg)
	if err != nil || !strings.Contains(out, "Subject: Ежедневная сводка SLA: 27.12.2024 (с 26.12.2024 17:00)") || !strings.Contains(out, "Поступило: 4") {
		t.Fatalf("digest --print: %v\n%s", err, out)
	}
	// The week of 30 December has no working day: it joins the week before.
	out, _, err = otvet(t, "digest", "--period", "week", "--date", "2024-12-27", "--lang", "en", "--print", "--as-of", asOf, "--config", cfg)
	if err != nil || !strings.Contains(out, "Weekly SLA digest: 2024-12-23 – 2025-01-05") {
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
		// The digest's announcements and knowledge-base sections.
		Announcements []map[string]any `json:"announcements"`
		KB            map[string]any   `json:"knowledge_base"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Total["received"] != 4.0 || len(rep.Orgs) == 0 ||
		rep.Announcements == nil || rep.KB["suggested"] == nil || rep.KB["articles"] == nil {
		t.Fatalf("report sla json: %v\n%s", err, out)
	}
	for _, k := range []string{"received", "first_response_met", "first_response_breached", "compliance", "first_response_compliance",
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
		{"digest", "--date", "27/12/2024", "--config", cfg},
		{"digest", "--date", "2024-02-30", "--config", cfg},
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

// TestDigestFiguresMatchReportSLA: on the same data, period and instant the
// digest shows the figures `otvet report sla` prints — in total, per level
// and per organisation — and an organisation head's digest leaves out the
// operator's internal sections.
func TestDigestFiguresMatchReportSLA(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2024, 12, 27, 10, 0, 0, 0, time.FixedZone("+05", 5*3600))
	if _, err := demo.Run(context.Background(), demo.Options{At: at, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	asOf := "2025-01-10T12:00:00+05:00"

	type group struct {
		Level          string   `json:"level"`
		OrganisationID *int64   `json:"organisation_id"`
		Organisation   string   `json:"organisation"`
		Received       int      `json:"received"`
		Met            int      `json:"first_response_met"`
		Breached       int      `json:"first_response_breached"`
		Pending        int      `json:"first_response_pending"`
		Compliance     *float64 `json:"compliance"`
		ResMet         int      `json:"resolution_met"`
		ResBreached    int      `json:"resolution_breached"`
		ResPending     int      `json:"resolution_pending"`
		ResCompliance  *float64 `json:"resolution_compliance"`
	}
	var rep struct {
		Total         group   `json:"total"`
		Levels        []group `json:"levels"`
		Organisations []group `json:"organisations"`
	}
	// The weekly digest of 23 December covers 23 December – 5 January.
	out, _, err := otvet(t, "report", "sla", "--from", "2024-12-23", "--to", "2025-01-05", "--format", "json", "--as-of", asOf, "--config", cfg)
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || rep.Total.Received == 0 || len(rep.Organisations) < 2 {
		t.Fatalf("report sla: %v\n%s", err, out)
	}
	dg, _, err := otvet(t, "digest", "--period", "week", "--date", "2024-12-23", "--lang", "en", "--as-of", asOf, "--config", cfg)
	if err != nil || !strings.Contains(dg, "Weekly SLA digest: 2024-12-23 – 2025-01-05") {
		t.Fatalf("digest: %v\n%s", err, dg)
	}
	pct := func(p *float64) string {
		if p == nil {
			return "—"
		}
		return strconv.FormatFloat(*p, 'f', -1, 64) + "%"
	}
	sla := func(g group) string {
		return fmt.Sprintf("first response %s (%d met, %d breached, %d pending), resolution %s (%d/%d/%d)",
			pct(g.Compliance), g.Met, g.Breached, g.Pending, pct(g.ResCompliance), g.ResMet, g.ResBreached, g.ResPending)
	}
	want := []string{
		fmt.Sprintf("Received: %d", rep.Total.Received),
		"Compliance (tickets of the period): " + sla(rep.Total),
	}
	for _, g := range rep.Levels {
		want = append(want, fmt.Sprintf("received %d; %s;", g.Received, sla(g)))
	}
	for _, g := range rep.Organisations {
		name := g.Organisation
		if name == "" {
			name = "no organisation"
		}
		want = append(want, fmt.Sprintf("  %s: received %d; %s\n", name, g.Received, sla(g)))
	}
	for _, w := range want {
		if !strings.Contains(dg, w) {
			t.Errorf("the digest lacks report sla's %q:\n%s", w, dg)
		}
	}

	// An organisation's head: the same figures as report sla --org, and
	// nothing internal to the operator.
	org := rep.Organisations[0]
	id := strconv.FormatInt(*org.OrganisationID, 10)
	var orgRep struct {
		Total group `json:"total"`
	}
	out, _, err = otvet(t, "report", "sla", "--from", "2024-12-23", "--to", "2025-01-05", "--org", id, "--format", "json", "--as-of", asOf, "--config", cfg)
	if err != nil || json.Unmarshal([]byte(out), &orgRep) != nil {
		t.Fatalf("report sla --org: %v\n%s", err, out)
	}
	dg, _, err = otvet(t, "digest", "--period", "week", "--date", "2024-12-23", "--org", id, "--lang", "en", "--as-of", asOf, "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := "Compliance (tickets of the period): " + sla(orgRep.Total); !strings.Contains(dg, w) {
		t.Errorf("the organisation's digest lacks %q:\n%s", w, dg)
	}
	for _, internal := range []string{"LOAD PER AGENT", "REFUSED COMMANDS", "unassigned", "@kgo66.ru,"} {
		if strings.Contains(dg, internal) {
			t.Errorf("the organisation's digest shows %q:\n%s", internal, dg)
		}
	}
}
