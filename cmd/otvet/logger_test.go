package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoggerUnderJournal: under journald the log leaves its own timestamp out.
func TestLoggerUnderJournal(t *testing.T) {
	for _, tc := range []struct {
		name, stream, format string
		wantTime             bool
	}{
		{"terminal text", "", "text", true},
		{"terminal json", "", "json", true},
		{"journal text", "8:12345", "text", false},
		{"journal json", "8:12345", "json", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			e := &env{Stderr: &buf, Getenv: func(k string) string {
				if k == "JOURNAL_STREAM" {
					return tc.stream
				}
				return ""
			}}
			envLogger(e, "info", tc.format).Info("desk up", "desk", "sd")
			line := buf.String()
			if got := strings.Contains(line, "time"); got != tc.wantTime {
				t.Errorf("time in %q: %v, want %v", line, got, tc.wantTime)
			}
			if !strings.Contains(line, "desk up") || !strings.Contains(line, "sd") {
				t.Errorf("line %q lost its message", line)
			}
		})
	}
}

// TestUnderJournalChecksTheFile: a file must be the stream JOURNAL_STREAM names.
func TestUnderJournalChecksTheFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	st := fi.Sys().(*syscall.Stat_t)
	if !underJournal(fmt.Sprintf("%d:%d", st.Dev, st.Ino), f) {
		t.Error("the announced stream is not recognised")
	}
	if underJournal(fmt.Sprintf("%d:%d", st.Dev, st.Ino+1), f) {
		t.Error("another file is taken for the journal")
	}
}
