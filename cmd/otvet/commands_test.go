package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCommandHasHelp walks the command table: every command and
// subcommand prints its own help and exits 0 for CMD --help, CMD -h and
// help CMD; an unknown subcommand is a usage error (exit 2).
func TestEveryCommandHasHelp(t *testing.T) {
	type entry struct {
		path []string
		c    *command
	}
	var all []entry
	for _, c := range commands() {
		all = append(all, entry{[]string{c.name}, c})
		for _, s := range c.subs {
			all = append(all, entry{[]string{c.name, s.name}, s})
		}
	}
	for _, en := range all {
		name := strings.Join(en.path, " ")
		t.Run(name, func(t *testing.T) {
			if en.c.summary == "" {
				t.Error("no summary")
			}
			if (en.c.run == nil) == (len(en.c.subs) == 0) {
				t.Error("a command either runs or has subcommands")
			}
			for _, args := range [][]string{
				append(append([]string{}, en.path...), "--help"),
				append(append([]string{}, en.path...), "-h"),
				append([]string{"help"}, en.path...),
			} {
				out, _, err := otvet(t, args...)
				if err != nil {
					t.Errorf("%v: %v", args, err)
					continue
				}
				if !strings.HasPrefix(out, "usage: otvet "+name) {
					t.Errorf("%v: the help does not start with its usage:\n%s", args, out)
				}
				if !strings.Contains(out, "--config FILE") {
					t.Errorf("%v: the help does not name the global flags:\n%s", args, out)
				}
				for _, s := range en.c.subs {
					if !strings.Contains(out, "  "+s.name+" ") {
						t.Errorf("%v: the help does not list %s:\n%s", args, s.name, out)
					}
				}
			}
			if en.c.run == nil {
				_, _, err := otvet(t, append(append([]string{}, en.path...), "frobnicate")...)
				var ue usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), `unknown subcommand "frobnicate"`) {
					t.Errorf("unknown subcommand: %v", err)
				}
				_, _, err = otvet(t, en.path...)
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), "missing subcommand") {
					t.Errorf("missing subcommand: %v", err)
				}
			}
		})
	}
}

func TestCommandLineDispatch(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "none.yaml")
	cases := []struct {
		name  string
		args  []string
		usage bool   // exit 2
		err   string // "" : no error
		out   string
	}{
		{"global help", []string{"help"}, false, "", "tickets list"},
		{"global --help", []string{"--help"}, false, "", "org add"},
		{"version", []string{"version"}, false, "", "otvet "},
		{"--version", []string{"--version"}, false, "", "commit "},
		{"--version after a command", []string{"tickets", "--version"}, false, "", "built "},
		{"help of a subcommand", []string{"help", "org", "add"}, false, "", "--inn"},
		{"help flag among arguments", []string{"org", "update", "3", "--help", "--name", "x"}, false, "", "usage: otvet org update"},
		{"help of an unknown command", []string{"help", "frobnicate"}, true, `unknown command "frobnicate"`, ""},
		{"help of an unknown subcommand", []string{"help", "org", "frobnicate"}, true, `org: unknown subcommand "frobnicate"`, ""},
		{"help below a leaf", []string{"help", "audit", "x"}, true, "no subcommands", ""},
		{"suggestion", []string{"tickest", "list"}, true, `did you mean "tickets"`, ""},
		{"subcommand suggestion", []string{"org", "ad"}, true, `did you mean "add"`, ""},
		{"no suggestion", []string{"zzzzzzzzzz"}, true, "(the list: 'otvet help')", ""},
		{"config before the command", []string{"--config", cfg, "tickets", "list"}, false, "none.yaml", ""},
		{"config= before the command", []string{"--config=" + cfg, "tickets", "list"}, false, "none.yaml", ""},
		{"config after the command", []string{"tickets", "list", "--config", cfg}, false, "none.yaml", ""},
		{"config between arguments", []string{"org", "show", "--config", cfg, "3"}, false, "none.yaml", ""},
		{"config without a value", []string{"tickets", "list", "--config"}, true, "--config needs a value", ""},
		{"version with a value", []string{"--version=1"}, true, "no value", ""},
		{"version with an argument", []string{"version", "x"}, true, "unexpected argument", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := otvet(t, c.args...)
			var ue usageError
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("error %v, want one mentioning %q", err, c.err)
			case err != nil && errors.As(err, &ue) != c.usage:
				t.Errorf("usage error %v, want %v: %v", errors.As(err, &ue), c.usage, err)
			}
			if !strings.Contains(out, c.out) {
				t.Errorf("output lacks %q:\n%s", c.out, out)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	root := &command{subs: commands()}
	for in, want := range map[string]string{
		"tiket": "tickets", "registr": "registration", "calender": "calendar", "usr": "user", "xyzzy": "", "": "",
	} {
		if got := suggest(root, in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
