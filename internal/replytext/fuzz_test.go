package replytext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract checks the contract on any input: no panic, every line of
// Reply, Quoted and Signature is found in the input, and Reply is empty only
// for a blank input.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		"", "\n\n", ">", "> a\nb", "--", "-- \n", "a\n-- ", "С уважением", "a\nС уважением,",
		"On\nwrote:", "1\n:", "2024 wrote:\n>", "От: a\nОтправлено: b\nКому: c", "____________\nFrom: a\nSent: b\nTo: c",
		"a\r\n> b\r\nc", "a\rb\r\r", "x\xff\n> \xfe", "a\n\u00a0\n>\u00a0b", "a\n---------- Forwarded message ---------\n> b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := Extract(in)
		checkContract(t, in, r)
		if strings.TrimSpace(r.Quoted+r.Signature) == "" && r.Reply != strings.TrimSpace(in) {
			// Nothing was cut: Reply may only differ by blank lines and trailing blanks.
			if squeeze(r.Reply) != squeeze(in) {
				t.Fatalf("nothing cut but Reply changed: %q -> %q", in, r.Reply)
			}
		}
	})
}

// squeeze drops all white space, for comparing texts that differ only in it.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}
