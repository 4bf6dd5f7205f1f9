package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/demo"
)

// otvet rules test explains a message; otvet tickets open --phone registers a
// call through the same rules.
func TestRulesTestAndPhoneCommands(t *testing.T) {
	dir := t.TempDir()
	res, err := demo.Run(context.Background(), demo.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.ConfigPath
	eml := filepath.Join(dir, "rude.eml")
	raw := "From: Петров <petrov@uszn.kgo66.ru>\r\nTo: sd@kgo66.ru\r\nSubject: Опять\r\nMessage-ID: <rt1@uszn>\r\n\r\nВы там совсем охуели?\r\n"
	if err := os.WriteFile(eml, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := otvet(t, "rules", "test", eml, "--at", "2024-12-27 10:00", "--config", cfg)
	if err != nil || !strings.Contains(out, "Outcome:  reject (reason offensive, clause 4.6.3") || !strings.Contains(out, "Rule trail:") {
		t.Fatalf("rules test: %v\n%s", err, out)
	}
	out, _, err = otvet(t, "rules", "test", "--json", eml, "--config", cfg)
	var dec struct {
		Outcome string `json:"outcome"`
		Reason  string `json:"reason"`
	}
	if err != nil || json.Unmarshal([]byte(out), &dec) != nil || dec.Outcome != "reject" || dec.Reason != "offensive" {
		t.Fatalf("rules test --json: %v\n%s", err, out)
	}
	if _, _, err := otvet(t, "rules", "test", filepath.Join(dir, "missing.eml"), "--config", cfg); err == nil {
		t.Error("a missing file accepted")
	}

	out, _, err = otvet(t, "tickets", "open", "--phone", "--requester", "petrov@uszn.kgo66.ru", "--subject", "Не работает сканер",
		"--body", "Позвонил Петров: сканер в каб. 12 не сканирует.", "--json", "--config", cfg)
	var tk struct {
		Number  int64  `json:"number"`
		Channel string `json:"channel"`
	}
	if err != nil || json.Unmarshal([]byte(out), &tk) != nil || tk.Number == 0 {
		t.Fatalf("tickets open --phone: %v\n%s", err, out)
	}
	if _, _, err := otvet(t, "tickets", "open", "--requester", "x@y.ru", "--subject", "s", "--body", "b", "--config", cfg); err == nil {
		t.Error("tickets open without --phone accepted")
	}
	if _, _, err := otvet(t, "tickets", "open", "--phone", "--requester", "not an address", "--subject", "s", "--body", "b", "--config", cfg); err == nil {
		t.Error("a bad requester accepted")
	}
}
