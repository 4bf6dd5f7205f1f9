package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode"

	"github.com/otvet/otvet/internal/config"
)

// globalFlags are the flags every command accepts, before or after its name.
type globalFlags struct {
	config  string
	version bool
}

// globalHelp describes the global flags in every help text.
const globalHelp = `global flags (before or after the command):
  --config FILE   configuration file (default $OTVET_CONFIG, else ./config.yaml)
  --version       print the version and exit
  -h, --help      print the help of the command and exit`

// splitGlobal takes the global flags out of args wherever they are (up to
// a "--", after which everything is an argument of the command).
func splitGlobal(args []string) (globalFlags, []string, error) {
	var g globalFlags
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, val, hasVal := strings.Cut(a, "=")
		switch name {
		case "--config", "-config":
			if !hasVal {
				if i+1 >= len(args) {
					return g, nil, usagef("--config needs a value: --config FILE")
				}
				i++
				val = args[i]
			}
			if strings.TrimSpace(val) == "" {
				return g, nil, usagef("--config needs a file name")
			}
			g.config = val
		case "--version", "-version":
			if hasVal {
				return g, nil, usagef("--version takes no value")
			}
			g.version = true
		default:
			rest = append(rest, a)
		}
	}
	return g, rest, nil
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// wantsHelp tells whether a command's arguments ask for its help.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelp(a) {
			return true
		}
	}
	return false
}

// run is the whole command line: global flags, the command table, help.
func run(ctx context.Context, e *env, args []string) error {
	if e.Log == nil {
		e.Log = envLogger(e, e.Getenv("OTVET_LOG_LEVEL"), "text")
	}
	g, args, err := splitGlobal(args)
	if err != nil {
		return err
	}
	e.Config = g.config
	if g.version {
		return cmdVersion(ctx, e, nil)
	}
	root := &command{name: "otvet", summary: "an email-driven helpdesk", subs: commands()}
	if len(args) == 0 {
		printHelp(ctx, e.Stderr, nil, root)
		return usagef("no command given")
	}
	if args[0] == "help" {
		path, c, err := lookup(root, args[1:])
		if err != nil {
			return err
		}
		printHelp(ctx, e.Stdout, path, c)
		return nil
	}
	c, path := root, []string{}
	for c.run == nil {
		if len(args) == 0 {
			printHelp(ctx, e.Stderr, path, c)
			return usagef("%s: missing subcommand; usage: %s", strings.Join(path, " "), subList(path, c))
		}
		if isHelp(args[0]) {
			printHelp(ctx, e.Stdout, path, c)
			return nil
		}
		next := c.find(args[0])
		if next == nil {
			return unknown(path, c, args[0])
		}
		c, path, args = next, append(path, next.name), args[1:]
	}
	if wantsHelp(args) {
		printHelp(ctx, e.Stdout, path, c)
		return nil
	}
	if err := c.run(ctx, e, args); !errors.Is(err, errHelpShown) {
		return err
	}
	return nil
}

func (c *command) find(name string) *command {
	for _, s := range c.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// lookup finds the command that names (after "help") point to.
func lookup(root *command, names []string) ([]string, *command, error) {
	c, path := root, []string{}
	for _, n := range names {
		if c.run != nil {
			return nil, nil, usagef("%s has no subcommands", strings.Join(path, " "))
		}
		next := c.find(n)
		if next == nil {
			return nil, nil, unknown(path, c, n)
		}
		c, path = next, append(path, n)
	}
	return path, c, nil
}

// unknown is the usage error of a name that is not a (sub)command of c,
// with the closest name as a suggestion.
func unknown(path []string, c *command, name string) error {
	what, help := "command", "otvet help"
	if len(path) > 0 {
		what = strings.Join(path, " ") + ": unknown subcommand"
		help = "otvet help " + strings.Join(path, " ")
	} else {
		what = "unknown command"
	}
	msg := fmt.Sprintf("%s %q", what, name)
	if s := suggest(c, name); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return usagef("%s (the list: '%s')", msg, help)
}

// suggest is the name of c's subcommand closest to name, or "" when none is close.
func suggest(c *command, name string) string {
	if strings.TrimSpace(name) == "" {
		return ""
	}
	best, bestD := "", 0
	for _, s := range c.subs {
		d := config.EditDistance(strings.ToLower(name), s.name)
		if strings.HasPrefix(s.name, strings.ToLower(name)) && len(name) >= 2 {
			d = 1
		}
		if best == "" || d < bestD {
			best, bestD = s.name, d
		}
	}
	if best == "" || bestD > max(2, len([]rune(name))/3) {
		return ""
	}
	return best
}

// usageLine is "otvet PATH USAGE".
func usageLine(path []string, c *command) string {
	parts := append([]string{"otvet"}, path...)
	switch {
	case c.run == nil && len(path) == 0:
		parts = append(parts, "COMMAND [SUBCOMMAND] [ARGS]")
	case c.run == nil:
		parts = append(parts, "SUBCOMMAND [ARGS]")
	case c.usage != "":
		parts = append(parts, c.usage)
	}
	return strings.Join(parts, " ")
}

// subList names the subcommands of a group, for a usage error.
func subList(path []string, c *command) string {
	names := make([]string, 0, len(c.subs))
	for _, s := range c.subs {
		names = append(names, s.name)
	}
	return fmt.Sprintf("otvet %s %s", strings.Join(path, " "), strings.Join(names, "|"))
}

// printHelp prints the help of the command at path: its usage, summary,
// subcommands or flags, and the global flags.
func printHelp(ctx context.Context, w io.Writer, path []string, c *command) {
	fmt.Fprintf(w, "usage: %s\n\n", usageLine(path, c))
	if len(path) > 0 {
		fmt.Fprintf(w, "%s.\n", capitalize(strings.TrimSuffix(c.summary, ".")))
	} else {
		fmt.Fprintf(w, "otvet is %s.\n", c.summary)
	}
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", c.help)
	}
	if c.run == nil {
		if len(path) == 0 {
			fmt.Fprintln(w, "\ncommands:")
		} else {
			fmt.Fprintln(w, "\nsubcommands:")
		}
		width := 0
		lines := [][2]string{}
		for _, s := range c.subs {
			if s.run != nil || len(path) > 0 {
				lines = append(lines, [2]string{s.name, s.summary})
				continue
			}
			for _, ss := range s.subs {
				lines = append(lines, [2]string{s.name + " " + ss.name, ss.summary})
			}
		}
		for _, l := range lines {
			width = max(width, len(l[0]))
		}
		for _, l := range lines {
			fmt.Fprintf(w, "  %-*s  %s\n", width, l[0], l[1])
		}
		one := "COMMAND [SUBCOMMAND]"
		if len(path) > 0 {
			one = strings.Join(path, " ") + " SUBCOMMAND"
		}
		fmt.Fprintf(w, "\nThe help of one: 'otvet help %s' or 'otvet %s --help'.\n", one, one)
	} else if flags := flagHelp(ctx, c); flags != "" {
		fmt.Fprintf(w, "\nflags:\n%s", flags)
	}
	fmt.Fprintf(w, "\n%s\n", globalHelp)
}

// flagHelp runs c with --help in an environment where it cannot do
// anything (a cancelled context, no configuration, no input) to collect
// the descriptions of its flags.
func flagHelp(ctx context.Context, c *command) string {
	var b bytes.Buffer
	pctx, cancel := context.WithCancel(ctx)
	cancel()
	pe := &env{Stdin: strings.NewReader(""), Stdout: &b, Stderr: io.Discard, Getenv: func(string) string { return "" },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), helpOnly: true}
	if err := c.run(pctx, pe, []string{"--help"}); !errors.Is(err, errHelpShown) {
		return ""
	}
	return b.String()
}

// capitalize makes the first letter of s upper case.
func capitalize(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}
