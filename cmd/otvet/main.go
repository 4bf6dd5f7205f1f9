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
	"strings"
	"syscall"

	"github.com/otvet/otvet/internal/helpdesk"
)

func main() {
	if os.Getenv(helpdesk.ProbeEnv) == "1" { // a probe child of intake's poison-message guard
		os.Exit(helpdesk.ProbeChild(os.Stdin))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Probe:  selfProbe(),
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
	// Probe runs a suspect message in a separate otvet process (nil in tests: see quarantine.go).
	Probe helpdesk.Probe
	// Log is set by run before a command starts.
	Log *slog.Logger
	// Config is the global --config flag, given before or after the command.
	Config string
	// helpOnly marks the run of a command that only prints its flags for
	// its help: it must not open a configuration or change anything.
	helpOnly bool
}

// usageError marks a bad command line: the process exits with status 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

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
