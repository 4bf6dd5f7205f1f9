package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/demo"
)

func TestMaintenanceCommands(t *testing.T) {
	res, err := demo.Run(context.Background(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.ConfigPath
	from := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	to := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	out, _, err := otvet(t, "maintenance", "add", "--system", "МИС", "--from", from, "--to", to, "--note", "Обновление", "--config", cfg)
	if err != nil || !strings.Contains(out, "maintenance window #1") {
		t.Fatalf("add: %v %s", err, out)
	}
	out, _, err = otvet(t, "maintenance", "list", "--json", "--config", cfg)
	var ws []struct {
		ID     int64  `json:"id"`
		System string `json:"system"`
		To     string `json:"to"`
	}
	if err != nil || json.Unmarshal([]byte(out), &ws) != nil || len(ws) != 1 || ws[0].System != "МИС" {
		t.Fatalf("list: %v %s", err, out)
	}
	later := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	if out, _, err = otvet(t, "maintenance", "end", "1", "--at", later.Format(time.RFC3339), "--config", cfg); err != nil || !strings.Contains(out, "ends") {
		t.Fatalf("end: %v %s", err, out)
	}
	out, _, _ = otvet(t, "maintenance", "list", "--json", "--config", cfg)
	if !strings.Contains(out, later.Format(time.RFC3339)) {
		t.Errorf("the window was not extended:\n%s", out)
	}
	if out, _, err = otvet(t, "maintenance", "remove", "1", "--config", cfg); err != nil || !strings.Contains(out, "removed") {
		t.Fatalf("remove: %v %s", err, out)
	}
	for _, bad := range [][]string{
		{"maintenance", "remove", "1"},                                        // gone
		{"maintenance", "end", "x"},                                           // not an ID
		{"maintenance", "end", "1", "--at", "soon"},                           // not a time
		{"maintenance", "add", "--system", "МИС", "--from", to, "--to", from}, // ends before it starts
	} {
		if _, _, err := otvet(t, append(bad, "--config", cfg)...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
