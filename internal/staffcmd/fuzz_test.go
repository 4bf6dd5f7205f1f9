package staffcmd

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks the contract on any input: no panic; every command has a
// known name, a line inside the reply and Raw found in it; arguments are
// canonical; every error has both messages; body and commands come from
// different lines.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "#", "#close", "#note", "#note x\ny", "# закрыть", "#123 fixed", "#defer неясно текст",
		"#reject", "#assign a@b.ru", "#assign <>", "#level Базовый", "#priority инцидент",
		"#plan 31.02.2025", "#plan завтра", "#merge #0", "#merge №12", "#take\n#assign x@y.z",
		"\ufeff#close\r\n\r\nтекст\r\n#wait", "#\xff", "#я\xffя", "#close:", "#ЗАКРЫТЬ, спасибо",
		strings.Repeat("#x\n", 30),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		cmds, body, errs := Parse(reply)
		lines := strings.Count(reply, "\n") + 1
		noteSeen := false
		for _, c := range cmds {
			if _, ok := lookupCommand(string(c.Name)); !ok {
				t.Fatalf("unknown name %q", c.Name)
			}
			if c.Line < 1 || c.Line > lines || !strings.Contains(reply, c.Raw) || !strings.HasPrefix(c.Raw, "#") {
				t.Fatalf("bad line or Raw: %+v", c)
			}
			for _, a := range c.Args {
				if a == "" {
					t.Fatalf("empty argument: %+v", c)
				}
			}
			switch c.Name {
			case Defer, Reject:
				if _, ok := lookupReason(c.Args[0]); !ok {
					t.Fatalf("non-canonical reason %+v", c)
				}
			case Priority:
				if _, ok := lookupPriority(c.Args[0]); !ok || c.Args[0] != fold(c.Args[0]) {
					t.Fatalf("non-canonical priority %+v", c)
				}
			case Level:
				if !validLevel(c.Args[0]) {
					t.Fatalf("bad level %+v", c)
				}
			case Note:
				noteSeen = true
				if c.Text == "" {
					t.Fatalf("empty note %+v", c)
				}
			}
		}
		if noteSeen && body != "" {
			t.Fatalf("body %q after a note", body)
		}
		for _, e := range errs {
			if e.Text("en") == "" || e.Text("ru") == "" || e.Line < 1 || e.Line > lines {
				t.Fatalf("bad error %+v", e)
			}
		}
		if len(errs) > maxErrors+1 {
			t.Fatalf("%d errors", len(errs))
		}
		if utf8.ValidString(reply) && !utf8.ValidString(body) {
			t.Fatalf("invalid UTF-8 body from valid input")
		}
		if body != "" && !strings.Contains(strings.ReplaceAll(reply, "\r\n", "\n"), body) {
			t.Fatalf("body %q is not a part of the reply", body)
		}
	})
}
