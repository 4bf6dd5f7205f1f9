package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

var update = flag.Bool("update", false, "rewrite golden files")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got ---\n%s", path, got)
	}
}

func templates(t testing.TB) *mailout.Templates {
	t.Helper()
	tm, err := mailout.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestDigestGolden renders the December 2024 fixture as the monthly digest
// in both languages (text and HTML; the PNG is checked, not compared).
func TestDigestGolden(t *testing.T) {
	db := openSQLite(t)
	setup := testSetup(t)
	setup.Desk.DisplayName, setup.Desk.SupportAddress, setup.Desk.Name = "Служба технической поддержки КГО", "sd@kgo66.ru", "sd"
	org1, _ := fixture(t, db, setup.Default)
	r, err := NewReporter(db, setup)
	if err != nil {
		t.Fatal(err)
	}
	tm := templates(t)
	p, err := testPlan(t, setup).Of(Monthly, workcal.Date{Year: 2024, Month: 12, Day: 15})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		rc   Recipient
	}{
		{"ru", Recipient{Email: "boss@kgo66.ru", Lang: "ru"}},
		{"en", Recipient{Email: "boss@kgo66.ru", Lang: "en"}},
		{"ru_org", Recipient{Email: "head@school1.example", Lang: "ru", OrgID: org1}},
		{"en_org", Recipient{Email: "head@school1.example", Lang: "en", OrgID: org1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := r.Build(context.Background(), tm, p, c.rc, at(t, "2025-01-09 09:00"))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "digest_"+c.name+".golden", []byte("Subject: "+d.Rendered.Subject+"\n\n"+d.Rendered.Text+"\n===== HTML =====\n"+d.Rendered.HTML))
			if !bytes.HasPrefix(d.Chart, []byte("\x89PNG\r\n\x1a\n")) || len(d.Chart) < 1000 {
				t.Errorf("chart is not a PNG (%d bytes)", len(d.Chart))
			}
			if !strings.Contains(d.Rendered.HTML, `src="cid:`+ChartCID+`"`) {
				t.Error("HTML does not show the inline chart")
			}
			if c.name == "ru" {
				checkGolden(t, "digest_tickets.csv", d.CSV)
				if os.Getenv("DIGEST_WRITE_SAMPLE") != "" {
					_ = os.WriteFile(filepath.Join(os.TempDir(), "digest-sample.html"), []byte(strings.ReplaceAll(d.Rendered.HTML, "cid:"+ChartCID, "chart.png")), 0o644)
					_ = os.WriteFile(filepath.Join(os.TempDir(), "chart.png"), d.Chart, 0o644)
				}
			}
			if c.name == "ru_org" {
				checkGolden(t, "digest_tickets_org.csv", d.CSV)
			}
			if c.rc.OrgID != 0 {
				all := d.Rendered.Text + d.Rendered.HTML + string(d.CSV)
				if strings.Contains(all, "Администрация") {
					t.Error("an organisation's digest names another organisation")
				}
				// Operator-internal sections and staff addresses stay out.
				for _, internal := range []string{"@sd.example", "НАГРУЗКА", "Нагрузка", "ОТКЛОНЁННЫЕ КОМАНДЫ", "Отклонённые команды",
					"LOAD PER AGENT", "Load per agent", "REFUSED COMMANDS", "Refused commands",
					"command_refused", "security_", ",agent,"} {
					if strings.Contains(all, internal) {
						t.Errorf("an organisation's digest shows %q", internal)
					}
				}
			}
		})
	}
}

func testPlan(t testing.TB, setup *Setup) *Plan {
	t.Helper()
	pl, err := NewPlan(setup.Default, Schedule{}, Schedule{}, Schedule{})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// TestDigestMatchesReportSLA: the digest and `otvet report sla` over the
// same period and instant give the same figures — the digest's report, its
// rendered lines and the JSON of the report (whose compliance is the
// first-response compliance).
func TestDigestMatchesReportSLA(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup := testSetup(t)
		org1, _ := fixture(t, db, setup.Default)
		r, err := NewReporter(db, setup)
		if err != nil {
			t.Fatal(err)
		}
		pl := testPlan(t, setup)
		now := at(t, "2025-01-09 09:00")
		for _, c := range []struct {
			kind Kind
			d    workcal.Date
			org  int64
		}{
			{Monthly, date(2024, 12, 1), 0}, {Monthly, date(2024, 12, 1), org1}, {Weekly, date(2024, 12, 27), 0},
			{Daily, date(2024, 12, 28), 0}, {Daily, date(2024, 12, 11), org1},
		} {
			p, err := pl.Of(c.kind, c.d)
			if err != nil {
				t.Fatal(err)
			}
			d, err := r.Build(ctx, templates(t), p, Recipient{Email: "boss@kgo66.ru", OrgID: c.org}, now)
			if err != nil {
				t.Fatal(err)
			}
			// What cmd/otvet's report sla asks for.
			rep, err := r.Report(ctx, Params{From: p.From, To: p.To, Now: now, OrgID: c.org})
			if err != nil {
				t.Fatal(err)
			}
			var fromDigest, fromReport bytes.Buffer
			if err := d.Report.SLA().WriteJSON(&fromDigest); err != nil {
				t.Fatal(err)
			}
			if err := rep.SLA().WriteJSON(&fromReport); err != nil {
				t.Fatal(err)
			}
			if fromDigest.String() != fromReport.String() {
				t.Errorf("%s %s org %d: digest figures\n%s\nreport sla\n%s", c.kind, p.Key(), c.org, &fromDigest, &fromReport)
			}
			s := rep.SLA()
			if s.Total.Received != d.Data.Received || d.Data.Total.Received != s.Total.Received {
				t.Errorf("%s %s: digest received %d, report %d", c.kind, p.Key(), d.Data.Received, s.Total.Received)
			}
			check := func(name string, row mailout.DigestSLA, g SLAGroup) {
				t.Helper()
				pct := func(p *float64) string {
					if p == nil {
						return "—"
					}
					return formatPercent(*p, true, "ru")
				}
				dur := func(p *int64) string {
					if p == nil {
						return "—"
					}
					return formatBusiness(time.Duration(*p)*time.Second, "ru")
				}
				got := []any{row.Received, row.FirstMet, row.FirstBreached, row.FirstPending, row.FirstCompliance, row.FirstMedian, row.FirstP90,
					row.ResolveMet, row.ResolveBreached, row.ResolvePending, row.ResolveCompliance, row.ResolveMedian, row.ResolveP90}
				want := []any{g.Received, g.FirstResponseMet, g.FirstResponseBreached, g.FirstResponsePending, pct(g.Compliance),
					dur(g.MedianFirstResponseSeconds), dur(g.P90FirstResponseSeconds), g.ResolutionMet, g.ResolutionBreached,
					g.ResolutionPending, pct(g.ResolutionCompliance), dur(g.MedianResolutionSeconds), dur(g.P90ResolutionSeconds)}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s %s %s: digest %v, report sla %v", c.kind, p.Key(), name, got, want)
				}
			}
			check("total", d.Data.Total, s.Total)
			if len(d.Data.ByLevel) != len(s.Levels) {
				t.Fatalf("levels: digest %d, report %d", len(d.Data.ByLevel), len(s.Levels))
			}
			for i := range s.Levels {
				check("level "+s.Levels[i].Level, d.Data.ByLevel[i], s.Levels[i])
			}
			if c.org == 0 {
				if len(d.Data.ByOrg) != len(s.Organisations) {
					t.Fatalf("organisations: digest %d, report %d", len(d.Data.ByOrg), len(s.Organisations))
				}
				for i := range s.Organisations {
					check("organisation "+s.Organisations[i].Organisation, d.Data.ByOrg[i], s.Organisations[i])
				}
			}
		}
	})
}

// TestSLAJSONFields: every group of the JSON has the fields, and
// compliance is the first-response compliance.
func TestSLAJSONFields(t *testing.T) {
	db := openSQLite(t)
	setup := testSetup(t)
	fixture(t, db, setup.Default)
	r, err := NewReporter(db, setup)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Report(context.Background(), Params{From: at(t, "2024-12-01 00:00"), To: at(t, "2025-01-01 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.SLA().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Total         map[string]any   `json:"total"`
		Levels        []map[string]any `json:"levels"`
		Organisations []map[string]any `json:"organisations"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	groups := append([]map[string]any{out.Total}, append(out.Levels, out.Organisations...)...)
	for _, g := range groups {
		for _, k := range []string{"received", "first_response_met", "first_response_breached", "compliance",
			"median_first_response_seconds", "p90_first_response_seconds"} {
			if _, ok := g[k]; !ok {
				t.Errorf("group %v lacks %q", g, k)
			}
		}
		if fmt.Sprint(g["compliance"]) != fmt.Sprint(g["first_response_compliance"]) {
			t.Errorf("compliance %v, first_response_compliance %v", g["compliance"], g["first_response_compliance"])
		}
	}
	if out.Total["compliance"] != 80.0 || out.Levels[0]["compliance"] != nil { // basic: nothing decided
		t.Errorf("total compliance %v, basic %v; want 80 and null", out.Total["compliance"], out.Levels[0]["compliance"])
	}
	var csvOut bytes.Buffer
	if err := rep.SLA().WriteCSV(&csvOut); err != nil || !strings.Contains(strings.SplitN(csvOut.String(), "\n", 2)[0], ",compliance") {
		t.Errorf("CSV header lacks compliance: %v %q", err, csvOut.String())
	}
}
