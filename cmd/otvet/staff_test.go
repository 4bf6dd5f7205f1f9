package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// staffCLIConfig makes a migrated SQLite database with two desks on opposite
// sides of the date line and a staff list, and returns the configuration file.
func staffCLIConfig(t *testing.T) (cfg, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	cfg, dbPath = filepath.Join(dir, "config.yaml"), filepath.Join(dir, "otvet.db")
	body := fmt.Sprintf(`database: {driver: sqlite, path: %q}
desks:
  - {name: east, timezone: Pacific/Kiritimati}
  - {name: west, timezone: Etc/GMT+12}
staff:
  - {email: former@kgo66.ru, name: Бывший, role: agent, active: false}
`, dbPath)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := otvet(t, "migrate", "--config", cfg); err != nil {
		t.Fatal(err)
	}
	return cfg, dbPath
}

type staffRow struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Active bool   `json:"active"`
}

func listStaff(t *testing.T, cfg string) map[string]staffRow {
	t.Helper()
	var rows []staffRow
	if err := json.Unmarshal([]byte(must(t, "staff", "list", "--json", "--config", cfg)), &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]staffRow{}
	for _, r := range rows {
		out[r.Email] = r
	}
	return out
}

func TestStaffCommands(t *testing.T) {
	cfg, _ := staffCLIConfig(t)
	if out := must(t, "staff", "add", "--email", "Agent1@KGO66.ru", "--name", "Иванов Иван", "--config", cfg); !strings.Contains(out, "agent1@kgo66.ru") {
		t.Errorf("add: %s", out)
	}
	must(t, "staff", "add", "--config", cfg, "--email", "lead@kgo66.ru", "--name", "Петрова", "--role", "lead")
	ss := listStaff(t, cfg)
	if len(ss) != 2 || !ss["agent1@kgo66.ru"].Active || ss["lead@kgo66.ru"].Role != "lead" {
		t.Fatalf("list: %+v", ss)
	}
	if out := must(t, "staff", "disable", "agent1@kgo66.ru", "--config", cfg); !strings.Contains(out, "disabled") {
		t.Errorf("disable: %s", out)
	}
	if ss := listStaff(t, cfg); ss["agent1@kgo66.ru"].Active {
		t.Error("still active after disable")
	}
	must(t, "staff", "enable", "--config", cfg, "agent1@kgo66.ru")
	if ss := listStaff(t, cfg); !ss["agent1@kgo66.ru"].Active {
		t.Error("not active after enable")
	}
	table := must(t, "staff", "list", "--config", cfg)
	if !strings.Contains(table, "EMAIL") || !strings.Contains(table, "lead@kgo66.ru") {
		t.Errorf("table:\n%s", table)
	}
	errCases := []struct {
		args []string
		want string
	}{
		{[]string{"staff", "disable", "nobody@kgo66.ru"}, "not a staff member"},
		{[]string{"staff", "add", "--email", "x@kgo66.ru", "--role", "boss"}, "role"},
		{[]string{"staff", "add", "--name", "Без адреса"}, "--email is required"},
		{[]string{"staff", "enable"}, "give the staff member's e-mail"},
		{[]string{"staff", "fire", "x@kgo66.ru"}, "unknown subcommand"},
		// The configuration disables former@ at every start: enabling would not last.
		{[]string{"staff", "add", "--email", "former@kgo66.ru"}, "active: false"},
		{[]string{"staff", "enable", "FORMER@kgo66.ru"}, "active: false"},
	}
	for _, c := range errCases {
		_, _, err := otvet(t, append(c.args, "--config", cfg)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

func TestPlanListsTheDesksDay(t *testing.T) {
	cfg, dbPath := staffCLIConfig(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	east, _ := time.LoadLocation("Pacific/Kiritimati")
	today := time.Now().In(east).Format("2006-01-02") // never the date in Etc/GMT+12, 26 hours behind
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, day := range []string{today, "2025-01-09"} {
			tk := &store.Ticket{Desk: "east", Status: store.StatusOpen, Channel: "email", Subject: "Выезд " + day,
				RequesterEmail: "petrov@uszn.kgo66.ru", SupportLevel: "standard", Priority: store.PriorityNormal,
				CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			if err := tx.UpdateTicketState(ctx, tk.ID, store.StatusPlanned, "", sql.NullTime{}, time.Now()); err != nil {
				return err
			}
			if err := tx.SetTicketField(ctx, tk.ID, store.FieldPlannedFor, day, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string // the subject listed, "" none
	}{
		{[]string{"plan"}, "Выезд " + today}, // the first desk's zone
		{[]string{"plan", "--desk", "east"}, "Выезд " + today},
		{[]string{"plan", "--desk", "west"}, ""},
		{[]string{"plan", "09.01.2025"}, "Выезд 2025-01-09"},
		{[]string{"plan", "2025-01-09", "--json"}, "Выезд 2025-01-09"},
		{[]string{"plan", "2025-01-10"}, ""},
	}
	for _, c := range cases {
		out := must(t, append(c.args, "--config", cfg)...)
		if c.want == "" && strings.Contains(out, "Выезд") || c.want != "" && !strings.Contains(out, c.want) {
			t.Errorf("%v:\n%s\nwant %q", c.args, out, c.want)
		}
	}
	for _, args := range [][]string{{"plan", "завтра"}, {"plan", "--desk", "north"}} {
		if _, _, err := otvet(t, append(args, "--config", cfg)...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
