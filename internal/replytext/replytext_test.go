package replytext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus runs Extract over testdata/*.txt and compares Reply with the
// hand-written testdata/*.want next to each case.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("corpus has %d cases, want at least 20", len(files))
	}
	for _, name := range files {
		base := strings.TrimSuffix(filepath.Base(name), ".txt")
		t.Run(base, func(t *testing.T) {
			in, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(name, ".txt") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			got := Extract(string(in))
			if w := strings.TrimSuffix(string(want), "\n"); got.Reply != w {
				t.Errorf("Reply:\n%s\n--- want:\n%s\n--- Quoted:\n%s\n--- Signature:\n%s", got.Reply, w, got.Quoted, got.Signature)
			}
			checkContract(t, string(in), got)
		})
	}
}

// checkContract checks what holds for every input: every line of Reply,
// Quoted and Signature is found in the input, and Reply is empty only when
// the input is blank.
func checkContract(t *testing.T, in string, r Result) {
	t.Helper()
	norm := strings.ReplaceAll(in, "\r", "\n")
	if strings.Contains(r.Reply+r.Quoted+r.Signature, "\r") {
		t.Fatalf("CR in result %+v", r)
	}
	for _, part := range []struct{ name, s string }{{"Reply", r.Reply}, {"Quoted", r.Quoted}, {"Signature", r.Signature}} {
		for _, l := range strings.Split(part.s, "\n") {
			if !strings.Contains(norm, l) {
				t.Fatalf("%s line %q is not in the input %q", part.name, l, in)
			}
		}
	}
	if r.Reply == "" && strings.TrimSpace(in) != "" {
		t.Fatalf("empty Reply for non-blank input %q", in)
	}
	if r.Reply != strings.TrimSpace(r.Reply) {
		t.Fatalf("Reply not trimmed: %q", r.Reply)
	}
}
