package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// streamTable prints rows of cells in aligned columns as text/tabwriter
// does (two spaces between columns, the last column as it is), without
// holding a long table: the widths are those of the first measureRows
// lines (the header included), printed once they are known; a later row
// is printed as it comes, a cell wider than its column pushing only that
// row. A table of up to measureRows lines prints exactly as tabwriter
// would.
type streamTable struct {
	w       io.Writer
	pending [][]string
	widths  []int
	started bool
	buf     []byte
	err     error
}

// measureRows is how many rows a streamTable reads before it prints.
const measureRows = 1000

func newStreamTable(w io.Writer, header ...string) *streamTable {
	t := &streamTable{w: w}
	t.row(header...)
	return t
}

// row adds a row; the first error of the writer is kept for flush.
func (t *streamTable) row(cells ...string) {
	if t.err != nil {
		return
	}
	if !t.started {
		t.pending = append(t.pending, cells)
		if len(t.pending) >= measureRows {
			t.start()
		}
		return
	}
	t.print(cells)
}

func (t *streamTable) start() {
	t.started = true
	for _, r := range t.pending {
		for i, c := range r[:max(len(r)-1, 0)] {
			if i >= len(t.widths) {
				t.widths = append(t.widths, 0)
			}
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(c)+2)
		}
	}
	for _, r := range t.pending {
		t.print(r)
	}
	t.pending = nil
}

func (t *streamTable) print(cells []string) {
	if t.err != nil {
		return
	}
	b := t.buf[:0]
	for i, c := range cells {
		b = append(b, c...)
		if i == len(cells)-1 {
			break
		}
		pad := 2
		if i < len(t.widths) {
			pad = max(t.widths[i]-utf8.RuneCountInString(c), 2)
		}
		b = append(b, strings.Repeat(" ", pad)...)
	}
	b = append(b, '\n')
	t.buf = b
	_, t.err = t.w.Write(b)
}

// flush prints what is still held and returns the first error.
func (t *streamTable) flush() error {
	if !t.started {
		t.start()
	}
	return t.err
}
