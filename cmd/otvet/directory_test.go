package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// dirConfig makes a migrated SQLite database and returns its configuration file.
func dirConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	body := fmt.Sprintf("database: {driver: sqlite, path: %q}\n", filepath.Join(dir, "otvet.db"))
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := otvet(t, "migrate", "--config", cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// must runs a command that has to succeed and returns its output.
func must(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := otvet(t, args...)
	if err != nil {
		t.Fatalf("otvet %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

func mustJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := must(t, args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("otvet %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func auditKindsCLI(t *testing.T, cfg string) []string {
	t.Helper()
	var evs []auditJSON
	mustJSON(t, &evs, "directory", "audit", "--json", "--config", cfg)
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
		if ev.Actor != "cli" {
			t.Errorf("event %s by %q, want cli", ev.Kind, ev.Actor)
		}
	}
	return kinds
}

func TestDirectoryOrgAndUserCommands(t *testing.T) {
	cfg := dirConfig(t)
	id := strings.TrimSpace(must(t, "org", "add", "--config", cfg, "--name", "МАОУ СОШ № 3", "--inn", "6615001234",
		"--domain", "school3.kgo66.ru", "--domain", "S3.KGO66.ru", "--level", "standard"))
	if id != "1" {
		t.Fatalf("org add printed %q, want the id 1", id)
	}
	must(t, "org", "add", "--config", cfg, "--name", "Детский сад № 7")

	var orgs []orgJSON
	mustJSON(t, &orgs, "org", "list", "--json", "--config", cfg)
	if len(orgs) != 2 || orgs[0].Name != "Детский сад № 7" || !slices.Equal(orgs[1].Domains, []string{"s3.kgo66.ru", "school3.kgo66.ru"}) {
		t.Fatalf("org list: %+v", orgs)
	}
	if out := must(t, "org", "list", "--config", cfg); !strings.Contains(out, "school3.kgo66.ru") || !strings.Contains(out, "active") {
		t.Errorf("human org list:\n%s", out)
	}

	must(t, "user", "add", "--config", cfg, "--email", "M.Ivanova@school3.kgo66.ru", "--name", "Иванова Мария Петровна",
		"--position", "учитель", "--phone", "8 (34341) 2-11-05", "--org", "1")
	must(t, "user", "add", "--config", cfg, "--email", "director@school3.kgo66.ru", "--name", "Петрова Анна Сергеевна", "--org", "1", "--head")
	must(t, "user", "add", "--config", cfg, "--email", "solo@example.org", "--name", "Без Организации")
	if _, _, err := otvet(t, "user", "add", "--config", cfg, "--email", "m.ivanova@school3.kgo66.ru", "--name", "X"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate user add: %v", err)
	}

	// show by INN, flags after the argument
	var org orgJSON
	mustJSON(t, &org, "org", "show", "6615001234", "--json", "--config", cfg)
	if org.ID != 1 || len(org.Users) != 2 || org.Users[0].Email != "director@school3.kgo66.ru" || org.Users[0].Role != "head" {
		t.Fatalf("org show: %+v", org)
	}
	if out := must(t, "org", "show", "1", "--config", cfg); !strings.Contains(out, "Иванова Мария Петровна") || !strings.Contains(out, "Users (2)") {
		t.Errorf("human org show:\n%s", out)
	}

	var users []userJSON
	mustJSON(t, &users, "user", "list", "--org", "1", "--json", "--config", cfg)
	if len(users) != 2 {
		t.Errorf("user list --org 1: %+v", users)
	}
	mustJSON(t, &users, "user", "list", "--json", "--config", cfg)
	if len(users) != 3 {
		t.Errorf("user list: %+v", users)
	}
	var u userJSON
	mustJSON(t, &u, "user", "show", "M.IVANOVA@school3.kgo66.ru", "--json", "--config", cfg)
	if u.Email != "m.ivanova@school3.kgo66.ru" || u.Org != 1 || u.Phone != "8 (34341) 2-11-05" || !u.Confirmed || u.SelfIdentified {
		t.Errorf("user show: %+v", u)
	}

	must(t, "user", "block", "m.ivanova@school3.kgo66.ru", "--reason", "нарушение регламента", "--config", cfg)
	if out := must(t, "user", "show", "m.ivanova@school3.kgo66.ru", "--config", cfg); !strings.Contains(out, "blocked: нарушение регламента") {
		t.Errorf("blocked user:\n%s", out)
	}
	must(t, "user", "unblock", "m.ivanova@school3.kgo66.ru", "--config", cfg)
	must(t, "org", "block", "1", "--reason", "договор не продлён", "--config", cfg)
	mustJSON(t, &org, "org", "show", "1", "--json", "--config", cfg)
	if !org.Blocked || org.BlockReason != "договор не продлён" {
		t.Errorf("blocked org: %+v", org)
	}
	must(t, "org", "unblock", "1", "--config", cfg)
	must(t, "org", "update", "1", "--add-domain", "school3.ru", "--remove-domain", "s3.kgo66.ru", "--name", "МАОУ «СОШ № 3»", "--config", cfg)
	mustJSON(t, &org, "org", "show", "1", "--json", "--config", cfg)
	if org.Name != "МАОУ «СОШ № 3»" || !slices.Equal(org.Domains, []string{"school3.kgo66.ru", "school3.ru"}) || org.SupportLevel != "standard" {
		t.Errorf("updated org: %+v", org)
	}

	// A self-identified user (as intake creates them), confirmed by the operator.
	db := openDirTestDB(t, cfg)
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.UpsertUser(context.Background(), &store.User{Email: "new@school3.kgo66.ru", FullName: "Новиков Н. Н.",
			SelfIdentified: true}, "intake", time.Now())
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out := must(t, "user", "show", "new@school3.kgo66.ru", "--config", cfg); !strings.Contains(out, "unconfirmed") {
		t.Errorf("self-identified user:\n%s", out)
	}
	must(t, "user", "confirm", "new@school3.kgo66.ru", "--config", cfg)
	mustJSON(t, &u, "user", "show", "new@school3.kgo66.ru", "--json", "--config", cfg)
	if !u.Confirmed || u.SelfIdentified {
		t.Errorf("confirmed user: %+v", u)
	}

	must(t, "directory", "block-all", "--reason", "регламентные работы", "--config", cfg)
	if out := must(t, "directory", "status", "--config", cfg); !strings.Contains(out, "Everyone: blocked: регламентные работы") {
		t.Errorf("status:\n%s", out)
	}
	must(t, "directory", "unblock-all", "--config", cfg)

	var evs []auditJSON
	mustJSON(t, &evs, "directory", "audit", "--json", "--config", cfg)
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
		if !json.Valid(ev.Detail) {
			t.Errorf("%s detail %s", ev.Kind, ev.Detail)
		}
	}
	want := []string{"org_added", "org_added", "user_added", "user_added", "user_added", "user_blocked", "user_unblocked",
		"org_blocked", "org_unblocked", "org_updated", "user_added", "user_confirmed", "all_blocked", "all_unblocked"}
	if !slices.Equal(kinds, want) {
		t.Errorf("audit kinds\n got %v\nwant %v", kinds, want)
	}
	if evs[10].Actor != "intake" || evs[0].Actor != "cli" {
		t.Errorf("actors %q %q", evs[10].Actor, evs[0].Actor)
	}
	if out := must(t, "directory", "audit", "--since", "1h", "--config", cfg); !strings.Contains(out, "org_blocked") {
		t.Errorf("human audit:\n%s", out)
	}
	mustJSON(t, &evs, "directory", "audit", "--since", "2999-01-01", "--json", "--config", cfg)
	if len(evs) != 0 {
		t.Errorf("audit since the future: %d events", len(evs))
	}
}

func openDirTestDB(t *testing.T, cfg string) *store.DB {
	t.Helper()
	e := &env{Getenv: func(string) string { return "" }, Stderr: &strings.Builder{}}
	d, err := openDirectory(context.Background(), e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d.db
}

func TestDirectoryBadCommandLines(t *testing.T) {
	cfg := dirConfig(t)
	must(t, "org", "add", "--name", "Есть", "--domain", "a.ru", "--config", cfg)
	cases := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"org without subcommand", []string{"org"}, true, "usage: otvet org"},
		{"org unknown subcommand", []string{"org", "delete"}, true, "unknown subcommand"},
		{"org add without name", []string{"org", "add"}, true, "--name is required"},
		{"org add bad level", []string{"org", "add", "--name", "X", "--level", "gold"}, true, "unknown support level"},
		{"org add bad INN", []string{"org", "add", "--name", "X", "--inn", "12"}, false, "not an INN"},
		{"org add taken domain", []string{"org", "add", "--name", "X", "--domain", "A.RU"}, false, "belongs to organisation #1"},
		{"org add public mail", []string{"org", "add", "--name", "X", "--domain", "mail.ru"}, false, "public mail service"},
		{"org show no id", []string{"org", "show"}, true, "give one organisation"},
		{"org show bad id", []string{"org", "show", "abc"}, true, "neither an organisation id nor an INN"},
		{"org show missing", []string{"org", "show", "42"}, false, "does not exist"},
		{"org block without reason", []string{"org", "block", "1"}, true, "--reason is required"},
		{"org update nothing", []string{"org", "update", "1"}, true, "nothing to change"},
		{"org update missing domain", []string{"org", "update", "1", "--remove-domain", "b.ru"}, false, "has no domain b.ru"},
		{"user unknown subcommand", []string{"user", "delete"}, true, "unknown subcommand"},
		{"user add without email", []string{"user", "add", "--name", "X"}, true, "required"},
		{"user add bad email", []string{"user", "add", "--name", "X", "--email", "nobody"}, true, "not a valid e-mail"},
		{"user add missing org", []string{"user", "add", "--name", "X", "--email", "x@a.ru", "--org", "7"}, false, "not found"},
		{"user show bad email", []string{"user", "show", "x"}, true, "not a valid e-mail"},
		{"user show missing", []string{"user", "show", "x@a.ru"}, false, "does not exist"},
		{"user block without reason", []string{"user", "block", "x@a.ru"}, true, "--reason is required"},
		{"user block missing", []string{"user", "block", "x@a.ru", "--reason", "r"}, false, "does not exist"},
		{"user confirm two", []string{"user", "confirm", "a@a.ru", "b@a.ru"}, true, "usage"},
		{"directory nothing", []string{"directory"}, true, "usage"},
		{"directory import no file", []string{"directory", "import"}, true, "usage"},
		{"directory import missing file", []string{"directory", "import", "/nonexistent.yaml"}, false, "nonexistent"},
		{"block-all without reason", []string{"directory", "block-all"}, true, "--reason is required"},
		{"audit bad since", []string{"directory", "audit", "--since", "вчера"}, true, "neither a date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := otvet(t, append(c.args, "--config", cfg)...)
			if err == nil {
				t.Fatal("no error")
			}
			var ue usageError
			if errors.As(err, &ue) != c.usage || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v (usage %v), want usage=%v mentioning %q", err, errors.As(err, &ue), c.usage, c.want)
			}
		})
	}
}

func TestDirectoryImportExample(t *testing.T) {
	cfg := dirConfig(t)
	example := filepath.Join("..", "..", "docs", "directory.example.yaml")
	out := must(t, "directory", "import", example, "--dry-run", "--config", cfg)
	if !strings.Contains(out, "organisations: 3 created") || !strings.Contains(out, "dry run") {
		t.Errorf("dry run:\n%s", out)
	}
	var orgs []orgJSON
	if mustJSON(t, &orgs, "org", "list", "--json", "--config", cfg); len(orgs) != 0 {
		t.Fatalf("the dry run wrote %d organisations", len(orgs))
	}
	out = must(t, "directory", "import", example, "--config", cfg)
	if want := "organisations: 3 created, 0 updated, 0 unchanged; users: 5 created, 0 updated, 0 unchanged"; !strings.Contains(out, want) {
		t.Errorf("first import: %s\nwant %s", out, want)
	}
	out = must(t, "directory", "import", example, "--config", cfg)
	if want := "organisations: 0 created, 0 updated, 3 unchanged; users: 0 created, 0 updated, 5 unchanged"; !strings.Contains(out, want) {
		t.Errorf("second import: %s\nwant %s", out, want)
	}
	var org orgJSON
	mustJSON(t, &org, "org", "show", "6612005678", "--json", "--config", cfg)
	if !slices.Equal(org.Domains, []string{"uszn12.midural.ru", "uszn12.ru"}) || len(org.Users) != 2 || org.SupportLevel != "priority" {
		t.Errorf("imported organisation: %+v", org)
	}
	kinds := auditKindsCLI(t, cfg)
	if n := len(kinds); n != 3+5+2 || kinds[n-2] != "directory_imported" || kinds[n-1] != "directory_imported" {
		t.Errorf("audit after two imports: %v", kinds)
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "dir.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDirectoryImportUpdates(t *testing.T) {
	cfg := dirConfig(t)
	must(t, "directory", "import", writeFile(t, `
organisations:
  - name: Школа
    domains: [school.ru]
    users:
      - {email: a@school.ru, full_name: Андреев Андрей, position: учитель, phone: "1"}
`), "--config", cfg)
	// The INN is adopted by the organisation matched by name; empty fields keep
	// what is stored; a domain is added; a user moves to another organisation.
	out := must(t, "directory", "import", writeFile(t, `
organisations:
  - name: Школа
    inn: "6615001234"
    domains: [school2.ru]
    users:
      - {email: a@school.ru, full_name: Андреев Андрей, position: завуч}
  - name: Другая
    users:
      - {email: b@school.ru, full_name: Борисов Борис}
`), "--config", cfg)
	if want := "organisations: 1 created, 1 updated, 0 unchanged; users: 1 created, 1 updated, 0 unchanged"; !strings.Contains(out, want) {
		t.Errorf("update import: %s\nwant %s", out, want)
	}
	var org orgJSON
	mustJSON(t, &org, "org", "show", "6615001234", "--json", "--config", cfg)
	if org.ID != 1 || !slices.Equal(org.Domains, []string{"school.ru", "school2.ru"}) {
		t.Errorf("organisation after update: %+v", org)
	}
	var u userJSON
	mustJSON(t, &u, "user", "show", "a@school.ru", "--json", "--config", cfg)
	if u.Position != "завуч" || u.Phone != "1" {
		t.Errorf("user after update: %+v", u)
	}
}

func TestDirectoryImportReportsEveryProblem(t *testing.T) {
	cfg := dirConfig(t)
	file := writeFile(t, `organisations:
  - name: Первая
    inn: "12345"
    ogrn: abc
    support_level: gold
    domains: [first.ru, "bad domain", ru, gmail.com]
    colour: red
    users:
      - {email: not-an-address, full_name: Иванов}
      - {email: ok@first.ru}
      - {email: boss@first.ru, full_name: Босс, role: admin}
      - {full_name: Безадресный}
  - inn: "6615001234"
    domains: [first.ru]
    users:
      - {email: OK@first.ru, full_name: Дубль}
  - name: Третья
    inn: "6615001234"
  - just text
`)
	_, _, err := otvet(t, "directory", "import", file, "--config", cfg)
	if err == nil {
		t.Fatal("a broken file was imported")
	}
	msg := err.Error()
	for _, want := range []string{
		"line 3: organisations[0].inn: \"12345\" is not an INN",
		"line 4: organisations[0].ogrn: \"abc\" is not an OGRN",
		"line 5: organisations[0].support_level: unknown support level \"gold\" (configured: basic, standard, priority)",
		"line 6: organisations[0].domains[1]: \"bad domain\" is not a valid domain name",
		"line 6: organisations[0].domains[2]: \"ru\" is not a mail domain",
		"line 6: organisations[0].domains[3]: \"gmail.com\" is a public mail service",
		"line 7: organisations[0].colour: unknown field",
		"line 9: organisations[0].users[0].email: \"not-an-address\" is not a valid e-mail address",
		"line 10: organisations[0].users[1].full_name: missing",
		"line 11: organisations[0].users[2].role: role \"admin\" is unknown",
		"line 12: organisations[0].users[3].email: missing",
		"line 13: organisations[1].name: missing",
		"line 14: organisations[1].domains: domain first.ru is also listed for organisations[0] (line 6)",
		"line 16: organisations[1].users[0].email: ok@first.ru is also listed as organisations[0].users[1] (line 10)",
		"line 17: organisations[2].inn: INN 6615001234 is also given for organisations[1] (line 13)",
		"line 19: organisations[3]: expected an organisation",
		"16 problem(s), nothing imported",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(msg)
	}
	var orgs []orgJSON
	if mustJSON(t, &orgs, "org", "list", "--json", "--config", cfg); len(orgs) != 0 {
		t.Errorf("%d organisations written", len(orgs))
	}
}

func TestDirectoryImportAllOrNothing(t *testing.T) {
	cfg := dirConfig(t)
	must(t, "org", "add", "--name", "Владелец", "--domain", "taken.ru", "--config", cfg)
	must(t, "org", "add", "--name", "Тёзка", "--config", cfg)
	must(t, "org", "add", "--name", "Тёзка", "--config", cfg)
	file := writeFile(t, `organisations:
  - name: Новая
    domains: [new.ru]
    users:
      - {email: a@new.ru, full_name: Новиков}
  - name: Захватчик
    domains: [taken.ru]
  - name: Тёзка
`)
	_, _, err := otvet(t, "directory", "import", file, "--config", cfg)
	if err == nil {
		t.Fatal("imported a domain another organisation owns")
	}
	for _, want := range []string{
		`line 7: organisations[1].domains: domain taken.ru already belongs to organisation #1 "Владелец"`,
		`line 8: organisations[2].name: 2 stored organisations are called "Тёзка"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	var orgs []orgJSON
	if mustJSON(t, &orgs, "org", "list", "--json", "--config", cfg); len(orgs) != 3 {
		t.Errorf("%d organisations after a refused import, want the 3 from before", len(orgs))
	}
	var users []userJSON
	if mustJSON(t, &users, "user", "list", "--json", "--config", cfg); len(users) != 0 {
		t.Errorf("users written by a refused import: %+v", users)
	}
	if kinds := auditKindsCLI(t, cfg); slices.Contains(kinds, "directory_imported") {
		t.Errorf("audit records a refused import: %v", kinds)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"24h", now.Add(-24 * time.Hour), true},
		{"7d", now.AddDate(0, 0, -7), true},
		{"2025-01-31", time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC), true},
		{"2025-01-31T10:30", time.Date(2025, 1, 31, 10, 30, 0, 0, time.UTC), true},
		{"2025-01-31T10:30:00+05:00", time.Date(2025, 1, 31, 5, 30, 0, 0, time.UTC), true},
		{"-1h", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"99999999d", time.Time{}, false},
	}
	for _, c := range cases {
		got, err := parseSince(c.in, now)
		if (err == nil) != c.ok || !got.Equal(c.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFlagsFirst(t *testing.T) {
	fs := newFlags(&env{Stderr: &strings.Builder{}}, "x", "x")
	fs.String("reason", "", "")
	fs.Bool("json", false, "")
	got := flagsFirst(fs, []string{"3", "--reason", "долг", "--json", "--unknown", "-reason=x", "--", "-5"})
	want := []string{"--reason", "долг", "--json", "--unknown", "-reason=x", "--", "3", "-5"}
	if !slices.Equal(got, want) {
		t.Errorf("flagsFirst = %q, want %q", got, want)
	}
}
