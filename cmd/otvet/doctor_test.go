package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/doctor"
	"github.com/otvet/otvet/internal/testenv"
)

func TestDoctorBadConfiguration(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("desks: []\nbogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := otvet(t, "doctor", "--config", cfg)
	if err == nil || !strings.HasPrefix(out, "error   config: ") || !strings.Contains(out, "fix: ") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
	if _, _, err := otvet(t, "doctor", "--config", cfg, "--timeout", "0s"); !errors.As(err, new(usageError)) {
		t.Errorf("--timeout 0s: %v", err)
	}
}

// otvet doctor against the real servers: everything reachable, and the test
// Postfix keeps a forged Authentication-Results, so the MX check is an error.
func TestDoctorAgainstRealServers(t *testing.T) {
	e := testenv.Get(t)
	t.Parallel()
	support := e.NewMailbox(t, "doctor")
	ih, ip, _ := strings.Cut(e.IMAPAddr, ":")
	sh, sp, _ := strings.Cut(e.SMTPAddr, ":")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	body := fmt.Sprintf(`database: {driver: sqlite, path: %q}
secret_key: "0123456789abcdef0123456789abcdef-doctor"
desks:
  - name: sd
    support_address: %s
    require_authentication_results: true
    trusted_authserv_id: mail.example.test
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q}
    smtp: {host: %s, port: %s, security: none}
`, filepath.Join(dir, "otvet.db"), support, ih, ip, support, e.Password, sh, sp)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	// No database yet: that check fails, the mail checks still run.
	out, _, err := otvet(t, "doctor", "--config", cfg, "--desk", "sd", "--timeout", "15s")
	if err == nil || !strings.Contains(out, "error   database: ") || !strings.Contains(out, "fix: run otvet migrate") ||
		!strings.Contains(out, "ok      imap [sd]: ") || !strings.Contains(out, "ok      smtp [sd]: ") ||
		!strings.Contains(out, "error   mx_strips_auth_results [sd]: the MX does not strip forged Authentication-Results") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
	if _, _, err := otvet(t, "migrate", "--config", cfg); err != nil {
		t.Fatal(err)
	}
	out, _, err = otvet(t, "doctor", "--config", cfg, "--json", "--timeout", "15s")
	if err == nil {
		t.Error("a failed MX check must fail the command")
	}
	var rs []doctor.Result
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	got := map[string]doctor.Status{}
	for _, r := range rs {
		got[r.Check] = r.Status
	}
	want := map[string]doctor.Status{"config": doctor.OK, "database": doctor.OK, "imap": doctor.OK, "smtp": doctor.OK,
		doctor.CheckMX: doctor.Error, doctor.CheckDNS: doctor.OK} // dns: example.test is skipped
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s\n%s", k, got[k], v, out)
		}
	}
	if _, _, err := otvet(t, "doctor", "--config", cfg, "--desk", "nope"); !errors.As(err, new(usageError)) {
		t.Errorf("--desk nope: %v", err)
	}
}
