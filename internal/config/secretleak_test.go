package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A secret written in a way YAML misreads never appears in the error.
func TestSecretsNeverInErrors(t *testing.T) {
	for _, c := range []struct{ name, line string }{
		{"unquoted star (an alias)", "    imap: {host: 127.0.0.1, port: 143, security: plain, username: sd, password: *Hunter2Pass}"},
		{"a tag that is not text", "    imap: {host: 127.0.0.1, port: 143, security: plain, username: sd, password: !!int Hunter2Pass}"},
		{"a map instead of text", "    imap: {host: 127.0.0.1, port: 143, security: plain, username: sd, password: {Hunter2Pass: 1}}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "c.yaml")
			body := "database: {driver: sqlite, path: " + filepath.Join(dir, "o.db") + "}\nsecret_key: \"0123456789abcdef0123456789abcdef\"\ndesks:\n  - name: sd\n    support_address: sd@kgo66.ru\n" +
				c.line + "\n    smtp: {host: 127.0.0.1, port: 25, security: none}\n"
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Check(p, func(string) string { return "" })
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "Hunter2Pass") {
				t.Errorf("the secret is in the error:\n%v", err)
			}
		})
	}
}
