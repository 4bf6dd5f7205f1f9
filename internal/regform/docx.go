package regform

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
)

// docxGrids reads the tables of a DOCX document (the request form filled
// in Word and attached) and its text: paragraphs as lines, table rows as
// cells joined by " | ". Merged cells (gridSpan, vMerge) are repeated as in
// HTML tables. The cells and the text count against the message's budget.
func docxGrids(data []byte, bud *budget, where string) ([]grid, string, error) {
	files, err := openZip(data)
	if err != nil {
		return nil, "", err
	}
	f := files["word/document.xml"]
	if f == nil {
		return nil, "", errNotZip
	}
	b, err := readZipFile(f, bud, where)
	if err != nil {
		return nil, "", err
	}
	return readDocument(b, bud, where)
}

func readDocument(b []byte, bud *budget, where string) ([]grid, string, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var (
		grids             []grid
		text, para, cellB strings.Builder
		rows              [][]cell
		row               []cell
		depth             int // table nesting
		inT               bool
		span              int
		vmerge            string // "", "restart" or "continue"
		lastPara          string
	)
	for !bud.exhausted() && !bud.expired(where) {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tbl":
				depth++
				if depth == 1 {
					rows = nil
				}
			case "tr":
				if depth == 1 {
					row = nil
				}
			case "tc":
				if depth == 1 {
					cellB.Reset()
					span, vmerge = 1, ""
				}
			case "gridSpan":
				if depth == 1 {
					if n, err := strconv.Atoi(attr(t, "val")); err == nil && n > 1 {
						span = min(n, maxCols)
					}
				}
			case "vMerge":
				if depth == 1 {
					vmerge = attr(t, "val")
					if vmerge == "" {
						vmerge = "continue"
					}
				}
			case "t":
				inT = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				para.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT = false
			case "p":
				line := para.String()
				para.Reset()
				if depth == 0 {
					if l := collapse(line); l != "" && bud.takeText(len(l)+1, where) {
						text.WriteString(l + "\n")
						lastPara = l
					}
				} else if cellB.Len() < maxCellLen {
					cellB.WriteString(line + "\n")
				}
			case "tc":
				if depth != 1 || len(row) >= maxCols {
					continue
				}
				ct := strings.TrimSpace(cellB.String())
				col := len(row)
				if vmerge == "continue" && len(rows) > 0 && col < len(rows[len(rows)-1]) {
					above := rows[len(rows)-1][col]
					ct = above.text
				}
				n := min(span, maxCols-len(row))
				if !bud.takeCells(n, where) || !bud.takeText(len(ct), where) {
					continue
				}
				for k := 0; k < n; k++ {
					row = append(row, cell{text: ct, span: k > 0})
				}
			case "tr":
				if depth == 1 && len(rows) < maxRows {
					rows = append(rows, row)
					var parts []string
					for _, c := range row {
						if !c.span {
							parts = append(parts, collapse(c.text))
						}
					}
					if line := strings.Join(parts, " | ") + "\n"; bud.takeText(len(line), where) {
						text.WriteString(line)
					}
				} else if depth == 1 {
					bud.cut("%s: прочитаны только первые %d строк таблицы", where, maxRows)
				}
			case "tbl":
				if depth == 1 {
					grids = append(grids, grid{rows: rows, before: lastPara})
					lastPara = ""
				}
				depth--
			}
		case xml.CharData:
			if inT && para.Len() < maxCellLen {
				para.Write(t)
			}
		}
	}
	return grids, text.String(), nil
}
