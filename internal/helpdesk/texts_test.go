package helpdesk_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/otvet/otvet/internal/helpdesk"
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

// TestCommandTextsFollowTheDesk: command results, failures and parse errors
// come from the catalogue in the desk's language; the audit trail keeps the
// English text.
func TestCommandTextsFollowTheDesk(t *testing.T) {
	cases := []struct {
		lang    string
		want    []string // in the confirmation mail
		wantNot []string
	}{
		{lang: "ru",
			want:    []string{"nobody@kgo66.ru — не действующий сотрудник поддержки", "неизвестная команда #frobnicate", "нет уровня поддержки «gold»"},
			wantNot: []string{"is not an active support agent", "unknown command"}},
		{lang: "en",
			want:    []string{"nobody@kgo66.ru is not an active support agent", "unknown command #frobnicate", `no support level "gold"`},
			wantNot: []string{"сотрудник", "неизвестная"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			h := newStaffHarness(t, func(o *helpdesk.Options) { o.Desks[0].Language = c.lang })
			id := h.newTicket()
			h.command(agent1, "#frobnicate") // a reply with a line that does not parse is held whole
			unknown := h.result(agent1).Text
			h.command(agent1, "#assign nobody@kgo66.ru\n#level gold")
			r := h.result(agent1)
			r.Text += "\n" + unknown
			for _, w := range c.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("no %q in:\n%s", w, r.Text)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(r.Text, w) {
					t.Errorf("%q in:\n%s", w, r.Text)
				}
			}
			evs, err := h.db.Events(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			var failed []string
			for _, e := range evs {
				if e.Kind == "command_failed" {
					failed = append(failed, e.Detail)
				}
			}
			if got := strings.Join(failed, "\n"); !strings.Contains(got, "#assign nobody@kgo66.ru: nobody@kgo66.ru is not an active support agent") {
				t.Errorf("the audit trail has no English failure:\n%s", got)
			}
		})
	}
}
