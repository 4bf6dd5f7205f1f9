package helpdesk_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestNoInlineTexts: the texts people read come from the message catalogue
// (mailout.Text) or the templates, never from string literals here: no
// say("…ru…", "…en…") pairs and no Russian-only strings. A literal that is
// data rather than words for a reader is listed in allowed, with why.
func TestNoInlineTexts(t *testing.T) {
	allowed := map[string]string{
		"исключён по заявке #": "removedByRequest: a stored block-reason marker matched on later requests",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	scanned := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				fn := ""
				switch f := n.Fun.(type) {
				case *ast.Ident:
					fn = f.Name
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				}
				lits := 0
				for _, a := range n.Args {
					if l, ok := a.(*ast.BasicLit); ok && l.Kind == token.STRING {
						lits++
					}
				}
				if fn == "say" && lits >= 2 {
					t.Errorf("%s: say with two string literals: put the text in the catalogue (mailout.Text)", fset.Position(n.Pos()))
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					return true
				}
				if _, ok := allowed[s]; ok {
					return true
				}
				for _, r := range s {
					if unicode.Is(unicode.Cyrillic, r) {
						t.Errorf("%s: Russian text %q in the code: put it in the catalogue (mailout.Text)", fset.Position(n.Pos()), s)
						break
					}
				}
			}
			return true
		})
	}
	if scanned < 10 {
		t.Errorf("scanned only %d files: is the test in the right directory?", scanned)
	}
}
