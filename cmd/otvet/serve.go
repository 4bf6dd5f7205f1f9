package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"syscall"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/store"
	"gopkg.in/yaml.v3"
)

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "serve [--config FILE] [--migrate]")
	cfg := configFlag(fs)
	migrate := fs.Bool("migrate", false, "bring the database schema up to date before serving")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := loadConfig(e, *cfg)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, c, e.Log, app.Options{Migrate: *migrate})
	if err != nil {
		return err
	}
	defer a.Close()
	a.Service.SetProbe(e.Probe)
	// Two-phase shutdown: the first SIGTERM stops taking work and lets in-flight
	// transactions finish; a second one, or 30 s, ends the process.
	go func() {
		<-ctx.Done()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		select {
		case <-sig:
			e.Log.Error("second signal: exiting now")
		case <-time.After(30 * time.Second):
			e.Log.Error("shutdown took more than 30s: exiting")
		}
		os.Exit(1)
	}()
	app.WatchMX(ctx, c, e.Log)                 // in the background: docs/doctor.md
	if _, err := a.StartWeb(ctx); err != nil { // http.listen: docs/console.md
		return err
	}
	return a.Serve(ctx)
}

func cmdPoll(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "poll", "poll --once [--config FILE]")
	cfg := configFlag(fs)
	once := fs.Bool("once", false, "one pass over every mailbox, send what is due, exit")
	noSend := fs.Bool("no-send", false, "leave queued mail in the outbox (a running 'otvet serve' or a later poll sends it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*once {
		return usagef("poll: only --once is supported; use 'otvet serve' to keep polling")
	}
	// OTVET_CPUPROFILE=FILE: a CPU profile of the pass for go tool pprof;
	// OTVET_TRACE=FILE: an execution trace for go tool trace;
	// OTVET_MEMPROFILE=FILE: what the pass allocated, for go tool pprof
	// -sample_index=alloc_space (docs/loadtest.md).
	var allocs io.Writer
	for _, d := range []struct {
		env   string
		start func(io.Writer) error
		stop  func()
	}{
		{"OTVET_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile},
		{"OTVET_TRACE", trace.Start, trace.Stop},
		{"OTVET_MEMPROFILE", func(w io.Writer) error { allocs = w; return nil }, func() { _ = pprof.Lookup("allocs").WriteTo(allocs, 0) }},
	} {
		p := e.Getenv(d.env)
		if p == "" {
			continue
		}
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("%s: %w", d.env, err)
		}
		defer f.Close()
		if err := d.start(f); err != nil {
			return fmt.Errorf("%s: %w", d.env, err)
		}
		defer d.stop()
	}
	c, err := loadConfig(e, *cfg)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, c, e.Log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	a.Service.SetProbe(e.Probe)
	if *noSend {
		stats, err := a.PollOnceNoSend(ctx)
		printPollStats(e, c, stats)
		return err
	}
	stats, ost, err := a.PollOnce(ctx)
	printPollStats(e, c, stats)
	fmt.Fprintf(e.Stdout, "outbox: sent %d, to retry %d, failed %d\n", ost.Sent, ost.Retried, ost.Failed)
	return err
}

func printPollStats(e *env, c *config.Config, stats map[string]mailin.Stats) {
	for _, d := range c.Desks {
		st := stats[d.Name]
		fmt.Fprintf(e.Stdout, "%s: fetched %d, stored %d\n", d.Name, st.Fetched, st.Delivered)
	}
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "migrate [--config FILE] [--dry-run]")
	cfg := configFlag(fs)
	dryRun := fs.Bool("dry-run", false, "list the migrations that would run and change nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := configPath(e, *cfg)
	if err != nil {
		return err
	}
	c, err := loadConfigDB(e, p)
	if err != nil {
		return err
	}
	if err := namesDatabase(e, p); err != nil {
		return err
	}
	if *dryRun {
		if err := app.RequireDB(c); err != nil {
			fmt.Fprintf(e.Stdout, "database %s does not exist: migrate would create it and apply every migration\n", c.Database.Path)
			return nil
		}
	}
	db, err := app.OpenDB(ctx, c, e.Log)
	if err != nil {
		return err
	}
	defer db.Close()
	if *dryRun {
		pending, err := db.PendingMigrations(ctx)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			fmt.Fprintln(e.Stdout, "schema is up to date: nothing would run")
		}
		for _, m := range pending {
			fmt.Fprintln(e.Stdout, "would apply", m)
		}
		return nil
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.Stdout, "schema is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(e.Stdout, "applied", m)
	}
	if err := c.Validate(); err != nil && len(c.Staff) == 0 {
		fmt.Fprintf(e.Stderr, "otvet: migrate: %s is not valid yet: serve will refuse it (otvet config check lists what to fix)\n", p)
	}
	// The configuration's staff, as serve applies them at start (only from a
	// whole valid configuration: serve would refuse any other).
	if len(c.Staff) > 0 {
		if err := c.Validate(); err != nil {
			fmt.Fprintln(e.Stdout, "staff from the configuration not applied: it is not valid yet (otvet config check)")
		} else if err := app.SyncStaff(ctx, db, c, e.Log); err != nil {
			return err
		} else {
			fmt.Fprintf(e.Stdout, "staff: %d from the configuration applied\n", len(c.Staff))
		}
	}
	return nil
}

// namesDatabase refuses a configuration that does not name its database (an
// empty file, one without a database section, and no OTVET_DATABASE_*):
// migrate would otherwise create otvet.db, the default, in whatever
// directory it is run from.
func namesDatabase(e *env, path string) error {
	for _, k := range []string{"OTVET_DATABASE_DRIVER", "OTVET_DATABASE_PATH", "OTVET_DATABASE_DSN", "OTVET_DATABASE_DSN_FILE"} {
		if e.Getenv(k) != "" {
			return nil
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc struct {
		Database map[string]any `yaml:"database"`
	}
	if yaml.Unmarshal(b, &doc) == nil && len(doc.Database) > 0 {
		return nil
	}
	return fmt.Errorf("configuration %s does not name the database: set database.path (SQLite) or database.dsn (PostgreSQL); "+
		"nothing was created (see config.example.yaml)", path)
}

// openApp loads and checks the whole configuration and builds the app for
// a command that works through the domain services (a.Service): the command
// parses and prints, the service opens the transactions.
func openApp(ctx context.Context, e *env, cfgFlag string, o app.Options) (*app.App, error) {
	c, err := loadConfig(e, cfgFlag)
	if err != nil {
		return nil, err
	}
	return app.New(ctx, c, e.Log, o)
}

// openDBSettings opens the database for a read-only command whose
// configuration need only have a valid database section, with the desks'
// settings assembled as otvet serve assembles them.
func openDBSettings(ctx context.Context, e *env, cfgFlag string) (*store.DB, *app.Settings, error) {
	db, c, err := openDBConfig(ctx, e, cfgFlag)
	if err != nil {
		return nil, nil, err
	}
	s, err := app.LoadSettings(c, e.Log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, s, nil
}
