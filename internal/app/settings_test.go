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
	"github.com/otvet/otvet/internal/workcal"
)

const twoDesks = `support_levels:
  - {name: standard, first_response: 4h, resolution: 24h}
  - {name: priority, first_response: 1h, resolution: 8h}
rules:
  clauses: {unclear: "7.1", offensive: ""}
desks:
  - name: east
    support_address: sd@kgo66.ru
    display_name: Служба поддержки
    timezone: Asia/Yekaterinburg
    language: ru
    support_level: priority
    hours: {start: "08:00", end: "17:00", short_end: "16:00"}
    imap: {host: 127.0.0.1, port: 1, security: plain, username: sd, password: x}
    smtp: {host: 127.0.0.1, port: 1, security: none, from: "Поддержка <noreply@kgo66.ru>"}
  - name: west
    support_address: help@kgo66.ru
    timezone: Europe/Kaliningrad
    language: en
    support_level: standard
    identification: false
    imap: {host: 127.0.0.1, port: 1, security: plain, username: help, password: x}
    smtp: {host: 127.0.0.1, port: 1, security: none}
`

func settingsConfig(t *testing.T, dir, desks string) *config.Config {
	t.Helper()
	p := filepath.Join(dir, "c.yaml")
	body := "database: {driver: sqlite, path: " + filepath.Join(dir, "o.db") + "}\nsecret_key: \"0123456789abcdef0123456789abcdef\"\n" + desks
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The desks' settings are assembled once: each desk's zone, calendar,
// hours, level, language and sender, the clauses with the configuration's
// over the defaults, and the first desk as the digests' sender.
func TestSettingsAssembledFromConfig(t *testing.T) {
	s, err := app.LoadSettings(settingsConfig(t, t.TempDir(), twoDesks), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		desk, zone, level, lang, from string
		first                         time.Duration
		day                           time.Duration
		identification                bool
	}{
		{"east", "Asia/Yekaterinburg", "priority", "ru", "noreply@kgo66.ru", time.Hour, 9 * time.Hour, true},
		{"west", "Europe/Kaliningrad", "standard", "en", "help@kgo66.ru", 4 * time.Hour, 8 * time.Hour, false},
	} {
		d, ok := s.Desk(c.desk)
		if !ok {
			t.Fatalf("no desk %s", c.desk)
		}
		if d.Location.String() != c.zone || d.Level != c.level || d.FirstResponse != c.first || d.Language != c.lang ||
			d.From.Email != c.from || d.DayLength != c.day || d.Identification != c.identification {
			t.Errorf("desk %s: %+v", c.desk, d)
		}
		if cal := s.Calendars[c.desk]; cal == nil || d.Calendar != cal || cal.Location().String() != c.zone {
			t.Errorf("desk %s: calendar %v", c.desk, cal)
		}
		if loc, ok := s.Location(c.desk); !ok || loc.String() != c.zone {
			t.Errorf("Location(%s) = %v", c.desk, loc)
		}
	}
	if d, _ := s.Desk(""); d.Name != "east" || s.Default != s.Calendars["east"] {
		t.Errorf("the first desk is %s", d.Name)
	}
	if _, ok := s.Location("north"); ok {
		t.Error("an unknown desk has a zone")
	}
	for reason, want := range map[string]string{"unclear": "7.1", "offensive": "4.6.3", "blocked": "3.5"} {
		if got := s.Clause(reason); got != want {
			t.Errorf("clause of %s: %q, want %q", reason, got, want)
		}
	}
	if tg := s.Targets()["standard"]; tg.FirstResponse != 4*time.Hour || tg.Resolution != 24*time.Hour {
		t.Errorf("targets %+v", tg)
	}
	ds := s.Digest()
	if ds.Desk.Name != "east" || ds.Desk.From.Email != "noreply@kgo66.ru" || ds.Desk.SupportAddress != "sd@kgo66.ru" ||
		ds.Default != s.Default || ds.Levels["priority"].Resolution != 8*time.Hour || ds.Clauses["unclear"] != "7.1" {
		t.Errorf("digest setup %+v", ds)
	}
}

// Without desks (a configuration checked for its database only) the zone is
// the production calendar's default.
func TestSettingsWithoutDesks(t *testing.T) {
	s, err := app.LoadSettings(settingsConfig(t, t.TempDir(), ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Desk(""); ok {
		t.Error("a desk without desks")
	}
	if loc, ok := s.Location(""); !ok || loc.String() != workcal.DefaultZone {
		t.Errorf("zone %v", loc)
	}
	if ds := s.Digest(); ds.Desk.Name != "" || ds.Default == nil {
		t.Errorf("digest setup %+v", ds)
	}
}

// The app's helpdesk and digests run on the settings the app exposes.
func TestAppUsesItsSettings(t *testing.T) {
	c := settingsConfig(t, t.TempDir(), twoDesks)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), c, testLogger(t), app.Options{Migrate: true, Senders: map[string]outbox.Sender{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if len(a.Settings.Desks) != 2 || a.Settings.Desks[1].Name != "west" {
		t.Fatalf("settings %+v", a.Settings.Desks)
	}
	p, err := a.Settings.DigestPlan(c.Digests)
	if err != nil || p.Location().String() != "Asia/Yekaterinburg" {
		t.Errorf("digest plan %v %v", p, err)
	}
}
