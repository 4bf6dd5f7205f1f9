package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/backup"
	"github.com/otvet/otvet/internal/store"
)

const restoreHelp = `Restore refuses while otvet serve or poll runs on the database (stop the service first), keeps
the current database beside it as DATABASE.before-restore-TIME, and puts the backup in place.
Mail received since the backup: a desk without imap.processed_folder reads it again from its
folder by itself (the backup's cursor is older; intake drops what it already has). A desk with a
processed folder needs --rescan-processed DAY: its mail from that day (the backup's day, or
earlier) is moved back from the processed folder and read again the same way. See
docs/operations.md.`

func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "backup FILE [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup: give one FILE to write the copy to")
	}
	dest := fs.Arg(0)
	db, c, err := openDBConfig(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := backup.Backup(ctx, db, dest); err != nil {
		if errors.Is(err, backup.ErrPostgres) {
			return fmt.Errorf("%w; for example (the password from ~/.pgpass or PGPASSWORD):\n  %s",
				err, backup.PGDumpCommand(c.Database.DSN.Reveal(), dest))
		}
		return err
	}
	fmt.Fprintf(e.Stdout, "backed up %s to %s\n", db.Path(), dest)
	return nil
}

func cmdRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore", "restore FILE [--rescan-processed DAY] [--config FILE]")
	cfg := configFlag(fs)
	rescan := fs.String("rescan-processed", "", "YYYY-MM-DD: move mail from that day back from each desk's processed folder to be read again")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("restore: give the one backup FILE to restore")
	}
	var since time.Time
	if *rescan != "" {
		t, err := time.Parse(time.DateOnly, *rescan)
		if err != nil {
			return usagef("restore: --rescan-processed %q: want a day, YYYY-MM-DD", *rescan)
		}
		since = t
	}
	p, err := configPath(e, *cfg)
	if err != nil {
		return err
	}
	c, err := loadConfigDB(e, p)
	if err != nil {
		return err
	}
	if c.Database.Driver == string(store.Postgres) {
		return fmt.Errorf("%w: restore it with pg_restore --clean --dbname=... %s while otvet is stopped", backup.ErrPostgres, fs.Arg(0))
	}
	r, err := app.Restore(ctx, c, fs.Arg(0), e.Log)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "restored %s from %s; the database before is kept as %s\n", r.Database, fs.Arg(0), r.Previous)
	var processed []string
	for _, d := range c.Desks {
		if d.IMAP.ProcessedFolder == "" {
			fmt.Fprintf(e.Stdout, "desk %s: mail since the backup is read again from %s at the next poll\n", d.Name, d.IMAP.Folder)
		} else {
			processed = append(processed, d.Name)
		}
	}
	if len(processed) == 0 {
		return nil
	}
	if since.IsZero() {
		fmt.Fprintf(e.Stdout, "desks %v move processed mail to a processed folder: mail received since the backup is there, not in\n"+
			"the database; run 'otvet restore %s --rescan-processed DAY' with the backup's day to read it again\n", processed, fs.Arg(0))
		return nil
	}
	a, err := openApp(ctx, e, *cfg, app.Options{})
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	defer a.Close()
	moved, err := a.RescanProcessed(ctx, "", since)
	for _, name := range processed {
		if n, ok := moved[name]; ok {
			fmt.Fprintf(e.Stdout, "desk %s: %d message(s) since %s moved back to be read again\n", name, n, since.Format(time.DateOnly))
		}
	}
	return err
}
