package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Commands other than migrate never create the SQLite file: a mistyped path
// is an error that says what to do, not a fresh empty database.
func TestMissingDatabaseIsNotCreated(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "missing.db")
	cfg := filepath.Join(dir, "otvet.yaml")
	body := `database: {driver: sqlite, path: ` + db + `}
secret_key: "0123456789abcdef0123456789abcdef"
desks:
  - name: sd
    support_address: sd@kgo66.ru
    imap: {host: 127.0.0.1, port: 143, security: plain, username: sd, password: x}
    smtp: {host: 127.0.0.1, port: 25, security: none}
`
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	eml := filepath.Join(dir, "m.eml")
	if err := os.WriteFile(eml, []byte("From: a@b.ru\r\nSubject: x\r\n\r\ny\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"rules", "test", eml}, {"tickets", "list"}, {"poll", "--once"}} {
		_, _, err := otvet(t, append(args, "--config", cfg)...)
		if err == nil || !strings.Contains(err.Error(), "otvet migrate") {
			t.Errorf("%v: %v, want an error naming otvet migrate", args, err)
		}
		if _, err := os.Stat(db); err == nil {
			t.Fatalf("%v created %s", args, db)
		}
	}
	if _, _, err := otvet(t, "migrate", "--config", cfg); err != nil {
		t.Fatal(err)
	}
	if _, _, err := otvet(t, "tickets", "list", "--config", cfg); err != nil {
		t.Errorf("after migrate: %v", err)
	}
}

// -h/--help prints the usage (on standard output) and runs nothing: not the demo, not a digest
// to queue, not the service.
func TestHelpRunsNothing(t *testing.T) {
	for _, args := range [][]string{{"demo", "--help"}, {"serve", "-h"}, {"digest", "--period", "day", "--to", "x@y.ru", "--help"},
		{"tickets", "list", "--help"}, {"calendar", "between", "--help"}} {
		out, errOut, err := otvet(t, args...)
		if err != nil || errOut != "" || !strings.Contains(out, "usage:") || !strings.Contains(out, "otvet "+args[0]) {
			t.Errorf("%v: err %v, stdout %q, stderr %q", args, err, out, errOut)
		}
	}
}
