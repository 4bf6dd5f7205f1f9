package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/demo"
)

// The list commands (kb, reply-template, contractor) print a table and,
// with --json, one JSON array with snake_case names (the shared listing).
func TestListCommands(t *testing.T) {
	dir := t.TempDir()
	res, err := demo.Run(context.Background(), demo.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.ConfigPath
	article := filepath.Join(dir, "printer.md")
	canned := filepath.Join(dir, "thanks.md")
	if err := os.WriteFile(article, []byte("---\ntitle: Не печатает принтер\nsystems: [Windows]\n---\nПроверьте кабель.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(canned, []byte("---\ntitle: Благодарность\n---\nСпасибо за обращение!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, "kb", "add", article, "--config", cfg)
	must(t, "reply-template", "add", canned, "--config", cfg)
	must(t, "contractor", "add", "--name", "medsoft", "--address", "support@medsoft.example", "--systems", "МИС", "--config", cfg)
	for _, c := range []struct {
		args      []string
		head, row string
		jsonKey   string
	}{
		{[]string{"kb", "list"}, "NAME", "Не печатает принтер", "slug"},
		{[]string{"reply-template", "list"}, "TITLE", "Благодарность", "title"},
		{[]string{"contractor", "list"}, "RESPONSE", "support@medsoft.example", "response_minutes"},
	} {
		out := must(t, append(c.args, "--config", cfg)...)
		if lines := strings.Split(out, "\n"); !strings.Contains(lines[0], c.head) || !strings.Contains(out, c.row) {
			t.Errorf("%v:\n%s", c.args, out)
		}
		var rows []map[string]any
		mustJSON(t, &rows, append(c.args, "--json", "--config", cfg)...)
		if len(rows) == 0 || rows[len(rows)-1][c.jsonKey] == nil {
			t.Errorf("%v --json: %v", c.args, rows)
		}
	}
}
