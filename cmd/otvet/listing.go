package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// listing is how a list command prints its rows: a table with a heading
// per column, or with --json one JSON array written row by row
// (writeJSONArray), the same layout as writeJSON's. kb, reply-template,
// contractor and staff list share it.
type listing[T any] struct {
	head  []string         // the table's headings
	cells func(T) []string // a row's cells, one per heading
	json  func(T) any      // a row as JSON (snake_case names)
	after string           // a line under the table ("": none)
}

func (l listing[T]) print(w io.Writer, rows []T, asJSON bool) error {
	if asJSON {
		return writeJSONArray(w, len(rows), func(i int) any { return l.json(rows[i]) })
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(l.head, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(l.cells(r), "\t"))
	}
	if l.after != "" {
		fmt.Fprintln(tw, l.after)
	}
	return tw.Flush()
}
