package regform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

// FuzzParse feeds raw mail through mailmsg and regform: no panics, and the
// result is consistent.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Subject: Заявка на подключение\r\n\r\nФИО|E-mail|Должность\r\n|||\r\nИванов|@|x\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := mailmsg.Parse(raw, mailmsg.Options{})
		if err != nil {
			return
		}
		Detect(m)
		r, err := Parse(m)
		if r == nil {
			t.Fatal("nil Request")
		}
		if err == nil && r.Source == "" {
			t.Fatal("people found without a source")
		}
		for i, p := range r.People {
			if p.Row != i+1 || (p.Action != ActionAdd && p.Action != ActionUpdate && p.Action != ActionRemove) {
				t.Fatalf("bad person %+v", p)
			}
		}
	})
}

// FuzzReaders feeds arbitrary bytes to each table reader directly, which
// raw mail rarely reaches (zip packages especially).
func FuzzReaders(f *testing.F) {
	f.Add([]byte("ФИО;E-mail\nИванов Иван;i@x.ru\n"))
	f.Add([]byte(`<table><tr><td colspan=3 rowspan=2>ФИО</td><td>E-mail</td></tr><tr><td>x</td></tr></table>`))
	f.Add(makeXLSX(f, [][]any{{"ФИО", "E-mail"}, {"Иванов Иван", "i@x.ru"}, {nil, 1.5}}, "A1:B1", "A2:A3"))
	f.Add(sameSheetXLSX(f, 50))
	f.Fuzz(func(t *testing.T, data []byte) {
		var srcs []source
		bud := newBudget()
		// Generous but finite: a reader whose work grows faster than its
		// input (a bomb) fails here. Zip packages may legitimately inflate
		// up to the unzip budget, and XML decoding allocates per token.
		n := allocated(func() {
			g, _ := csvGrids(data, bud, "csv")
			srcs = append(srcs, source{name: SourceCSV, grids: g})
			g, _ = xlsxGrids(data, bud, "xlsx")
			srcs = append(srcs, source{name: SourceXLSX, grids: g})
			g, text, _ := docxGrids(data, bud, "docx")
			srcs = append(srcs, source{name: SourceDOCX, grids: g, text: text})
			g, _, _ = readDocument(data, bud, "document")
			srcs = append(srcs, source{name: SourceDOCX, grids: g})
			g, text = htmlGrids(string(data), bud, "html")
			srcs = append(srcs, source{name: SourceHTML, grids: g, text: text})
			srcs = append(srcs, source{name: SourceText, grids: textGrids(string(data), bud, "text")})
			readSheet(data, []string{"ФИО", "E-mail"}, bud, "sheet")
		})
		if limit := uint64(64<<20 + 16*maxMessageUnzipped + 200*len(data)); n > limit {
			t.Fatalf("readers allocated %d bytes for %d bytes of input (bound %d)", n, len(data), limit)
		}
		cells := 0
		for _, s := range srcs {
			for _, g := range s.grids {
				for _, r := range g.rows {
					cells += len(r)
				}
			}
		}
		if cells > maxMessageCells || bud.cells < 0 || bud.text < 0 || bud.unzipped < 0 || len(bud.cuts) > maxCuts {
			t.Fatalf("budget overrun: %d cells laid out, left %d cells %d text %d unzipped", cells, bud.cells, bud.text, bud.unzipped)
		}
		for _, s := range srcs {
			readPeople(s)
			findOrganisation([]string{s.text}, nil)
		}
	})
}
