package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/otvet/otvet/internal/store"
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
	// jsonHelp is the --json flag's help ("": "one JSON array").
	jsonHelp string
}

// run is a whole list command: its --json flag parsed from args, the
// database of the configuration cfg names opened, the rows load reads (a store method expression such as (*store.DB).ListStaff)
// printed. cfg is read after the flags are parsed.
func (l listing[T]) run(ctx context.Context, e *env, fs *flag.FlagSet, cfg *string, args []string,
	load func(*store.DB, context.Context) ([]T, error)) error {
	asJSON := fs.Bool("json", false, cmp.Or(l.jsonHelp, "one JSON array"))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := load(db, ctx)
	if err != nil {
		return err
	}
	return l.print(e.Stdout, rows, *asJSON)
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
