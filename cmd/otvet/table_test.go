package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"text/tabwriter"
)

// TestStreamTableAsTabwriter: up to measureRows rows, a streamTable prints
// byte for byte what tabwriter prints (Cyrillic cells counted in runes);
// beyond, each row is printed as it comes with the first rows' widths, a
// wider cell pushing only its own row.
func TestStreamTableAsTabwriter(t *testing.T) {
	words := []string{"", "-", "open", "waiting", "Школа № 3", "МИС", "agent@kgo66.ru", "Не печатает принтер в кабинете 12", "2025-01-09 15:30 +05"}
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 17, measureRows - 1} {
		var rows [][]string
		for range n {
			row := make([]string, 5)
			for i := range row {
				row[i] = words[r.IntN(len(words))]
			}
			rows = append(rows, row)
		}
		var want, got strings.Builder
		tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "A\tB\tC\tD\tE")
		st := newStreamTable(&got, "A", "B", "C", "D", "E")
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
			st.row(row...)
		}
		if err := tw.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := st.flush(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d rows:\n%s\nwant (tabwriter):\n%s", n, got.String(), want.String())
		}
	}

	var b strings.Builder
	st := newStreamTable(&b, "#", "NAME", "LAST")
	for i := range measureRows + 2 {
		name := "ab"
		if i == measureRows { // the first row after the measured ones, wider
			name = "abcdef"
		}
		st.row(fmt.Sprint(i%10), name, "x")
		if i == measureRows-3 && b.Len() != 0 { // with the header, measureRows-2 lines so far
			t.Fatalf("printed before %d rows were measured", measureRows)
		}
	}
	if err := st.flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != measureRows+3 || lines[0] != "#  NAME  LAST" || lines[1] != "0  ab    x" ||
		lines[measureRows+1] != "0  abcdef  x" || lines[measureRows+2] != "1  ab    x" {
		t.Errorf("%d lines: %q … %q", len(lines), lines[:2], lines[len(lines)-2:])
	}
}
