package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// otvet staff edit EMAIL --morning on|off switches the member's morning
// mail with an audit event; a bad value, no change asked for or an unknown
// address is a usage error.
func TestStaffEditMorning(t *testing.T) {
	cfg, dbPath := staffCLIConfig(t)
	must(t, "staff", "add", "--email", "ivanov@kgo66.ru", "--name", "Иванов", "--config", cfg)
	for _, c := range []struct {
		args  []string
		out   string
		usage bool
	}{
		{[]string{"ivanov@kgo66.ru", "--morning=off"}, "the morning mail of ivanov@kgo66.ru is off", false},
		{[]string{"--morning", "off", "ivanov@kgo66.ru"}, "was already off", false},
		{[]string{"IVANOV@kgo66.ru", "--morning", "on"}, "is on", false},
		{[]string{"ivanov@kgo66.ru", "--morning", "maybe"}, "--morning must be on or off", true},
		{[]string{"ivanov@kgo66.ru"}, "nothing to change", true},
		{[]string{"nobody@kgo66.ru", "--morning", "off"}, "nobody@kgo66.ru: not a staff member", true},
		{[]string{"--morning", "off"}, "give the staff member's e-mail", true},
	} {
		out, _, err := otvet(t, append([]string{"staff", "edit", "--config", cfg}, c.args...)...)
		var ue usageError
		if errors.As(err, &ue) != c.usage {
			t.Errorf("%v: err %v, usage error wanted: %v", c.args, err, c.usage)
		}
		msg := out
		if err != nil {
			msg += err.Error()
		}
		if !strings.Contains(msg, c.out) {
			t.Errorf("%v: %q, want %q", c.args, msg, c.out)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.AuditEvents(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		if e.Kind == "staff_morning" {
			got = append(got, e.Actor+" "+e.Detail)
		}
	}
	if strings.Join(got, "; ") != "cli ivanov@kgo66.ru: morning mail off; cli ivanov@kgo66.ru: morning mail on" {
		t.Errorf("audit %q", got)
	}
}
