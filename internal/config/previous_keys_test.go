package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// Previous signing keys: inline, from files (relative to the configuration)
// and from OTVET_PREVIOUS_SECRET_KEYS (which replaces both); each problem
// names its field and never the key.
func TestPreviousSecretKeys(t *testing.T) {
	const cur = "current-key-current-key-current!"
	const old1 = "old-key-number-one-1111"
	const old2 = "old-key-number-two-2222"
	dir := t.TempDir()
	writeFile(t, dir, "old1", old1+"\n")
	writeFile(t, dir, "old2", old2+"\r\n")
	writeFile(t, dir, "short", "tooShortKey\n")
	writeFile(t, dir, "same", cur+"\n")
	for _, c := range []struct {
		name     string
		yaml     string
		env      string
		want     []string // the previous keys, in order
		problems []string // fields named by Check
	}{
		{"none", "", "", nil, nil},
		{"files", "previous_secret_key_files: [old1, " + filepath.Join(dir, "old2") + "]", "", []string{old1, old2}, nil},
		{"inline and a file", "previous_secret_keys: [\"" + old2 + "\"]\nprevious_secret_key_files: [old1]", "", []string{old2, old1}, nil},
		{"environment replaces both", "previous_secret_keys: [\"" + old2 + "\"]\nprevious_secret_key_files: [missing]", " " + old1 + " ," + old2, []string{old1, old2}, nil},
		{"missing file", "previous_secret_key_files: [old1, missing]", "", []string{old1},
			[]string{"previous_secret_key_files[1]: open ", "no such file or directory — create it or set OTVET_PREVIOUS_SECRET_KEYS"}},
		{"short file", "previous_secret_key_files: [old1, short]", "", []string{old1, "tooShortKey"},
			[]string{"previous_secret_key_files[1]: must be at least 16 characters"}},
		{"short inline", "previous_secret_keys: [\"tooShortKey\"]", "", []string{"tooShortKey"},
			[]string{"previous_secret_keys[0]: must be at least 16 characters"}},
		{"empty environment entry", "", old1 + ",", []string{old1, ""},
			[]string{"previous_secret_keys[1]: must be at least 16 characters"}},
		{"the current key again", "previous_secret_key_files: [same]", "", []string{cur},
			[]string{"previous_secret_key_files[0]: is the same as secret_key"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, "c.yaml", "database: {driver: sqlite, path: "+filepath.Join(dir, "o.db")+"}\n"+c.yaml+"\n"+
				"desks:\n  - name: sd\n    support_address: sd@kgo66.ru\n"+
				"    imap: {host: 127.0.0.1, port: 993, security: tls, username: sd, password: pw}\n"+
				"    smtp: {host: 127.0.0.1, port: 465, security: tls, username: sd, password: pw}\n")
			env := map[string]string{"OTVET_SECRET_KEY": cur, "OTVET_PREVIOUS_SECRET_KEYS": c.env}
			cfg, err := Check(p, func(k string) string { return env[k] })
			if cfg == nil {
				t.Fatalf("Check: %v", err)
			}
			key, prev := cfg.SigningKeys()
			if string(key) != cur {
				t.Errorf("current key %q", key)
			}
			var got []string
			for _, k := range prev {
				got = append(got, string(k))
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("previous keys %q, want %q", got, c.want)
			}
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			for _, w := range c.problems {
				if !strings.Contains(msg, w) {
					t.Errorf("the problems do not include %q:\n%s", w, msg)
				}
			}
			if len(c.problems) == 0 && err != nil {
				t.Errorf("unexpected problems: %v", err)
			}
			for _, secret := range []string{old1, old2, cur, "tooShortKey"} {
				if strings.Contains(msg, secret) {
					t.Errorf("a key is in the problems:\n%s", msg)
				}
			}
		})
	}
}
