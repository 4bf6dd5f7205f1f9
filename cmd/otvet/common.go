package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/store"
)

// newFlags makes a flag set whose errors become usage errors (exit status 2).
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stderr, "usage: otvet %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// errHelpShown stops a command after -h/--help printed its usage: the
// command must not run (serve --help must not start the service).
var errHelpShown = errors.New("help shown")

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "configuration file (default $OTVET_CONFIG, else ./config.yaml)")
}

// configPath resolves the configuration file: the flag, $OTVET_CONFIG, or ./config.yaml.
func configPath(e *env, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
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
	e.Log = newLogger(e.Stderr, c.Log.Level, c.Log.Format)
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

func newLogger(w io.Writer, level, format string) *slog.Logger {
	o := &slog.HandlerOptions{Level: logLevel(level)}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, o))
	}
	return slog.New(slog.NewTextHandler(w, o))
}
