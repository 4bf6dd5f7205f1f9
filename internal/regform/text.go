package regform

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// textGrids finds tables written as text: lines of tab-separated cells (as
// copied from Word or Excel) or of "|"-separated cells. Consecutive such
// lines form one table; blank lines and rule lines (---, +--+) inside it are
// skipped.
func textGrids(t string) []grid {
	lines := strings.Split(t, "\n")
	var grids []grid
	var cur *grid
	var delim byte
	before := ""
	blank := 0
	for _, line := range lines {
		line = strings.TrimRight(line, "\r")
		d := tableDelim(line)
		switch {
		case d != 0 && cur != nil && d == delim:
			cur.rows = append(cur.rows, splitCells(line, d))
			blank = 0
		case d != 0:
			grids = append(grids, grid{before: before})
			cur, delim, blank = &grids[len(grids)-1], d, 0
			cur.rows = append(cur.rows, splitCells(line, d))
		case isRule(line) && cur != nil:
		case strings.TrimSpace(line) == "":
			blank++
			if blank > 2 {
				cur = nil
			}
		default:
			cur = nil
			before = strings.TrimSpace(line)
		}
		if cur != nil && len(cur.rows) > maxRows {
			cur = nil
		}
	}
	return grids
}

// tableDelim tells whether a line is a row of a text table and how its
// cells are separated.
func tableDelim(line string) byte {
	if n := strings.Count(line, "\t"); n >= 1 {
		cells := 0
		for _, c := range strings.Split(line, "\t") {
			if strings.TrimSpace(c) != "" {
				cells++
			}
		}
		if cells >= 2 || (n >= 2 && cells >= 1) {
			return '\t'
		}
	}
	if strings.Count(line, "|") >= 2 && !isRule(line) {
		return '|'
	}
	return 0
}

// isRule: a line drawn with -, =, +, | and : only (markdown or ASCII-art
// table borders).
func isRule(line string) bool {
	t := strings.TrimSpace(line)
	if len(t) < 3 {
		return false
	}
	dashes := 0
	for _, r := range t {
		switch r {
		case '-', '=', '─', '━', '—', '_':
			dashes++
		case '+', '|', ':', ' ', '\t', '┼', '│':
		default:
			return false
		}
	}
	return dashes >= 3
}

func splitCells(line string, d byte) []cell {
	if d == '|' {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "|")
		line = strings.TrimSuffix(line, "|")
	}
	parts := strings.Split(line, string(d))
	if len(parts) > maxCols {
		parts = parts[:maxCols]
	}
	row := make([]cell, len(parts))
	for i, p := range parts {
		row[i] = cell{text: strings.TrimSpace(p)}
	}
	return row
}

// decodeText turns the bytes of a text or CSV file into UTF-8: UTF-8 (with
// or without a BOM) as is, otherwise windows-1251 or KOI8-R, whichever
// gives more lower-case Cyrillic letters (Russian text is mostly lower
// case; the wrong one of the two swaps the cases).
func decodeText(b []byte) string {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	if utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "")
	}
	cp, err1 := charmap.Windows1251.NewDecoder().Bytes(b)
	koi, err2 := charmap.KOI8R.NewDecoder().Bytes(b)
	switch {
	case err1 != nil && err2 != nil:
		return strings.ToValidUTF8(string(b), "\uFFFD")
	case err2 != nil, err1 == nil && lowerCyrillic(cp) >= lowerCyrillic(koi):
		return string(cp)
	}
	return string(koi)
}

func lowerCyrillic(b []byte) int {
	n := 0
	for _, r := range string(b) {
		if (r >= 'а' && r <= 'я') || r == 'ё' {
			n++
		}
	}
	return n
}
