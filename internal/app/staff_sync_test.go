package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

// staffConfig writes a configuration listing staff and loads it.
func staffConfig(t *testing.T, dir, staff string) *config.Config {
	t.Helper()
	return testConfig(t, dir, "staff:\n"+staff)
}

// testConfig writes a valid one-desk configuration with extra top-level
// YAML and loads it.
func testConfig(t *testing.T, dir, extra string) *config.Config {
	t.Helper()
	p := filepath.Join(dir, "c.yaml")
	body := `database: {driver: sqlite, path: ` + filepath.Join(dir, "o.db") + `}
secret_key: "0123456789abcdef0123456789abcdef"
` + extra + `
desks:
  - name: sd
    support_address: sd@kgo66.ru
    timezone: Asia/Yekaterinburg
    imap: {host: 127.0.0.1, port: 1, security: plain, username: sd, password: x}
    smtp: {host: 127.0.0.1, port: 1, security: none}
`
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// start runs app.New (as every otvet command that serves does) and returns the staff.
func startStaff(t *testing.T, c *config.Config) map[string]store.Staff {
	t.Helper()
	now := time.Date(2025, 1, 9, 10, 0, 0, 0, time.UTC)
	a, err := app.New(context.Background(), c, testLogger(t), app.Options{Migrate: true, Now: func() time.Time { return now },
		Senders: map[string]outbox.Sender{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ss, err := a.DB.ListStaff(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Staff{}
	for _, s := range ss {
		out[s.Email] = s
	}
	return out
}

func TestConfigNeverReactivatesStaff(t *testing.T) {
	dir := t.TempDir()
	c := staffConfig(t, dir, `  - {email: agent1@kgo66.ru, name: Иванов Иван, role: agent}
  - {email: lead@kgo66.ru, name: Петрова Ольга, role: lead}
  - {email: former@kgo66.ru, name: Сидоров Пётр, role: agent, active: false}`)
	ss := startStaff(t, c)
	if !ss["agent1@kgo66.ru"].Active || ss["lead@kgo66.ru"].Role != store.StaffLead || ss["former@kgo66.ru"].Active {
		t.Fatalf("first start: %+v", ss)
	}
	// What 'otvet staff disable' and a role change from the command line do.
	db, err := app.OpenDB(context.Background(), c, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		a, _ := tx.StaffByEmail(context.Background(), "agent1@kgo66.ru")
		a.Active = false
		if err := tx.UpsertStaff(context.Background(), a, "cli", time.Now()); err != nil {
			return err
		}
		l, _ := tx.StaffByEmail(context.Background(), "lead@kgo66.ru")
		l.Role = store.StaffAgent
		return tx.UpsertStaff(context.Background(), l, "cli", time.Now())
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		ss = startStaff(t, c)
		if ss["agent1@kgo66.ru"].Active {
			t.Error("a disabled agent became active again at start")
		}
		if ss["lead@kgo66.ru"].Role != store.StaffAgent {
			t.Errorf("the role changed from the command line was overwritten: %s", ss["lead@kgo66.ru"].Role)
		}
	}
	// active: false in the configuration disables an existing member at every start.
	c = staffConfig(t, dir, `  - {email: lead@kgo66.ru, name: Петрова Ольга, role: lead, active: false}
  - {email: new@kgo66.ru, name: Новый, role: agent}`)
	ss = startStaff(t, c)
	if ss["lead@kgo66.ru"].Active || !ss["new@kgo66.ru"].Active || len(ss) != 4 {
		t.Errorf("after the config change: %+v", ss)
	}
}
