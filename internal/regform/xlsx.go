package regform

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// A minimal reader of XLSX (Office Open XML spreadsheets): shared and
// inline strings, numbers, merged cells; every sheet becomes a grid. No
// formulas are evaluated (their cached values are read), no styles, no
// dates. It needs only the standard library.

// maxXMLBytes bounds what is decompressed from one part of a zip package.
const maxXMLBytes = 16 << 20

var errNotZip = errors.New("regform: not an Office Open XML package")

func openZip(data []byte) (map[string]*zip.File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotZip
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	return files, nil
}

// readZipFile decompresses one part of a package, within maxXMLBytes and
// what is left of the message's budget; a part cut by the budget is
// returned as far as it was read (the XML readers stop at its end).
func readZipFile(f *zip.File, bud *budget, where string) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	limit := min(int64(maxXMLBytes), bud.unzipped)
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxXMLBytes {
		return nil, errors.New("regform: part too large")
	}
	if int64(len(b)) > limit {
		b = b[:limit]
		bud.cut("%s: прочитано не всё — превышен предел в %d МБ распакованных данных на одно письмо", where, maxMessageUnzipped>>20)
	}
	bud.unzipped -= int64(len(b))
	return b, nil
}

func xlsxGrids(data []byte, bud *budget, where string) ([]grid, error) {
	files, err := openZip(data)
	if err != nil {
		return nil, err
	}
	var shared []string
	if f := files["xl/sharedStrings.xml"]; f != nil {
		b, err := readZipFile(f, bud, where)
		if err != nil {
			return nil, err
		}
		shared = readSharedStrings(b)
	}
	sheets := sheetPaths(files, bud, where)
	if len(sheets) == 0 {
		return nil, errNotZip
	}
	var grids []grid
	for _, sh := range sheets {
		if bud.exhausted() {
			break
		}
		b, err := readZipFile(files[sh.path], bud, where)
		if err != nil {
			return nil, err
		}
		if rows := readSheet(b, shared, bud, fmt.Sprintf("лист «%s» (%s)", sh.name, where)); len(rows) > 0 {
			grids = append(grids, grid{rows: rows})
		}
	}
	return grids, nil
}

// sheetsText is the text of the sheets that hold no table of people (a
// sheet with the application's text and the organisation's details before
// the sheet of the table), a line per row; the text above and below a
// table is read with it (tableResult.preamble). At most maxSheetsText
// bytes are kept: the details are at the top of such a sheet.
func sheetsText(grids []grid) string {
	var b strings.Builder
	for _, g := range grids {
		if findHeader(g.rows) >= 0 {
			continue
		}
		for _, row := range g.rows {
			if b.Len() >= maxSheetsText {
				return b.String()
			}
			if t := rowText(row); t != "" {
				b.WriteString(truncate(t, maxSheetsText-b.Len()) + "\n")
			}
		}
	}
	return b.String()
}

// maxSheetsText bounds the text sheetsText keeps.
const maxSheetsText = 16 << 10

// sheetRef is one worksheet: its part and its name in the workbook.
type sheetRef struct{ path, name string }

// sheetPaths lists the worksheets in workbook order, falling back to the
// file names when the workbook or its relationships cannot be read. A
// worksheet listed more than once is read once; at most maxSheets are read.
func sheetPaths(files map[string]*zip.File, bud *budget, where string) []sheetRef {
	var out []sheetRef
	seen := map[string]bool{}
	repeated, many := false, false
	add := func(p, name string) {
		switch {
		case seen[p]:
			repeated = true
		case len(out) >= maxSheets:
			many = true
		default:
			seen[p] = true
			if name == "" {
				name = strings.TrimSuffix(path.Base(p), ".xml")
			}
			out = append(out, sheetRef{path: p, name: truncate(collapse(name), 100)})
		}
	}
	if wb, rels := files["xl/workbook.xml"], files["xl/_rels/workbook.xml.rels"]; wb != nil && rels != nil {
		var w struct {
			Sheets []struct {
				ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
				Name string `xml:"name,attr"`
			} `xml:"sheets>sheet"`
		}
		var r struct {
			Rels []struct {
				ID     string `xml:"Id,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		bw, err1 := readZipFile(wb, bud, where)
		br, err2 := readZipFile(rels, bud, where)
		if err1 == nil && err2 == nil && xml.Unmarshal(bw, &w) == nil && xml.Unmarshal(br, &r) == nil {
			targets := map[string]string{}
			for _, x := range r.Rels {
				t := x.Target
				if strings.HasPrefix(t, "/") {
					t = strings.TrimPrefix(t, "/")
				} else {
					t = path.Clean(path.Join("xl", t))
				}
				targets[x.ID] = t
			}
			for _, s := range w.Sheets {
				if t := targets[s.ID]; files[t] != nil {
					add(t, s.Name)
				}
			}
		}
	}
	if len(out) == 0 {
		var names []string
		for name := range files {
			if strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml") && !strings.Contains(name[len("xl/worksheets/"):], "/") {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			add(name, "")
		}
	}
	if repeated {
		bud.cut("%s: книга перечисляет один и тот же лист несколько раз, каждый лист прочитан один раз", where)
	}
	if many {
		bud.cut("%s: прочитано листов: %d, остальные пропущены", where, maxSheets)
	}
	return out
}

// readSharedStrings reads <si> items: plain <t> or rich-text runs; phonetic
// runs (<rPh>) are skipped.
func readSharedStrings(b []byte) []string {
	d := xml.NewDecoder(bytes.NewReader(b))
	var out []string
	var cur strings.Builder
	in, skip, inT := false, 0, false
	for len(out) < 1<<20 {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				in = true
				cur.Reset()
			case "rPh":
				skip++
			case "t":
				inT = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				in = false
				out = append(out, cur.String())
			case "rPh":
				skip--
			case "t":
				inT = false
			}
		case xml.CharData:
			if in && inT && skip == 0 && cur.Len() < maxCellLen {
				cur.Write(t)
			}
		}
	}
	return out
}

type xlsxCell struct {
	row, col int
	text     string
}

// readSheet reads the cells of a worksheet into rows, repeating merged
// cells. Rows are as long as their last cell (empty rows cost nothing), and
// the cells, the text and the merged copies count against the message's
// budget; what does not fit is cut, with a note naming the sheet (where).
func readSheet(b []byte, shared []string, bud *budget, where string) [][]cell {
	d := xml.NewDecoder(bytes.NewReader(b))
	var cells []xlsxCell
	var merges []string
	var cur xlsxCell
	var typ string
	var val strings.Builder
	inV, inIS, inT := false, false, false
	rowNum, nextCol := 0, 0
	farRows := false
read:
	for len(cells) < maxRows*maxCols {
		if len(cells) >= bud.cells {
			bud.takeCells(bud.cells+1, where) // the note
			break
		}
		if bud.expired(where) {
			break
		}
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				rowNum++
				if r, err := strconv.Atoi(attr(t, "r")); err == nil && r > 0 {
					rowNum = r
				}
				nextCol = 0
			case "c":
				cur = xlsxCell{row: rowNum, col: nextCol}
				if r, c, ok := cellRef(attr(t, "r")); ok {
					cur.row, cur.col = r, c
				}
				nextCol = cur.col + 1
				typ = attr(t, "t")
				val.Reset()
			case "v":
				inV = true
			case "is":
				inIS = true
			case "t":
				inT = true
			case "mergeCell":
				if len(merges) < maxRows*maxCols {
					merges = append(merges, attr(t, "ref"))
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inT = false
			case "c":
				cur.text = cellValue(typ, val.String(), shared)
				if cur.text == "" || cur.row < 1 || cur.col >= maxCols {
					break
				}
				if cur.row > maxRows {
					farRows = true
					break
				}
				if !bud.takeText(len(cur.text), where) {
					break read
				}
				cells = append(cells, cur)
			}
		case xml.CharData:
			if (inV || (inIS && inT)) && val.Len() < maxCellLen {
				val.Write(t)
			}
		}
	}
	if farRows {
		bud.cut("%s: прочитаны только первые %d строк", where, maxRows)
	}
	if len(cells) == 0 {
		return nil
	}
	nrows, ncols := 0, 0
	for _, c := range cells {
		nrows, ncols = max(nrows, c.row), max(ncols, c.col+1)
	}
	rowLen := make([]int, nrows)
	for _, c := range cells {
		rowLen[c.row-1] = max(rowLen[c.row-1], c.col+1)
	}
	// Merged ranges, clipped to the cells read; their copies count against
	// the budget too, and the ranges past it are not repeated.
	type rect struct{ r1, c1, r2, c2 int }
	var rects []rect
	area, total := 0, 0
	for _, n := range rowLen {
		total += n
	}
	for _, m := range merges {
		a, b, ok := strings.Cut(m, ":")
		if !ok {
			continue
		}
		r1, c1, ok1 := cellRef(a)
		r2, c2, ok2 := cellRef(b)
		if !ok1 || !ok2 || r1 > r2 || c1 > c2 || r1 > nrows || c1 >= ncols {
			continue
		}
		r2, c2 = min(r2, nrows), min(c2, ncols-1)
		if area += (r2 - r1 + 1) * (c2 - c1 + 1); total+area > bud.cells {
			bud.cut("%s: объединённые ячейки повторены не все — превышен предел в %d ячеек таблиц на одно письмо", where, maxMessageCells)
			break
		}
		rects = append(rects, rect{r1, c1, r2, c2})
		for r := r1; r <= r2; r++ {
			rowLen[r-1] = max(rowLen[r-1], c2+1)
		}
	}
	// The rows that fit in the cell budget.
	total = 0
	short := false
	for i, n := range rowLen {
		if total+n > bud.cells {
			nrows, rowLen, short = i, rowLen[:i], true
			break
		}
		total += n
	}
	bud.cells -= total
	if short {
		bud.takeCells(bud.cells+1, where) // the note; nothing is left
	}
	if nrows == 0 {
		return nil
	}
	backing := make([]cell, total)
	rows := make([][]cell, nrows)
	off := 0
	for i, n := range rowLen {
		rows[i] = backing[off : off+n : off+n]
		off += n
	}
	for _, c := range cells {
		if c.row <= nrows {
			rows[c.row-1][c.col].text = c.text
		}
	}
	for _, m := range rects {
		if m.r1 > nrows {
			continue
		}
		text := rows[m.r1-1][m.c1].text
		for r := m.r1; r <= min(m.r2, nrows); r++ {
			for c := m.c1; c <= m.c2; c++ {
				if r == m.r1 && c == m.c1 {
					continue
				}
				rows[r-1][c] = cell{text: text, span: c > m.c1}
			}
		}
	}
	return rows
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// cellRef parses "B12" into row 12, column 1 (0-based).
func cellRef(ref string) (row, col int, ok bool) {
	i := 0
	col = 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
		if col > 16384 {
			return 0, 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 {
		return 0, 0, false
	}
	return row, col - 1, true
}

func cellValue(typ, v string, shared []string) string {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(shared) {
			return ""
		}
		return shared[i]
	case "inlineStr", "str", "e":
		return v
	case "b":
		if v == "1" {
			return "TRUE"
		}
		return "FALSE"
	}
	// A number: phones typed without separators are stored as 7.9123456789E10.
	if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return v
}
