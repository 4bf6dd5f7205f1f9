package regform

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// textGrids finds tables written as text: lines of tab-separated cells (as
// copied from Word or Excel) or of "|"-separated cells. Consecutive such
// lines form one table; blank lines and rule lines (---, +--+) inside it are
// skipped. The cells count against the message's budget.
func textGrids(t string, bud *budget, where string) []grid {
	var grids []grid
	var cur *grid
	var delim byte
	before := ""
	blank := 0
	for rest := t; rest != "" && !bud.exhausted() && !bud.expired(where); {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimRight(line, "\r")
		d := tableDelim(line)
		switch {
		case d != 0 && cur != nil && d == delim:
			if row := splitCells(line, d, bud, where); row != nil {
				cur.rows = append(cur.rows, row)
			}
			blank = 0
		case d != 0:
			row := splitCells(line, d, bud, where)
			if row == nil {
				break
			}
			grids = append(grids, grid{before: before})
			cur, delim, blank = &grids[len(grids)-1], d, 0
			cur.rows = append(cur.rows, row)
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

// splitCells cuts a line into cells; nil when the budget cannot afford
// them.
func splitCells(line string, d byte, bud *budget, where string) []cell {
	if d == '|' {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "|")
		line = strings.TrimSuffix(line, "|")
	}
	parts := strings.SplitN(line, string(d), maxCols+1)
	if len(parts) > maxCols {
		parts = parts[:maxCols]
	}
	if !bud.takeCells(len(parts), where) {
		return nil
	}
	row := make([]cell, len(parts))
	for i, p := range parts {
		row[i] = cell{text: strings.TrimSpace(p)}
	}
	return row
}

// cutAttachment bounds what is read of a text or CSV attachment to
// maxTextAttachment bytes, noting the cut.
func cutAttachment(b []byte, bud *budget, where string) []byte {
	if len(b) <= maxTextAttachment {
		return b
	}
	bud.cut("%s: прочитаны только первые %d МБ", where, maxTextAttachment>>20)
	n := maxTextAttachment
	for i := 0; i < 3 && n > 0 && !utf8.RuneStart(b[n]); i++ {
		n-- // do not cut a UTF-8 character in two
	}
	return b[:n]
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
