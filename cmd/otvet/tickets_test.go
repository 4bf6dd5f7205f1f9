package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/demo"
)

// demoConfig runs the demo into a directory and returns its configuration.
func demoConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	at := time.Date(2024, 12, 27, 10, 0, 0, 0, time.FixedZone("+05", 5*3600))
	if _, err := demo.Run(context.Background(), demo.Options{At: at, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "config.yaml")
}

// numbers runs a listing with --json and returns the tickets' numbers.
func numbers(t *testing.T, args ...string) []int64 {
	t.Helper()
	out, errOut, err := otvet(t, append(args, "--json")...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errOut)
	}
	var list []queueJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	ns := []int64{}
	for _, j := range list {
		ns = append(ns, j.Number)
	}
	return ns
}

func TestTicketsListFilters(t *testing.T) {
	cfg := demoConfig(t)
	all := numbers(t, "tickets", "list", "--config", cfg)
	if len(all) != 4 {
		t.Fatalf("every ticket: %v", all)
	}
	sorted := slices.Clone(all)
	slices.Sort(sorted)
	if !slices.Equal(sorted, []int64{1, 2, 3, 4}) {
		t.Fatalf("every ticket: %v", all)
	}
	var one queueJSON
	out, _, _ := otvet(t, "tickets", "list", "--search", "журнала", "--json", "--config", cfg)
	var list []queueJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) == 0 {
		t.Fatalf("search: %v\n%s", err, out)
	}
	one = list[0]
	if one.Number != 1 || one.Organisation != "МАОУ СОШ № 3" || one.Due == "" || one.Status != "open" {
		t.Errorf("ticket 1 in the list: %+v", one)
	}
	cases := []struct {
		name string
		args []string
		want []int64
	}{
		{"status", []string{"--status", "open"}, nil}, // filled below: the open ones
		{"organisation", []string{"--org", fmt.Sprint(one.OrganisationID)}, []int64{1, 4}},
		{"search in a list", []string{"--search", "журнала"}, []int64{1}},
		{"search and status contradict", []string{"--search", "журнала", "--status", "closed"}, []int64{}},
		{"nobody's", []string{"--assignee", "none"}, all},
		{"an agent's", []string{"--assignee", "nobody@kgo66.ru"}, []int64{}},
		{"me", []string{"--assignee", "me", "--as", "nobody@kgo66.ru"}, []int64{}},
		{"waiting", []string{"--waiting"}, []int64{}},
		{"system", []string{"--system", "нет-такой"}, []int64{}},
		{"limit", []string{"--limit", "1"}, all[:1]},
		{"due within a year", []string{"--due-within", "8760h"}, nil},
		{"desk", []string{"--desk", "no-such-desk"}, []int64{}},
	}
	for _, c := range cases {
		got := numbers(t, append([]string{"tickets", "list", "--config", cfg}, c.args...)...)
		switch c.name {
		case "status":
			for _, n := range got {
				var j ticketJSON
				out, _, _ := otvet(t, "tickets", "show", fmt.Sprint(n), "--json", "--config", cfg)
				if json.Unmarshal([]byte(out), &j) != nil || j.Status != "open" {
					t.Errorf("--status open listed #%d (%s)", n, j.Status)
				}
			}
			if len(got) == 0 {
				t.Errorf("--status open: none")
			}
		case "due within a year":
			if len(got) == 0 || len(got) > len(all) {
				t.Errorf("--due-within: %v", got)
			}
		default:
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
	// The text form: a header and a line per ticket, due times in the desk's zone.
	out, _, err := otvet(t, "tickets", "list", "--org", fmt.Sprint(one.OrganisationID), "--config", cfg)
	if err != nil || !strings.HasPrefix(out, "#") || !strings.Contains(out, "STATUS") || !strings.Contains(out, "МАОУ СОШ № 3") ||
		strings.Count(out, "\n") != 3 {
		t.Errorf("text list: %v\n%s", err, out)
	}
	for _, bad := range [][]string{
		{"--status", "opened"}, {"--assignee", "me"}, {"--limit", "-1"}, {"extra"}, {"--due-within", "soon"},
	} {
		if _, _, err := otvet(t, append([]string{"tickets", "list", "--config", cfg}, bad...)...); err == nil {
			t.Errorf("tickets list %v accepted", bad)
		}
	}
}

func TestTicketsSearchAndReindex(t *testing.T) {
	cfg := demoConfig(t)
	if got := numbers(t, "tickets", "search", "журнал", "--config", cfg); !slices.Equal(got, []int64{1}) {
		t.Errorf("search журнал: %v", got)
	}
	// An attachment's name, and words in any form and case.
	if got := numbers(t, "tickets", "search", "--config", cfg, "oshibka"); !slices.Equal(got, []int64{3}) {
		t.Errorf("search oshibka: %v", got)
	}
	if got := numbers(t, "tickets", "search", "ЖУРНАЛА", "ОТКРЫВАЕТСЯ", "--config", cfg); !slices.Equal(got, []int64{1}) {
		t.Errorf("search in capitals, two words: %v", got)
	}
	if got := numbers(t, "tickets", "search", "журнал", "несуществующееслово", "--config", cfg); len(got) != 0 {
		t.Errorf("every word must match: %v", got)
	}
	out, _, err := otvet(t, "tickets", "search", "журнал", "--config", cfg)
	if err != nil || !strings.Contains(out, "SUBJECT") || !strings.Contains(out, "Не открывается электронный журнал") {
		t.Errorf("text search: %v\n%s", err, out)
	}
	if _, _, err := otvet(t, "tickets", "search", "--config", cfg); err == nil {
		t.Error("a search without words accepted")
	}

	out, _, err = otvet(t, "tickets", "reindex", "--config", cfg)
	if err != nil || !strings.HasPrefix(out, "indexed 4 tickets, ") || !strings.Contains(out, "1 attachment names") {
		t.Fatalf("reindex: %v\n%s", err, out)
	}
	if got := numbers(t, "tickets", "search", "журнал", "--config", cfg); !slices.Equal(got, []int64{1}) {
		t.Errorf("search after reindex: %v", got)
	}
	if got := numbers(t, "tickets", "search", "oshibka", "--config", cfg); !slices.Equal(got, []int64{3}) {
		t.Errorf("attachment after reindex: %v", got)
	}
	if _, _, err := otvet(t, "tickets", "reindex", "extra", "--config", cfg); err == nil {
		t.Error("reindex with an argument accepted")
	}
}
