package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigCheckReportsEveryProblem: the example configuration without its
// secret files and with more mistakes added — every one is reported in one run.
func TestConfigCheckReportsEveryProblem(t *testing.T) {
	b, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	body := strings.ReplaceAll(string(b), "/etc/otvet/", dir+"/missing/")
	for _, r := range [][2]string{
		{"driver: sqlite", "driver: mysql"},
		{"- name: sd ", "- name: SD Main "},
		{"timezone: Asia/Yekaterinburg", "timezone: Asia/Nowhere"},
		{"language: ru ", "language: de "},
		{"port: 993 ", "port: abc "},
		{"security: starttls ", "security: none "},
		{"level: info ", "level: loud "},
		{`from: ""`, `from: "no address"`},
		{"mark_seen: true ", "mark_seen: maybe "},
		{"helo_name: \"\"", "helo: x"},
	} {
		if !strings.Contains(body, r[0]) {
			t.Fatalf("config.example.yaml no longer has %q", r[0])
		}
		body = strings.Replace(body, r[0], r[1], 1)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = otvet(t, "config", "check", "--config", cfg)
	var ue usageError
	if err == nil || errors.As(err, &ue) {
		t.Fatalf("err = %v, want a configuration error (exit status 1)", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"secret_key_file: open " + dir + "/missing/secret_key: no such file or directory — create it or set OTVET_SECRET_KEY",
		"desks[0].imap.password_file: open " + dir + "/missing/sd-imap-password: no such file or directory — create it or set OTVET_DESKS_SD_MAIN_IMAP_PASSWORD",
		"desks[0].smtp.password_file: open ",
		"database.driver:",
		"desks[0].name:",
		"desks[0].timezone:",
		"desks[0].language:",
		`desks[0].imap.port (line `, `"abc" is not a whole number`,
		`desks[0].imap.mark_seen (line `, `"maybe" is not true or false`,
		`desks[0].smtp.helo (line `, "did you mean helo_name?",
		"desks[0].smtp.security: none sends the password in clear text",
		"desks[0].smtp.from:",
		"log.level:",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("config check does not report %q", want)
		}
	}
	if t.Failed() {
		t.Log(msg)
	}

	// Fixed, the same configuration is valid.
	body = string(b)
	body = strings.ReplaceAll(body, "/etc/otvet/", dir+"/")
	for _, f := range []string{"secret_key", "sd-imap-password", "sd-smtp-password"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _, err := otvet(t, "config", "check", "--config", cfg); err != nil || !strings.Contains(out, "is valid") {
		t.Errorf("config check of the fixed configuration: %v %s", err, out)
	}
	if _, _, err := otvet(t, "config", "check", "extra", "--config", cfg); !errors.As(err, &ue) {
		t.Errorf("extra argument: err = %v, want a usage error", err)
	}
}
