package main

import (
	"bytes"
	"context"
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
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// otvet runs the command line with a buffer environment.
func otvet(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	err := run(context.Background(), e, args)
	return out.String(), errb.String(), err
}

// TestCommandsOnDemoData runs the demo into a directory and reads its result
// back through the commands people and scripts use.
func TestCommandsOnDemoData(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2024, 12, 27, 10, 0, 0, 0, time.FixedZone("+05", 5*3600))
	res, err := demo.Run(context.Background(), demo.Options{At: at, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sent) != 5 {
		t.Fatalf("demo sent %d messages, want 4 acknowledgements and 1 identification request", len(res.Sent))
	}
	cfg := filepath.Join(dir, "config.yaml")

	out, _, err := otvet(t, "tickets", "list", "--json", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var list []ticketJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 4 {
		t.Fatalf("tickets list: %v, %d tickets\n%s", err, len(list), out)
	}

	out, _, err = otvet(t, "tickets", "show", "1", "--json", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var one map[string]any
	if err := json.Unmarshal([]byte(out), &one); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"number", "status", "subject", "requester", "created_at", "messages"} {
		if _, ok := one[k]; !ok {
			t.Errorf("tickets show --json lacks %q", k)
		}
	}
	if _, err := time.Parse(time.RFC3339, one["created_at"].(string)); err != nil {
		t.Errorf("created_at: %v", err)
	}
	msgs := one["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("ticket 1 has %d messages, want request, acknowledgement, reply", len(msgs))
	}
	dirs := []string{}
	for _, m := range msgs {
		mm := m.(map[string]any)
		dirs = append(dirs, mm["direction"].(string))
		for _, k := range []string{"from", "to", "subject", "message_id", "body", "attachments"} {
			if _, ok := mm[k]; !ok {
				t.Errorf("message lacks %q", k)
			}
		}
	}
	if strings.Join(dirs, ",") != "in,out,in" {
		t.Errorf("directions %v", dirs)
	}
	if one["requester"] != "m.ivanova@school3.kgo66.ru" || one["subject"] != "Не открывается электронный журнал" ||
		one["organisation"] != "МАОУ СОШ № 3" || one["status"] != "open" || one["reason"] != "" || one["priority"] != "normal" {
		t.Errorf("ticket 1: %v %v", one["requester"], one["subject"])
	}

	var four ticketJSON
	out, _, _ = otvet(t, "tickets", "show", "4", "--json", "--config", cfg)
	if json.Unmarshal([]byte(out), &four) != nil || four.Status != "open" || len(four.Messages) != 4 {
		t.Errorf("the unknown sender's ticket did not open after her answer: %s", out)
	}

	out, _, err = otvet(t, "tickets", "show", "3", "--config", cfg)
	if err != nil || !strings.Contains(out, "oshibka.png") {
		t.Errorf("human ticket view lacks the attachment: %v\n%s", err, out)
	}

	out, _, err = otvet(t, "outbox", "list", "--json", "--config", cfg)
	var rows []outboxJSON
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 5 || rows[0].State != "sent" || rows[0].Attempts != 1 {
		t.Errorf("outbox list: %v %+v", err, rows)
	}

	out, _, err = otvet(t, "user", "export", "m.ivanova@school3.kgo66.ru", "--config", cfg)
	var export struct {
		Directory map[string]any `json:"directory"`
		Tickets   []ticketJSON   `json:"tickets"`
	}
	if err != nil || json.Unmarshal([]byte(out), &export) != nil || len(export.Tickets) != 1 || export.Directory == nil {
		t.Errorf("user export: %v\n%s", err, out)
	}

	if out, _, err := otvet(t, "config", "check", "--config", cfg); err != nil || !strings.Contains(out, "is valid") {
		t.Errorf("config check: %v %s", err, out)
	}
}

func TestBadCommandLines(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "none.yaml")
	cases := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"no command", nil, true, "no command"},
		{"unknown command", []string{"frobnicate"}, true, "unknown command"},
		{"unknown flag", []string{"tickets", "list", "--bogus"}, true, "bogus"},
		{"bad ticket number", []string{"tickets", "show", "abc"}, true, "not a ticket number"},
		{"poll without once", []string{"poll"}, true, "--once"},
		{"config without check", []string{"config"}, true, "config check"},
		{"bad demo time", []string{"demo", "--at", "yesterday"}, true, "RFC 3339"},
		{"missing config file", []string{"tickets", "list", "--config", cfg}, false, "none.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := otvet(t, c.args...)
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

func TestBlockACategoryOfUsers(t *testing.T) {
	dir := t.TempDir()
	res, err := demo.Run(context.Background(), demo.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.ConfigPath
	out, _, err := otvet(t, "user", "block", "--unconfirmed", "--reason", "несанкционированный доступ", "--config", cfg)
	if err != nil || !strings.Contains(out, "2 user(s) blocked") {
		t.Fatalf("block unconfirmed: %v %s", err, out)
	}
	out, _, _ = otvet(t, "user", "show", "kuznetsov@zags.kgo66.ru", "--json", "--config", cfg)
	if !strings.Contains(out, `"blocked": true`) {
		t.Errorf("self-identified user not blocked:\n%s", out)
	}
	out, _, _ = otvet(t, "user", "show", "m.ivanova@school3.kgo66.ru", "--json", "--config", cfg)
	if strings.Contains(out, `"blocked": true`) {
		t.Errorf("a confirmed user was blocked:\n%s", out)
	}
	if _, _, err := otvet(t, "user", "block", "--role", "boss", "--reason", "x", "--config", cfg); err == nil {
		t.Error("bad role accepted")
	}
}

func TestRegistrationCommands(t *testing.T) {
	dir := t.TempDir()
	res, err := demo.Run(context.Background(), demo.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.ConfigPath
	// A pending connection request, as intake stores it.
	e := &env{Getenv: func(string) string { return "" }, Stderr: io.Discard}
	e.Log = newLogger(io.Discard, "error", "text")
	db, err := openDB(context.Background(), e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	req := regform.Request{Organisation: regform.Organisation{Name: "МБДОУ № 7", INN: "6670000004"}, HasAuthorityDocument: true,
		People: []regform.Person{{Row: 1, FullName: "Соколова Елена Павловна", Email: "sokolova@sad7.kgo66.ru"}}}
	body, _ := json.Marshal(req)
	var id int64
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "Заявка", RequesterEmail: "sokolova@sad7.kgo66.ru",
			CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := tx.CreateTicket(context.Background(), tk); err != nil {
			return err
		}
		id = tk.ID
		if _, err := tx.AddParticipant(context.Background(), id, tk.RequesterEmail, "", "requester", time.Now()); err != nil {
			return err
		}
		return tx.InsertRegistration(context.Background(), &store.Registration{TicketID: id, Request: string(body)})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	n := fmt.Sprint(id)
	if out, _, err := otvet(t, "registration", "list", "--config", cfg); err != nil || !strings.Contains(out, "МБДОУ № 7") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	req.People = append(req.People, regform.Person{Row: 2, FullName: "Орлова Нина Ивановна", Email: "orlova@sad7.kgo66.ru"})
	edited, _ := json.Marshal(req)
	file := filepath.Join(dir, "req.json")
	if err := os.WriteFile(file, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _, err := otvet(t, "registration", "edit", n, "--file", file, "--config", cfg); err != nil || !strings.Contains(out, "2 people") {
		t.Fatalf("edit: %v\n%s", err, out)
	}
	if out, _, err := otvet(t, "registration", "show", n, "--config", cfg); err != nil || !strings.Contains(out, "Орлова") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, _, err := otvet(t, "registration", "approve", n, "--config", cfg)
	if err != nil || !strings.Contains(out, "2 registered") {
		t.Fatalf("approve: %v\n%s", err, out)
	}
	if out, _, _ := otvet(t, "user", "show", "orlova@sad7.kgo66.ru", "--json", "--config", cfg); !strings.Contains(out, "Орлова") {
		t.Errorf("approved person not registered:\n%s", out)
	}
	if _, _, err := otvet(t, "registration", "approve", n, "--config", cfg); err == nil {
		t.Error("a request was approved twice")
	}
}

func TestCalendarFollowsTheConfiguredDesk(t *testing.T) {
	dir := t.TempDir()
	res, err := demo.Run(context.Background(), demo.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	// The demo desk works in Asia/Yekaterinburg (+05:00).
	out, _, err := otvet(t, "calendar", "add", "--config", res.ConfigPath, "2024-12-27T10:00", "8h")
	if err != nil || !strings.Contains(out, "2024-12-28T10:00:00+05:00") {
		t.Errorf("calendar with --config: %v %s", err, out)
	}
	out, _, err = otvet(t, "calendar", "add", "--config", res.ConfigPath, "--tz", "Europe/Moscow", "2024-12-27T10:00", "8h")
	if err != nil || !strings.Contains(out, "+03:00") {
		t.Errorf("--tz wins over --config: %v %s", err, out)
	}
}
