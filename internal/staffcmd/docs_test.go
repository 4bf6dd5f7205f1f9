package staffcmd

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsTables keeps docs/replies.md honest: every command alias and
// reason alias in its tables parses to the command or code of its row.
func TestDocsTables(t *testing.T) {
	b, err := os.ReadFile("../../docs/replies.md")
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile("`([^`]+)`")
	var commands, reasons int
	for _, line := range strings.Split(string(b), "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 4 {
			continue
		}
		first := code.FindStringSubmatch(cols[1])
		if first == nil {
			continue
		}
		var names []string
		for _, m := range code.FindAllStringSubmatch(cols[1]+cols[2], -1) {
			names = append(names, m[1])
		}
		if strings.HasPrefix(first[1], "#") {
			want, ok := lookupCommand(strings.TrimPrefix(first[1], "#"))
			if !ok {
				t.Errorf("docs list unknown command %s", first[1])
				continue
			}
			for _, n := range names {
				if got, ok := lookupCommand(fold(strings.TrimPrefix(n, "#"))); !ok || got != want {
					t.Errorf("docs: %s should be an alias of #%s", n, want)
				}
			}
			commands++
			continue
		}
		if want, ok := lookupReason(first[1]); ok {
			for _, n := range names {
				if got, ok := lookupReason(fold(n)); !ok || got != want {
					t.Errorf("docs: %s should be an alias of reason %s", n, want)
				}
			}
			reasons++
		}
	}
	if commands != 24 || reasons != len(Reasons()) {
		t.Errorf("docs tables list %d commands and %d reasons, want 24 and %d", commands, reasons, len(Reasons()))
	}
}
