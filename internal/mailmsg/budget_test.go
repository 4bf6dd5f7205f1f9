package mailmsg

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// allocated returns the bytes allocated while f runs (TotalAlloc delta; it
// counts every allocation, freed or not, so it is a bound on the work).
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// limitMemory caps the heap of the test process for the rest of the test:
// a bomb that escaped its budget makes the garbage collector thrash and the
// test time out instead of passing quietly.
func limitMemory(t *testing.T, n int64) {
	old := debug.SetMemoryLimit(n)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
}

// TestHTMLNestingBomb: an HTML-only mail of ~70 KB whose lists nest
// thousands of levels deep used to be rendered with an indentation per
// level, quadratically (600 MB). It must now cost a bounded amount and say
// what was cut.
func TestHTMLNestingBomb(t *testing.T) {
	limitMemory(t, 256<<20)
	for _, tc := range []struct {
		name, html string
	}{
		{"nested lists", strings.Repeat("<ul><li>x", 7800)},
		{"nested lists closed", strings.Repeat("<ol><li>пункт", 4000) + strings.Repeat("</li></ol>", 4000)},
		{"nested divs", strings.Repeat("<div><blockquote>", 4500) + "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte("From: a@b.c\r\nSubject: bomb\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + tc.html)
			var m *Message
			start := time.Now()
			n := allocated(func() { m = mustParse(t, raw, Options{}) })
			el := time.Since(start)
			t.Logf("%d bytes of HTML: %d bytes of text, %d KB allocated, %v", len(tc.html), len(m.Text), n>>10, el)
			if n > 64<<20 {
				t.Errorf("allocated %d MB, want < 64 MB", n>>20)
			}
			if el > 10*time.Second {
				t.Errorf("took %v", el)
			}
			if len(m.Text) > DefaultMaxTextBytes {
				t.Errorf("Text is %d bytes", len(m.Text))
			}
		})
	}
	m := mustParse(t, []byte("From: a@b.c\r\nContent-Type: text/html\r\n\r\n"+strings.Repeat("<ul><li>x", 7800)), Options{})
	if !hasCut(m, "HTML list nesting cut at depth 8") {
		t.Errorf("Cuts = %q", m.Cuts)
	}
	if !strings.Contains(m.Text, "\n"+strings.Repeat("  ", 7)+"- x") || strings.Contains(m.Text, strings.Repeat("  ", 8)+"- x") {
		t.Errorf("indentation not capped at 8 levels: %q", m.Text[:200])
	}
}

func hasCut(m *Message, s string) bool {
	for _, c := range m.Cuts {
		if strings.Contains(c, s) {
			found := false
			for _, p := range m.Problems {
				found = found || p == c
			}
			return found
		}
	}
	return false
}

func TestHTMLToTextBudget(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		max    int
		cut    string // "" when nothing is cut
		maxLen int
	}{
		{"small", "<p>a</p>", 100, "", 100},
		{"output cut", strings.Repeat("<p>слово</p>", 1000), 1000, "text rendered from HTML cut at 1000 bytes", 1000},
		{"list depth", strings.Repeat("<ul><li>x", 20), 1 << 20, "HTML list nesting cut at depth 8 (the message nests 20 levels)", 1 << 20},
		{"list depth 8 is fine", strings.Repeat("<ul><li>x", 8), 1 << 20, "", 1 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, cuts := htmlToText(tc.in, tc.max)
			if len(out) > tc.maxLen {
				t.Errorf("len = %d", len(out))
			}
			got := strings.Join(cuts, "; ")
			if got != tc.cut {
				t.Errorf("cuts = %q, want %q", got, tc.cut)
			}
		})
	}
}

// TestTextPartsBudget: many text parts together are cut at twice
// MaxTextBytes, and the Message says so.
func TestTextPartsBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "--b\r\nContent-Type: text/plain\r\n\r\n%s\r\n", strings.Repeat("z", 1000))
	}
	b.WriteString("--b--\r\n")
	m := mustParse(t, []byte(b.String()), Options{MaxTextBytes: 10000})
	if len(m.Text) > 10000 {
		t.Errorf("Text is %d bytes", len(m.Text))
	}
	if !hasCut(m, "text parts past 20000 bytes in total not read") || !hasCut(m, "text parts together truncated to 10000 bytes") {
		t.Errorf("Cuts = %q", m.Cuts)
	}
}
