package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExampleIsValid keeps config.example.yaml parseable, complete and valid.
func TestExampleIsValid(t *testing.T) {
	b, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	body := strings.ReplaceAll(string(b), "/etc/otvet/", dir+"/")
	p := writeFile(t, dir, "config.yaml", body)
	for _, f := range []string{"secret_key", "sd-imap-password", "sd-smtp-password"} {
		writeFile(t, dir, f, "0123456789abcdef0123456789abcdef\n")
	}
	c, err := Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("example config is invalid:\n%v", err)
	}
	if c.Desks[0].IMAP.Password.Reveal() != "0123456789abcdef0123456789abcdef" {
		t.Errorf("password_file not read")
	}
	// Complete: every YAML key of the Config type appears in the example.
	for _, key := range yamlKeys(Config{}) {
		if !strings.Contains(string(b), key+":") {
			t.Errorf("config.example.yaml does not mention %q", key)
		}
	}
}

func TestValidateReportsEverything(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "c.yaml", `
database: {driver: mysql}
log: {level: loud}
desks:
  - name: "Bad Name"
    support_address: "Support <sd@x.ru>"
    timezone: Mars/Olympus
    language: de
    imap: {host: imap.x.ru, security: plain, idle_check: 10ms}
    smtp: {host: "", port: 70000}
`)
	c, err := Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"database.driver", "secret_key", "log.level", ".name", ".support_address", ".timezone",
		".language", "imap.security", "imap.username", "imap.password", "imap.idle_check", "smtp.host", "smtp.port",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
}

func TestUnknownKeyIsAnError(t *testing.T) {
	p := writeFile(t, t.TempDir(), "c.yaml", "databse: {driver: sqlite}\n")
	if _, err := Load(p, nil); err == nil || !strings.Contains(err.Error(), "databse") {
		t.Fatalf("err = %v, want it to name the unknown key", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	p := writeFile(t, t.TempDir(), "c.yaml", `
desks:
  - name: sd-main
    support_address: sd@x.ru
    imap: {host: h, username: u}
    smtp: {host: h}
`)
	env := map[string]string{
		"OTVET_DATABASE_DRIVER":                  "postgres",
		"OTVET_DATABASE_DSN":                     "postgres://u:p@h/db",
		"OTVET_SECRET_KEY":                       strings.Repeat("k", 32),
		"OTVET_DESKS_SD_MAIN_IMAP_PASSWORD":      "imap-pw",
		"OTVET_DESKS_SD_MAIN_IMAP_MARK_SEEN":     "false",
		"OTVET_DESKS_SD_MAIN_IMAP_POLL_INTERVAL": "15s",
		"OTVET_LIMITS_MAX_MESSAGE_BYTES":         "5MiB",
		"OTVET_RULES_OFFENSIVE_ENABLED":          "false",
	}
	c, err := Load(p, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	d := c.Desks[0]
	if c.Database.Driver != "postgres" || c.Database.DSN.Reveal() != "postgres://u:p@h/db" ||
		d.IMAP.Password.Reveal() != "imap-pw" || *d.IMAP.MarkSeen || d.IMAP.PollInterval.D().Seconds() != 15 ||
		c.Limits.MaxMessageBytes != 5<<20 || c.Rules.Offensive.On() {
		t.Errorf("overrides not applied: %+v %+v", c.Database, d.IMAP)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
	_, err = Load(p, func(k string) string {
		if k == "OTVET_OUTBOX_MAX_ATTEMPTS" {
			return "many"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "OTVET_OUTBOX_MAX_ATTEMPTS") {
		t.Errorf("bad env value: err = %v", err)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	s := Secret("hunter2")
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %+v %#v", s, s, s, s), fmt.Sprintf("%+v", Config{SecretKey: s})} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("secret leaked: %s", out)
		}
	}
}

func FuzzParseSizeAndDuration(f *testing.F) {
	for _, s := range []string{"25MiB", "512KiB", "10MB", "1048576", "90s", "168h", "", "-1", "9999999999999GiB", "1.5MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := parseSize(s); err == nil && n < 0 {
			t.Errorf("parseSize(%q) = %d", s, n)
		}
		_, _ = parseDuration(s)
	})
}

func FuzzDecode(f *testing.F) {
	b, _ := os.ReadFile("../../config.example.yaml")
	f.Add(string(b))
	f.Add("desks: [{name: x}]\n")
	f.Fuzz(func(t *testing.T, s string) {
		var c Config
		if err := Decode(strings.NewReader(s), &c); err != nil {
			return
		}
		c.setDefaults()
		_ = c.Validate() // must not panic, whatever was decoded
	})
}

func TestSLAWarnPercent(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want int
		ok   bool
	}{
		{"", 80, true},
		{"tickets: {sla_warn_percent: 75}", 75, true},
		{"tickets: {sla_warn_percent: 99}", 99, true},
		{"tickets: {sla_warn_percent: 100}", 100, false},
		{"tickets: {sla_warn_percent: -5}", -5, false},
	} {
		t.Run(c.yaml, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "c.yaml", c.yaml+"\n")
			cfg, err := Load(p, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Tickets.SLAWarnPercent != c.want {
				t.Errorf("sla_warn_percent = %d, want %d", cfg.Tickets.SLAWarnPercent, c.want)
			}
			err = cfg.Validate()
			if got := err == nil || !strings.Contains(err.Error(), "tickets.sla_warn_percent"); got != c.ok {
				t.Errorf("valid = %v, want %v: %v", got, c.ok, err)
			}
		})
	}
}

func TestStaffActive(t *testing.T) {
	p := writeFile(t, t.TempDir(), "c.yaml", `
staff:
  - {email: a@x.ru, name: A, role: agent}
  - {email: b@x.ru, name: B, role: agent, active: true}
  - {email: c@x.ru, name: C, role: lead, active: false}
`)
	cfg, err := Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, m := range cfg.Staff {
		got = append(got, m.Disabled())
	}
	if fmt.Sprint(got) != "[false false true]" {
		t.Errorf("disabled = %v", got)
	}
}
