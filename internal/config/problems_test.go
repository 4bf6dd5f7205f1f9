package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// manyProblems has one problem of every kind Load and Validate find.
const manyProblems = `
database: {driver: mysql, pathh: x}
secret_key_file: missing-secret-key
log: {level: loud, format: xml}
limits: {max_message_bytes: lots}
outbox: {max_attempts: many, retry_min: soon}
tickets: {reopen_window: [1], sla_warn_percent: 1.5}
staff: {email: a}
rules:
  clauses: {offensive: [1]}
  out_of_scope: {phrases: {legislation: x, gossip: [y]}}
desks:
  - name: "Bad Name"
    support_address: "Support <sd@x.ru>"
    timezone: Mars/Olympus
    language: de
    identification: maybe
    hours: [1, 2]
    imap: {host: imap.x.ru, port: abc, security: plain, password_file: missing-imap-pw}
    smtp: {host: smtp.x.ru, port: 70000, security: none, from: "not an address", usernme: x}
  - name: sd2
    support_address: sd2@x.ru
    imap: {host: 127.0.0.1, username: u, password: p, idle_check: 10ms}
    smtp: {host: "", from: "Поддержка <noreply@x.ru>", username: u, password_file: missing-smtp-pw}
`

func TestCheckReportsEveryProblem(t *testing.T) {
	p := writeFile(t, t.TempDir(), "c.yaml", manyProblems)
	c, err := Check(p, func(string) string { return "" })
	if err == nil {
		t.Fatal("no error")
	}
	if c == nil {
		t.Fatal("Check returned no configuration with its problems")
	}
	var probs *Problems
	if !errors.As(err, &probs) || probs.Path != p {
		t.Fatalf("err is %T, want *Problems for %s", err, p)
	}
	msg := err.Error()
	for _, want := range []string{
		// found while reading the YAML, with their lines
		`database.pathh (line 2): unknown key: did you mean path?`,
		`limits.max_message_bytes (line 5): "lots" is not a size`,
		`outbox.max_attempts (line 6): "many" is not a whole number`,
		`outbox.retry_min (line 6): "soon" is not a duration`,
		`tickets.reopen_window (line 7): should be a duration`,
		`tickets.sla_warn_percent (line 7): "1.5" is not a whole number`,
		`staff (line 8): should be a list, not a mapping`,
		`rules.clauses.offensive (line 10): should be text, not a list`,
		`rules.out_of_scope.phrases.legislation (line 11): should be a list, not "x"`,
		`desks[0].identification (line 17): "maybe" is not true or false`,
		`desks[0].hours (line 18): should be a mapping`,
		`desks[0].imap.port (line 19): "abc" is not a whole number`,
		`desks[0].smtp.usernme (line 20): unknown key: did you mean username?`,
		// secret files, each with its field and the fix
		`secret_key_file: open `,
		`missing-secret-key: no such file or directory — create it or set OTVET_SECRET_KEY`,
		`desks[0].imap.password_file: open `,
		`missing-imap-pw: no such file or directory — create it or set OTVET_DESKS_BAD_NAME_IMAP_PASSWORD`,
		`desks[1].smtp.password_file: open `,
		`missing-smtp-pw: no such file or directory — create it or set OTVET_DESKS_SD2_SMTP_PASSWORD`,
		// validation
		`database.driver: "mysql" is not supported`,
		`log.level: "loud"`,
		`log.format: "xml"`,
		`rules.out_of_scope.phrases.gossip: unknown category`,
		`desks[0].name: "Bad Name"`,
		`desks[0].support_address:`,
		`desks[0].timezone: "Mars/Olympus"`,
		`desks[0].language: "de"`,
		`desks[0].imap.security: plain sends the password in clear text`,
		`desks[0].imap.username: empty`,
		`desks[0].smtp.port: 70000 is not a TCP port`,
		`desks[0].smtp.security: none sends the password in clear text`,
		`desks[0].smtp.from: "not an address" is not one address`,
		`desks[1].imap.idle_check: must be 0 (off) or between 50ms`,
		`desks[1].smtp.host: empty`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the problems do not include %q", want)
		}
	}
	// An unreadable secret file is reported once, not again as an empty secret.
	for _, dup := range []string{"secret_key: must be", "desks[0].imap.password: empty", "desks[1].smtp.password: empty", "desks[1].smtp.from"} {
		if strings.Contains(msg, dup) {
			t.Errorf("reported %q", dup)
		}
	}
	if !strings.HasPrefix(msg, "configuration "+p+" is not valid (") {
		t.Errorf("header: %.80s", msg)
	}
	if t.Failed() {
		t.Log(msg)
	}
	// The good values around the bad ones were decoded.
	if c.Desks[1].SMTP.From != "Поддержка <noreply@x.ru>" || c.Desks[0].Language != "de" || len(c.Desks) != 2 {
		t.Errorf("partial configuration: %+v", c.Desks)
	}

	// Load reports the reading problems only, with the configuration read so far.
	c, err = Load(p, func(string) string { return "" })
	if c == nil || err == nil || !strings.Contains(err.Error(), "database.pathh") || strings.Contains(err.Error(), "database.driver") {
		t.Errorf("Load: %v", err)
	}
}

// TestCheckExample: the example configuration where its secret files are
// missing, with more problems added, reports them all.
func TestCheckExample(t *testing.T) {
	b, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	for _, r := range [][2]string{
		{"driver: sqlite", "driver: mysql"},
		{"timezone: Asia/Yekaterinburg", "timezone: Asia/Nowhere"},
		{"language: ru ", "language: fr "},
		{"port: 993 ", "port: nine "},
		{"security: starttls ", "security: none "},
		{"helo_name: \"\"", "helo: x"},
	} {
		if !strings.Contains(body, r[0]) {
			t.Fatalf("config.example.yaml no longer has %q", r[0])
		}
		body = strings.Replace(body, r[0], r[1], 1)
	}
	p := writeFile(t, t.TempDir(), "config.yaml", body)
	_, err = Check(p, func(string) string { return "" })
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"secret_key_file: open /etc/otvet/secret_key: no such file or directory",
		"desks[0].imap.password_file: open /etc/otvet/sd-imap-password",
		"desks[0].smtp.password_file: open /etc/otvet/sd-smtp-password",
		"database.driver", "desks[0].timezone", "desks[0].language",
		`desks[0].imap.port (line `, `desks[0].smtp.helo (line `, "unknown key: did you mean helo_name?",
		`desks[0].smtp.security: none sends the password in clear text`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the problems do not include %q:\n%v", want, err)
		}
	}
}

func TestSecretFromEnvironmentWinsOverFile(t *testing.T) {
	p := writeFile(t, t.TempDir(), "c.yaml", `
secret_key_file: /nonexistent/secret
desks:
  - {name: sd, imap: {password_file: /nonexistent/pw}}
`)
	env := map[string]string{"OTVET_SECRET_KEY": strings.Repeat("k", 32), "OTVET_DESKS_SD_IMAP_PASSWORD": "pw"}
	c, err := Load(p, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretKey.Reveal() != env["OTVET_SECRET_KEY"] || c.Desks[0].IMAP.Password.Reveal() != "pw" {
		t.Error("environment secrets not used")
	}
}

func TestSyntaxErrorStopsEarly(t *testing.T) {
	p := writeFile(t, t.TempDir(), "c.yaml", "log: [\n")
	c, err := Check(p, nil)
	if c != nil || err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Check = %v, %v", c, err)
	}
}

func TestDecodeQuirks(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"log: {level: info}\nlog: {format: json}\n", "log (line 2): set twice (first on line 1)"},
		{"- a\n", "(top level) (line 1): should be a mapping"},
		{"x: &a {level: debug}\nlog: *a\n", "x (line 1): unknown key: remove it or use one of auto_reply, calendar,"},
		{"desks: [{imap: {port: 0x3e1, idle: yes}}]\n", ""},
		{"", ""},
		{"# only a comment\n", ""},
	} {
		var c Config
		err := Decode(strings.NewReader(tc.yaml), &c)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Decode(%q) = %v, want %q", tc.yaml, err, tc.want)
		}
	}
	var c Config
	_ = Decode(strings.NewReader("x: &a {level: debug}\nlog: *a\n"), &c)
	if c.Log.Level != "debug" {
		t.Errorf("alias not decoded: %+v", c.Log)
	}
}

func TestDeskSender(t *testing.T) {
	for _, tc := range []struct{ from, name, email string }{
		{"", "Служба", "sd@x.ru"},
		{"noreply@x.ru", "Служба", "noreply@x.ru"},
		{"Поддержка <noreply@x.ru>", "Поддержка", "noreply@x.ru"},
		{"=?utf-8?b?0J/QvtC00LTQtdGA0LbQutCw?= <noreply@x.ru>", "Поддержка", "noreply@x.ru"},
	} {
		d := Desk{SupportAddress: "sd@x.ru", DisplayName: "Служба", SMTP: SMTP{From: tc.from}}
		if name, email := d.Sender(); name != tc.name || email != tc.email {
			t.Errorf("Sender() with from %q = %q, %q; want %q, %q", tc.from, name, email, tc.name, tc.email)
		}
	}
}
