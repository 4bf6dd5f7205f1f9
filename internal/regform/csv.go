package regform

import (
	"encoding/csv"
	"strings"
)

// csvGrids reads a CSV attachment: UTF-8 or windows-1251 (detected), with
// ";", "," or tab as the separator (detected from the first lines, or from
// Excel's "sep=;" line). At most maxTextAttachment bytes are read; the
// cells and their text count against the message's budget.
func csvGrids(data []byte, bud *budget, where string) ([]grid, string) {
	text := decodeText(cutAttachment(data, bud, where))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	comma := ';'
	if first, rest, _ := strings.Cut(text, "\n"); strings.HasPrefix(strings.ToLower(first), "sep=") && len(first) >= 5 {
		comma = []rune(first[4:])[0]
		text = rest
	} else {
		comma = guessComma(text)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = comma
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	var rows [][]cell
	var lines []string
	for !bud.expired(where) {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if len(rows) >= maxRows {
			bud.cut("%s: прочитаны только первые %d строк", where, maxRows)
			break
		}
		if len(rec) > maxCols {
			rec = rec[:maxCols]
		}
		n := 0
		for _, f := range rec {
			n += len(f) + 3
		}
		if !bud.takeCells(len(rec), where) || !bud.takeText(n, where) {
			break
		}
		row := make([]cell, len(rec))
		for i, f := range rec {
			row[i] = cell{text: strings.TrimSpace(f)}
		}
		rows = append(rows, row)
		lines = append(lines, strings.Join(rec, " | "))
	}
	if len(rows) == 0 {
		return nil, ""
	}
	return []grid{{rows: rows}}, strings.Join(lines, "\n")
}

// guessComma picks the separator that occurs most often outside quotes in
// the first lines; ";" on a tie (Excel in Russian locales writes ";").
func guessComma(text string) rune {
	counts := map[rune]int{}
	inQuote := false
	lines := 0
	for _, r := range text {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '\n':
			lines++
		case r == ';' || r == ',' || r == '\t':
			counts[r]++
		}
		if lines >= 5 {
			break
		}
	}
	best := ';'
	for _, r := range []rune{'\t', ','} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}
