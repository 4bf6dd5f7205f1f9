package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/demo"
	"github.com/otvet/otvet/internal/store"
)

// countingWriter records each write, to see that output is streamed.
type countingWriter struct{ writes []string }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// planVisit makes ticket n a visit planned for day, assigned to agent.
func planVisit(t *testing.T, cfg string, n int64, day, agent string) {
	t.Helper()
	e := &env{Getenv: func(string) string { return "" }, Stderr: io.Discard, Log: newLogger(io.Discard, "error", "text")}
	ctx := context.Background()
	db, err := openDB(ctx, e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateTicketState(ctx, n, store.StatusPlanned, "", sql.NullTime{}, now); err != nil {
			return err
		}
		if err := tx.SetTicketField(ctx, n, store.FieldPlannedFor, day, now); err != nil {
			return err
		}
		return tx.SetTicketField(ctx, n, store.FieldAssignee, agent, now)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCommandLineDefects pins each defect of the command line the polish
// issue reported, one case each, on the demo's data (desk zone
// Asia/Yekaterinburg, +05).
func TestCommandLineDefects(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2024, 12, 27, 10, 0, 0, 0, time.FixedZone("+05", 5*3600))
	res, err := demo.Run(context.Background(), demo.Options{At: at, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.ConfigPath
	cases := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"a negative or zero --limit is a usage error, not everything", func(t *testing.T) {
			for _, args := range [][]string{
				{"tickets", "list", "--limit", "-5"}, {"tickets", "list", "--limit", "0"}, {"tickets", "search", "журнал", "--limit", "-5"},
			} {
				var ue usageError
				if _, _, err := otvet(t, append(args, "--config", cfg)...); !errors.As(err, &ue) || !strings.Contains(err.Error(), "--limit") {
					t.Errorf("%v: %v, want a usage error about --limit", args, err)
				}
			}
		}},
		{"migrate with a configuration naming no database creates nothing and fails", func(t *testing.T) {
			t.Chdir(t.TempDir())
			_, _, err := otvet(t, "migrate", "--config", os.DevNull)
			if err == nil || !strings.Contains(err.Error(), "database") {
				t.Errorf("migrate --config /dev/null: %v, want an error about the database", err)
			}
			if _, err := os.Stat("otvet.db"); err == nil {
				t.Error("migrate --config /dev/null created ./otvet.db")
			}
		}},
		{"a flag error is printed once (by main), not also by the flag package", func(t *testing.T) {
			_, stderr, err := otvet(t, "tickets", "list", "--bogus", "--config", cfg)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "bogus") {
				t.Fatalf("err %v", err)
			}
			if strings.Contains(stderr, "bogus") || strings.Contains(stderr, "usage:") {
				t.Errorf("the flag package printed too:\n%s", stderr)
			}
		}},
		{"demo --help prints on standard output", func(t *testing.T) {
			for _, h := range []string{"--help", "-h", "-help=true"} {
				out, stderr, err := otvet(t, "demo", h)
				if err != nil || !strings.Contains(out, "--keep") || stderr != "" {
					t.Errorf("demo %s: %v\nstdout:\n%s\nstderr:\n%s", h, err, out, stderr)
				}
			}
		}},
		{"tickets list --json names the organisation as tickets show does", func(t *testing.T) {
			var list []ticketJSON
			mustJSON(t, &list, "tickets", "list", "--json", "--config", cfg)
			var one ticketJSON
			mustJSON(t, &one, "tickets", "show", "1", "--json", "--config", cfg)
			for _, j := range list {
				if j.Number == 1 && (j.Organisation == "" || j.Organisation != one.Organisation) {
					t.Errorf("list organisation %q, show %q", j.Organisation, one.Organisation)
				}
			}
		}},
		{"tickets list --json is written row by row", func(t *testing.T) {
			var w countingWriter
			e := &env{Stdin: strings.NewReader(""), Stdout: &w, Stderr: io.Discard, Getenv: func(string) string { return "" }}
			if err := run(context.Background(), e, []string{"tickets", "list", "--json", "--config", cfg}); err != nil {
				t.Fatal(err)
			}
			var list []queueJSON
			if err := json.Unmarshal([]byte(strings.Join(w.writes, "")), &list); err != nil || len(list) != 4 {
				t.Fatalf("%v, %d tickets", err, len(list))
			}
			for _, s := range w.writes {
				if strings.Count(s, `"number"`) > 1 {
					t.Fatalf("one write holds several tickets (%d bytes): not streamed", len(s))
				}
			}
		}},
		{"plan names the organisation with its address and the assignee", func(t *testing.T) {
			var one ticketJSON
			mustJSON(t, &one, "tickets", "show", "1", "--json", "--config", cfg)
			must(t, "org", "update", fmt.Sprint(one.OrganisationID), "--address", "ул. Ленина, 3", "--config", cfg)
			planVisit(t, cfg, 1, "2025-01-15", "agent@kgo66.ru")
			var visits []planJSON
			mustJSON(t, &visits, "plan", "2025-01-15", "--json", "--config", cfg)
			if len(visits) != 1 || visits[0].Organisation != "МАОУ СОШ № 3" || visits[0].Address != "ул. Ленина, 3" || visits[0].Assignee != "agent@kgo66.ru" {
				t.Errorf("plan --json: %+v", visits)
			}
			out := must(t, "plan", "2025-01-15", "--config", cfg)
			for _, want := range []string{"ASSIGNEE", "ADDRESS", "agent@kgo66.ru", "ул. Ленина, 3", "МАОУ СОШ № 3"} {
				if !strings.Contains(out, want) {
					t.Errorf("plan lacks %q:\n%s", want, out)
				}
			}
		}},
		{"user update changes the address and the position, with audit events", func(t *testing.T) {
			out := must(t, "user", "update", "m.ivanova@school3.kgo66.ru", "--email", "ivanova.m@school3.kgo66.ru", "--position", "завуч",
				"--phone", "8 (34341) 2-11-05", "--systems", "МИС; СЭД «Дело»", "--config", cfg)
			if !strings.Contains(out, "ivanova.m@school3.kgo66.ru") || !strings.Contains(out, "завуч") {
				t.Errorf("update: %s", out)
			}
			var u map[string]any
			mustJSON(t, &u, "user", "show", "ivanova.m@school3.kgo66.ru", "--json", "--config", cfg)
			if u["position"] != "завуч" || u["phone"] != "8 (34341) 2-11-05" || u["systems"] != "МИС; СЭД «Дело»" {
				t.Errorf("after update: %v", u)
			}
			if _, _, err := otvet(t, "user", "show", "m.ivanova@school3.kgo66.ru", "--config", cfg); err == nil {
				t.Error("the old address still names a user")
			}
			var evs []auditJSON
			mustJSON(t, &evs, "audit", "--json", "--config", cfg)
			kinds := map[string]bool{}
			for _, ev := range evs {
				kinds[ev.Kind] = true
			}
			if !kinds["user_email_changed"] || !kinds["user_updated"] {
				t.Errorf("audit kinds %v", kinds)
			}
			var ue usageError
			if _, _, err := otvet(t, "user", "update", "ivanova.m@school3.kgo66.ru", "--config", cfg); !errors.As(err, &ue) {
				t.Errorf("nothing to change: %v, want a usage error", err)
			}
			if _, _, err := otvet(t, "user", "update", "ivanova.m@school3.kgo66.ru", "--email", "petrov@uszn.kgo66.ru", "--config", cfg); err == nil ||
				!strings.Contains(err.Error(), "another user") {
				t.Errorf("an address taken by another user: %v", err)
			}
			if _, _, err := otvet(t, "user", "update", "nobody@kgo66.ru", "--phone", "1", "--config", cfg); err == nil || !strings.Contains(err.Error(), "does not exist") {
				t.Errorf("a missing user: %v", err)
			}
		}},
		{"outbox list has the next-attempt column", func(t *testing.T) {
			out := must(t, "outbox", "list", "--config", cfg)
			if !strings.Contains(strings.SplitN(out, "\n", 2)[0], "NEXT ATTEMPT") {
				t.Errorf("outbox list:\n%s", out)
			}
		}},
		{"tickets show prints times in the desk's zone, JSON in UTC", func(t *testing.T) {
			out := must(t, "tickets", "show", "1", "--config", cfg)
			if !strings.Contains(out, "Created:   2024-12-27 10:00 +05") {
				t.Errorf("tickets show:\n%s", out)
			}
			var one ticketJSON
			mustJSON(t, &one, "tickets", "show", "1", "--json", "--config", cfg)
			// The demo's clock runs on from its start: seconds may pass on a loaded machine.
			if !strings.HasPrefix(one.CreatedAt, "2024-12-27T05:00:") || !strings.HasSuffix(one.CreatedAt, "Z") {
				t.Errorf("created_at %s", one.CreatedAt)
			}
		}},
		{"maintenance list prints the times typed, in the desk's zone", func(t *testing.T) {
			out := must(t, "maintenance", "add", "--system", "МИС", "--from", "2030-01-10 15:30", "--to", "2030-01-10 17:00", "--config", cfg)
			if !strings.Contains(out, "2030-01-10 15:30 +05") {
				t.Errorf("maintenance add: %s", out)
			}
			out = must(t, "maintenance", "list", "--config", cfg)
			if !strings.Contains(out, "2030-01-10 15:30 +05") || !strings.Contains(out, "2030-01-10 17:00 +05") {
				t.Errorf("maintenance list:\n%s", out)
			}
			var ws []map[string]any
			mustJSON(t, &ws, "maintenance", "list", "--json", "--config", cfg)
			if len(ws) != 1 || ws[0]["from"] != "2030-01-10T10:30:00Z" {
				t.Errorf("maintenance list --json: %v", ws)
			}
		}},
		{"a wall time that occurs twice is the earlier offset", func(t *testing.T) {
			out := must(t, "calendar", "add", "--tz", "Asia/Yekaterinburg", "2014-10-26T01:26", "0s")
			if !strings.Contains(out, "2014-10-26T01:26:00+06:00") {
				t.Errorf("calendar add: %s", out)
			}
			out = must(t, "calendar", "between", "--tz", "Europe/Berlin", "--json", "2024-03-31T02:30", "2024-03-31T04:00")
			if !strings.Contains(out, `"from":"2024-03-31T03:30:00+02:00"`) {
				t.Errorf("a nonexistent wall time is not moved forward: %s", out)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
}

// TestRegistrationShowForm pins the text and JSON of a connection request:
// no empty «КПП )», and snake_case names in the JSON that edit --file reads back.
func TestRegistrationShowForm(t *testing.T) {
	cfg, n := pendingRequest(t, sad7Request, "sokolova@sad7.kgo66.ru")
	out := must(t, "registration", "show", n, "--config", cfg)
	if strings.Contains(out, "КПП )") || strings.Contains(out, "ОГРН ,") || !strings.Contains(out, "(ИНН 6615007007)") {
		t.Errorf("registration show:\n%s", out)
	}
	js := must(t, "registration", "show", n, "--json", "--config", cfg)
	for _, bad := range []string{`"People"`, `"FullName"`, `"Organisation"`, `"HasAuthorityDocument"`} {
		if strings.Contains(js, bad) {
			t.Errorf("JSON uses Go's name %s:\n%s", bad, js)
		}
	}
	var show struct {
		Request json.RawMessage `json:"request"`
	}
	if err := json.Unmarshal([]byte(js), &show); err != nil || !bytes.Contains(show.Request, []byte(`"full_name"`)) {
		t.Fatalf("%v\n%s", err, js)
	}
	file := filepath.Join(t.TempDir(), "req.json")
	edited := bytes.Replace(show.Request, []byte("Орлова Нина Ивановна"), []byte("Орлова Нина Петровна"), 1)
	if err := os.WriteFile(file, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, "registration", "edit", n, "--file", file, "--config", cfg)
	if out := must(t, "registration", "show", n, "--config", cfg); !strings.Contains(out, "Орлова Нина Петровна") {
		t.Errorf("edit --file of show's JSON:\n%s", out)
	}
}
