package regform

import (
	"archive/zip"
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
)

// allocated returns the bytes allocated while f runs (TotalAlloc delta: it
// counts every allocation, freed or not, so it bounds the work).
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// zipOf builds a zip package of the given parts, in the order given.
func zipOf(t testing.TB, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	relsNS = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	// farCell: one cell at the far corner of the grid (row 5000, column
	// 60), which a dense grid lays out as 300,000 cells.
	farSheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ФИО</t></is></c><c r="B1" t="inlineStr"><is><t>E-mail</t></is></c></row>` +
		`<row r="5000"><c r="BH5000" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`
)

// sameSheetXLSX is the bomb of the issue: a workbook of a few kilobytes
// that lists the same far-reaching sheet n times.
func sameSheetXLSX(t testing.TB, n int) []byte {
	var wb strings.Builder
	wb.WriteString(`<workbook ` + relsNS + `><sheets>`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&wb, `<sheet name="Лист%d" r:id="rId1"/>`, i)
	}
	wb.WriteString(`</sheets></workbook>`)
	return zipOf(t,
		"xl/workbook.xml", wb.String(),
		"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Target="worksheets/s.xml"/></Relationships>`,
		"xl/worksheets/s.xml", farSheet)
}

// manySheetsXLSX: n distinct far-reaching sheets.
func manySheetsXLSX(t testing.TB, n int) []byte {
	var wb, rels strings.Builder
	wb.WriteString(`<workbook ` + relsNS + `><sheets>`)
	rels.WriteString(`<Relationships>`)
	parts := []string{}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&wb, `<sheet name="Лист%d" r:id="rId%d"/>`, i, i)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Target="worksheets/s%d.xml"/>`, i, i)
		parts = append(parts, fmt.Sprintf("xl/worksheets/s%d.xml", i), farSheet)
	}
	wb.WriteString(`</sheets></workbook>`)
	rels.WriteString(`</Relationships>`)
	return zipOf(t, append([]string{"xl/workbook.xml", wb.String(), "xl/_rels/workbook.xml.rels", rels.String()}, parts...)...)
}

// sharedTextXLSX: one long shared string in every cell of 2,000 rows.
func sharedTextXLSX(t testing.TB) []byte {
	var sh strings.Builder
	sh.WriteString(`<worksheet><sheetData>`)
	for r := 1; r <= 2000; r++ {
		fmt.Fprintf(&sh, `<row r="%d">`, r)
		for c := 0; c < 60; c++ {
			sh.WriteString(`<c t="s"><v>0</v></c>`)
		}
		sh.WriteString(`</row>`)
	}
	sh.WriteString(`</sheetData></worksheet>`)
	return zipOf(t,
		"xl/sharedStrings.xml", `<sst><si><t>`+strings.Repeat("Иванов ", 500)+`</t></si></sst>`,
		"xl/worksheets/sheet1.xml", sh.String())
}

// mergedXLSX: a merge over the whole grid of a sheet with two far cells.
func mergedXLSX(t testing.TB) []byte {
	return zipOf(t, "xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ФИО</t></is></c></row>`+
		`<row r="5000"><c r="BH5000" t="inlineStr"><is><t>x</t></is></c></row></sheetData><mergeCells>`+
		strings.Repeat(`<mergeCell ref="A1:BH5000"/>`, 100)+`</mergeCells></worksheet>`)
}

// spanDOCX: rows of one cell spanning 60 columns, each a continuation of
// the long cell above.
func spanDOCX(t testing.TB) []byte {
	var d strings.Builder
	d.WriteString(`<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="60"/></w:tcPr><w:p><w:r><w:t>` +
		strings.Repeat("Иванов ", 500) + `</w:t></w:r></w:p></w:tc></w:tr>`)
	for i := 0; i < 4000; i++ {
		d.WriteString(`<w:tr><w:tc><w:tcPr><w:gridSpan w:val="60"/><w:vMerge/></w:tcPr></w:tc></w:tr>`)
	}
	d.WriteString(`</w:tbl></w:body></w:document>`)
	return zipOf(t, "word/document.xml", d.String())
}

func attachment(name string, data []byte) *mailmsg.Message {
	return &mailmsg.Message{Subject: "Заявка на подключение", Attachments: []mailmsg.Attachment{
		{Filename: name, ContentType: "application/octet-stream", Size: int64(len(data)), Data: data}}}
}

// TestBombs: inputs whose work used to grow far beyond their size (the
// 2,000-times listed sheet took 1.7 GB at 200 listings) are read within the
// budgets of one message, quickly, and the Request says what was cut.
func TestBombs(t *testing.T) {
	old := debug.SetMemoryLimit(256 << 20)
	defer debug.SetMemoryLimit(old)
	tests := []struct {
		name string
		m    *mailmsg.Message
		cut  string // a note expected among Cuts and Problems
	}{
		{"same sheet listed 2000 times", attachment("a.xlsx", sameSheetXLSX(t, 2000)),
			"вложение «a.xlsx»: книга перечисляет один и тот же лист несколько раз, каждый лист прочитан один раз"},
		{"200 distinct far-reaching sheets", attachment("a.xlsx", manySheetsXLSX(t, 200)),
			"вложение «a.xlsx»: прочитано листов: 64, остальные пропущены"},
		{"one long shared string in 120,000 cells", attachment("a.xlsx", sharedTextXLSX(t)),
			"лист «sheet1» (вложение «a.xlsx»): прочитано не всё — превышен предел в 4 МБ текста на одно письмо"},
		{"merged cells over the whole grid", attachment("a.xlsx", mergedXLSX(t)),
			"лист «sheet1» (вложение «a.xlsx»): объединённые ячейки повторены не все — превышен предел в 200000 ячеек таблиц на одно письмо"},
		{"docx spans and vertical merges", attachment("a.docx", spanDOCX(t)),
			"вложение «a.docx»: прочитано не всё — превышен предел в 4 МБ текста на одно письмо"},
		{"html rowspan and colspan", &mailmsg.Message{HTML: `<table><tr><td rowspan=100 colspan=60>ФИО</td></tr>` + strings.Repeat("<tr>", 60000) + `</table>`},
			"HTML-текст письма: прочитаны только первые 5000 строк таблицы"},
		{"html nested 8000 deep", &mailmsg.Message{HTML: strings.Repeat("<ul><li>x", 8000)},
			"HTML-текст письма: вложенность HTML обрезана на глубине 256"},
		{"text table of empty cells", attachment("a.txt", []byte(strings.Repeat(strings.Repeat("|", 60)+"\n", 20000))),
			"вложение «a.txt»: прочитано не всё — превышен предел в 200000 ячеек таблиц на одно письмо"},
		{"csv of empty cells", attachment("a.csv", []byte(strings.Repeat(strings.Repeat(";", 19)+"\n", 20000))),
			"вложение «a.csv»: прочитаны только первые 5000 строк"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r *Request
			start := time.Now()
			n := allocated(func() {
				r, _ = Parse(tc.m)
				Detect(tc.m)
			})
			el := time.Since(start)
			t.Logf("%d KB allocated, %v; cuts %q", n>>10, el, r.Cuts)
			if n > 64<<20 {
				t.Errorf("allocated %d MB, want < 64 MB", n>>20)
			}
			if el > 10*time.Second {
				t.Errorf("took %v", el)
			}
			if !contains(r.Cuts, tc.cut) || !contains(r.Problems, tc.cut) {
				t.Errorf("want cut %q\ncuts %q\nproblems %q", tc.cut, r.Cuts, r.Problems)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSheetReadOnce: a sheet listed twice gives one grid; the order of the
// workbook is kept.
func TestSheetReadOnce(t *testing.T) {
	bud := newBudget()
	grids, err := xlsxGrids(sameSheetXLSX(t, 3), bud, "a")
	if err != nil || len(grids) != 1 {
		t.Fatalf("grids %d, err %v", len(grids), err)
	}
	if g := grids[0].rows; len(g) != 5000 || len(g[0]) != 2 || len(g[1]) != 0 || len(g[4999]) != 60 {
		t.Errorf("rows %d, widths %d %d %d", len(g), len(g[0]), len(g[1]), len(g[len(g)-1]))
	}
	if used := maxMessageCells - bud.cells; used != 62 {
		t.Errorf("cells used %d, want 62 (rows are as long as their last cell)", used)
	}
}

// TestBudgetShared: the budget is per message, shared by its attachments:
// a second attachment gets what the first left.
func TestBudgetShared(t *testing.T) {
	big := []byte(strings.Repeat(strings.Repeat("a;", 39)+"a\n", 4000)) // 160,000 cells
	m := &mailmsg.Message{Attachments: []mailmsg.Attachment{
		{Filename: "1.csv", Data: big}, {Filename: "2.csv", Data: big}}}
	r, _ := Parse(m)
	if !contains(r.Cuts, "вложение «2.csv»: прочитано не всё — превышен предел в 200000 ячеек таблиц на одно письмо") || contains(r.Cuts, "вложение «1.csv»: прочитано не всё — превышен предел в 200000 ячеек таблиц на одно письмо") {
		t.Errorf("cuts %q", r.Cuts)
	}
}
