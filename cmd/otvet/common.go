package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/store"
)

// newFlags makes a flag set whose errors become usage errors (exit status 2).
// The flag package prints nothing itself: a bad flag is reported once, by
// main, and -h/--help prints the flags on standard output (parseFlags).
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(&flagSink{e: e, usage: usage})
	fs.Usage = func() {}
	return fs
}

// flagSink is a flag set's output: it swallows what the flag package
// prints of an error (the error is returned and printed once) and holds
// what parseFlags needs to print the help.
type flagSink struct {
	e     *env
	usage string
}

func (*flagSink) Write(p []byte) (int, error) { return len(p), nil }

// printFlagHelp prints a flag set's usage line and flags on standard output.
func printFlagHelp(fs *flag.FlagSet) {
	sink, ok := fs.Output().(*flagSink)
	if !ok {
		return
	}
	w := sink.e.Stdout
	if !sink.e.helpOnly { // the help of the command table prints its own usage line
		fmt.Fprintf(w, "usage: otvet %s\n", sink.usage)
	}
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" { // a global flag, described once by the help
			return
		}
		single := flag.NewFlagSet("", flag.ContinueOnError)
		single.SetOutput(w)
		single.Var(f.Value, f.Name, f.Usage)
		single.Lookup(f.Name).DefValue = f.DefValue
		single.PrintDefaults()
	})
}

// errHelpShown stops a command after -h/--help printed its usage: the
// command must not run (serve --help must not start the service).
var errHelpShown = errors.New("help shown")

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printFlagHelp(fs)
			return errHelpShown
		}
		return usagef("%s: %v (see 'otvet %s --help')", fs.Name(), err, fs.Name())
	}
	return nil
}

// configFlag declares --config on a command's flag set. run takes the
// global --config out of the arguments, wherever it is, into env.Config
// before a command starts, so configPath finds it there; the flag stays for
// the commands that pass its value on.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "configuration file (default $OTVET_CONFIG, else ./config.yaml)")
}

// configPath resolves the configuration file: the flag, the global
// --config, $OTVET_CONFIG, or ./config.yaml.
func configPath(e *env, flagValue string) (string, error) {
	if e.helpOnly {
		return "", usagef("help only: no configuration is read")
	}
	if flagValue != "" {
		return flagValue, nil
	}
	if e.Config != "" {
		return e.Config, nil
	}
	if p := e.Getenv("OTVET_CONFIG"); p != "" {
		return p, nil
	}
	if _, err := os.Stat("config.yaml"); err == nil {
		return "config.yaml", nil
	}
	return "", usagef("no configuration: pass --config FILE or set OTVET_CONFIG (see config.example.yaml)")
}

// loadConfig reads and validates the whole configuration.
func loadConfig(e *env, flagValue string) (*config.Config, error) {
	p, err := configPath(e, flagValue)
	if err != nil {
		return nil, err
	}
	c, err := config.Check(p, e.Getenv)
	if err != nil {
		return nil, err
	}
	e.Log = envLogger(e, c.Log.Level, c.Log.Format)
	return c, nil
}

// openDB opens the database of the configuration for read-mostly commands; only
// the database section has to be valid.
func openDB(ctx context.Context, e *env, flagValue string) (*store.DB, error) {
	db, _, err := openDBConfig(ctx, e, flagValue)
	return db, err
}

// openDBConfig is openDB also returning the configuration it read.
func openDBConfig(ctx context.Context, e *env, flagValue string) (*store.DB, *config.Config, error) {
	p, err := configPath(e, flagValue)
	if err != nil {
		return nil, nil, err
	}
	c, err := loadConfigDB(e, p)
	if err != nil {
		return nil, nil, err
	}
	if err := app.RequireDB(c); err != nil {
		return nil, nil, err
	}
	db, err := app.OpenDB(ctx, c, e.Log)
	if err != nil {
		return nil, nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, c, nil
}

// loadConfigDB reads the configuration for commands that only need the database.
func loadConfigDB(e *env, path string) (*config.Config, error) {
	c, err := config.Load(path, e.Getenv)
	if err != nil {
		return nil, err
	}
	if err := c.ValidateDatabase(); err != nil {
		return nil, fmt.Errorf("configuration %s is not valid:\n%w", path, err)
	}
	return c, nil
}

// envLogger logs to the command's standard error. Under journald (the
// service's stderr is the stream JOURNAL_STREAM names) each line already gets
// the journal's timestamp, so the log leaves its own out.
func envLogger(e *env, level, format string) *slog.Logger {
	return buildLogger(e.Stderr, level, format, underJournal(e.Getenv("JOURNAL_STREAM"), e.Stderr))
}

// newLogger logs to w with timestamps.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	return buildLogger(w, level, format, false)
}

func buildLogger(w io.Writer, level, format string, noTime bool) *slog.Logger {
	o := &slog.HandlerOptions{Level: logLevel(level)}
	if noTime {
		o.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, o))
	}
	return slog.New(slog.NewTextHandler(w, o))
}

// underJournal tells whether w is the journal stream systemd announced in
// JOURNAL_STREAM ("DEVICE:INODE" of the service's stderr). A writer that is
// no file (tests) is taken at the variable's word; a file must match it, so
// that 'otvet ... 2>file' run from a service's shell keeps its timestamps.
func underJournal(stream string, w io.Writer) bool {
	if stream == "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return true
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return stream == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
