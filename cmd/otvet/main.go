// Command otvet is an email-driven helpdesk.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
	}
	if err := run(ctx, e, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "otvet:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// env is what a command may touch of the outside world. Tests build their own.
type env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Log is set by run before a command starts.
	Log *slog.Logger
}

// usageError marks a bad command line: the process exits with status 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"audit":        {"directory audit events: audit [--since DATE|DURATION] [--json]", cmdAudit},
		"calendar":     {"business time on the Russian production calendar", cmdCalendar},
		"config":       {"check the configuration: config check", cmdConfig},
		"demo":         {"the whole flow in-process, no setup needed", cmdDemo},
		"digest":       {"a manager's SLA digest: digest --period day|week|month [--print | --to EMAIL]", cmdDigest},
		"directory":    {"the directory: directory import FILE.yaml|block-all|unblock-all|status", cmdDirectory},
		"maintenance":  {"announced maintenance windows: maintenance add|list|end|remove", cmdMaintenance},
		"migrate":      {"bring the database schema up to date", cmdMigrate},
		"org":          {"organisations: org add|list|show|update|block|unblock", cmdOrg},
		"outbox":       {"outgoing mail: outbox list", cmdOutbox},
		"plan":         {"visits planned for a working day: plan [DATE] [--desk NAME]", cmdPlan},
		"poll":         {"one pass over every mailbox: poll --once", cmdPoll},
		"report":       {"SLA report of a period: report sla --from D --to D [--format text|json|csv]", cmdReport},
		"registration": {"connection requests: registration list|show|edit|approve|reject", cmdRegistration},
		"rules":        {"what the intake rules decide about a message: rules test FILE.eml", cmdRules},
		"serve":        {"poll every mailbox and send mail until stopped", cmdServe},
		"staff":        {"support staff: staff add|list|disable|enable", cmdStaff},
		"tickets":      {"tickets: tickets list|show N|open --phone", cmdTickets},
		"user":         {"client users: user add|list|show|confirm|block|unblock|export", cmdUser},
	}
}

func run(ctx context.Context, e *env, args []string) error {
	if e.Log == nil {
		e.Log = slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: logLevel(e.Getenv("OTVET_LOG_LEVEL"))}))
	}
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(e.Stdout, cmds)
		if len(args) == 0 {
			return usagef("no command given")
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		return usagef("unknown command %q; run 'otvet help' for the list", args[0])
	}
	if err := c.run(ctx, e, args[1:]); !errors.Is(err, errHelpShown) {
		return err
	}
	return nil
}

func printUsage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: otvet COMMAND [ARGS]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
}

func logLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
