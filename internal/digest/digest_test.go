package digest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailout"
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
	p := PeriodOf(Monthly, workcal.Date{Year: 2024, Month: 12, Day: 15}, msk)
	for _, c := range []struct {
		name string
		rc   Recipient
	}{
		{"ru", Recipient{Email: "boss@kgo66.ru", Lang: "ru"}},
		{"en", Recipient{Email: "boss@kgo66.ru", Lang: "en"}},
		{"ru_org", Recipient{Email: "head@school1.example", Lang: "ru", OrgID: org1}},
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
			if c.rc.OrgID != 0 && (strings.Contains(d.Rendered.Text, "Администрация") || strings.Contains(string(d.CSV), "Администрация")) {
				t.Error("an organisation's digest names another organisation")
			}
		})
	}
}
