package regform

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxDepth bounds the recursion over the HTML tree.
const maxDepth = 256

// htmlGrids finds every table of an HTML body (Outlook and Word nest
// <p>/<span> in cells, merge header cells and leave empty rows) and renders
// the body as text lines, cells joined by " | ", for the organisation's
// details. The cells and the text count against the message's budget;
// elements nested deeper than maxDepth are left out (noted).
func htmlGrids(src string, bud *budget, where string) ([]grid, string) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		// The parser refuses documents nested deeper than 512 elements:
		// parse the document again without the elements below maxDepth.
		doc, err = html.Parse(strings.NewReader(flattenHTML(src, maxDepth)))
		if err != nil {
			bud.cut("%s не прочитан: HTML не разобран (%v)", where, err)
			return nil, ""
		}
		bud.cut("%s: вложенность HTML обрезана на глубине %d", where, maxDepth)
	}
	w := &htmlWalker{bud: bud, where: where}
	w.walk(doc, 0)
	if w.deep {
		bud.cut("%s: вложенность HTML обрезана на глубине %d", where, maxDepth)
	}
	return w.grids, w.text.String()
}

type htmlWalker struct {
	grids    []grid
	text     strings.Builder
	tableEnd int // text length when the last table ended
	bud      *budget
	where    string
	deep     bool // elements deeper than maxDepth were left out
}

func (w *htmlWalker) newline() {
	s := w.text.String()
	if len(s) > 0 && s[len(s)-1] != '\n' {
		w.text.WriteByte('\n')
	}
}

func (w *htmlWalker) walk(n *html.Node, depth int) {
	if depth > maxDepth {
		w.deep = true
		return
	}
	if w.bud.exhausted() || w.bud.expired(w.where) {
		return
	}
	switch n.Type {
	case html.TextNode:
		if t := collapse(n.Data); t != "" && w.bud.takeText(len(t)+1, w.where) {
			s := w.text.String()
			if len(s) > 0 && s[len(s)-1] != '\n' && s[len(s)-1] != ' ' {
				w.text.WriteByte(' ')
			}
			w.text.WriteString(t)
		}
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head, atom.Title:
			return
		case atom.Table:
			before := ""
			if w.text.Len() > w.tableEnd {
				before = lastLine(w.text.String()[w.tableEnd:])
			}
			w.grids = append(w.grids, grid{rows: buildHTMLGrid(n, w.bud, w.where), before: before})
			w.newline()
		case atom.Td, atom.Th:
			if n.PrevSibling != nil {
				w.text.WriteString(" | ")
			}
		case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			w.newline()
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	if n.Type == html.ElementNode {
		switch n.DataAtom {
		case atom.Table:
			w.newline()
			w.tableEnd = w.text.Len()
		case atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			w.newline()
		}
	}
}

// flattenHTML rewrites src without the tags opened below depth levels of
// nesting (their text is kept). Implied end tags make the count an
// overestimate, which only drops more tags.
func flattenHTML(src string, depth int) string {
	var b strings.Builder
	b.Grow(len(src))
	z := html.NewTokenizer(strings.NewReader(src))
	open := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElement(atom.Lookup(name)) {
				open++
				if open > depth {
					continue
				}
			}
		case html.EndTagToken:
			open--
			if open >= depth {
				continue
			}
			open = max(open, 0)
		}
		b.Write(z.Raw())
	}
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input, atom.Link,
		atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

func lastLine(s string) string {
	for s != "" {
		i := strings.LastIndexByte(s, '\n')
		if t := strings.TrimSpace(s[i+1:]); t != "" {
			return t
		}
		if i < 0 {
			break
		}
		s = s[:i]
	}
	return ""
}

// tableRows lists the <tr> of a table, not of tables nested in it.
func tableRows(t *html.Node) []*html.Node {
	var rows []*html.Node
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		for c := n.FirstChild; c != nil && depth < maxDepth; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				rows = append(rows, c)
			case atom.Table:
			default:
				visit(c, depth+1)
			}
		}
	}
	visit(t, 0)
	return rows
}

type carry struct {
	text string
	left int
	span bool
}

// buildHTMLGrid lays the cells of a table out on a grid, repeating merged
// cells: colspan copies are marked span, rowspan copies are plain.
func buildHTMLGrid(t *html.Node, bud *budget, where string) [][]cell {
	trs := tableRows(t)
	if len(trs) > maxRows {
		trs = trs[:maxRows]
		bud.cut("%s: прочитаны только первые %d строк таблицы", where, maxRows)
	}
	var out [][]cell
	carries := map[int]carry{}
	for _, tr := range trs {
		if bud.exhausted() || bud.expired(where) {
			break
		}
		var row []cell
		col := 0
		fill := func() {
			for col < maxCols {
				c, ok := carries[col]
				if !ok || c.left <= 0 {
					return
				}
				row = append(row, cell{text: c.text, span: c.span})
				c.left--
				carries[col] = c
				col++
			}
		}
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type != html.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
				continue
			}
			fill()
			cs := clampAttr(td, "colspan", maxCols)
			rs := clampAttr(td, "rowspan", 100)
			text := cellText(td)
			if !bud.takeText(len(text), where) {
				break
			}
			for k := 0; k < cs && col < maxCols; k++ {
				row = append(row, cell{text: text, span: k > 0})
				if rs > 1 {
					carries[col] = carry{text: text, left: rs - 1, span: k > 0}
				} else {
					delete(carries, col)
				}
				col++
			}
		}
		for col < maxCols {
			last := -1
			for k, c := range carries {
				if k >= col && c.left > 0 && k > last {
					last = k
				}
			}
			if last < 0 {
				break
			}
			if c, ok := carries[col]; ok && c.left > 0 {
				fill()
			} else {
				row = append(row, cell{})
				col++
			}
		}
		if !bud.takeCells(len(row), where) {
			break
		}
		out = append(out, row)
	}
	return out
}

func clampAttr(n *html.Node, name string, limit int) int {
	for _, a := range n.Attr {
		if a.Key == name {
			v, err := strconv.Atoi(strings.TrimSpace(a.Val))
			if err != nil || v < 1 {
				return 1
			}
			return min(v, limit)
		}
	}
	return 1
}

// cellText is the text of a cell, paragraphs and <br> as line breaks,
// nested tables left out.
func cellText(td *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > maxDepth || b.Len() > maxCellLen {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Table, atom.Script, atom.Style:
				return
			case atom.Br:
				b.WriteByte('\n')
				return
			case atom.P, atom.Div, atom.Li:
				b.WriteByte('\n')
				defer b.WriteByte('\n')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(td, 0)
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = collapse(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
