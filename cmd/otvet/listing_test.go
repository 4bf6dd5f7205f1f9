package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestListing(t *testing.T) {
	type row struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	l := listing[row]{head: []string{"NAME", "N"}, cells: func(r row) []string { return []string{r.Name, strings.Repeat("*", r.N)} },
		json: func(r row) any { return r }, after: "(more elsewhere)"}
	rows := []row{{"первый", 1}, {"second", 3}}
	var table, js, want bytes.Buffer
	if err := l.print(&table, rows, false); err != nil {
		t.Fatal(err)
	}
	if got := table.String(); got != "NAME    N\nпервый  *\nsecond  ***\n(more elsewhere)\n" {
		t.Errorf("table:\n%q", got)
	}
	if err := l.print(&js, rows, true); err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(&want, rows); err != nil {
		t.Fatal(err)
	}
	if js.String() != want.String() {
		t.Errorf("JSON\n%s\nwant (writeJSON's layout)\n%s", js.String(), want.String())
	}
	js.Reset()
	if err := l.print(&js, nil, true); err != nil || js.String() != "[]\n" {
		t.Errorf("an empty list: %q %v", js.String(), err)
	}
}
