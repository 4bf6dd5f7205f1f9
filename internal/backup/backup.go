// Package backup makes consistent copies of Otvet's database and puts one
// back (docs/operations.md). SQLite is copied online with VACUUM INTO;
// PostgreSQL is left to pg_dump, whose command line Backup describes.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// ErrPostgres is returned by Backup and Restore for a PostgreSQL database:
// they are done with pg_dump and pg_restore (PGDumpCommand).
var ErrPostgres = errors.New("the database is PostgreSQL: back it up with pg_dump")

// ErrRunning is returned by Restore while a process polls a mailbox of the
// database (otvet serve, or otvet poll --once).
var ErrRunning = errors.New("otvet is running on this database (serve or poll holds a mailbox lock): stop it first (systemctl stop otvet)")

// Backup writes a consistent copy of the open database to dest, a new file.
// It runs beside otvet serve: SQLite's VACUUM INTO reads one snapshot.
func Backup(ctx context.Context, db *store.DB, dest string) error {
	if db.Dialect() == store.Postgres {
		return ErrPostgres
	}
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if abs == db.Path() {
		return fmt.Errorf("backup: %s is the database itself", dest)
	}
	if err := db.BackupTo(ctx, abs); err != nil {
		return err
	}
	return nil
}

// PGDumpCommand is the pg_dump command line that backs up the database of
// dsn to dest, with the password replaced by "***" (pg_dump reads it from
// ~/.pgpass or PGPASSWORD, never from a command line others can see).
func PGDumpCommand(dsn, dest string) string {
	return fmt.Sprintf("pg_dump --format=custom --file=%s '%s'", shellQuote(dest), RedactDSN(dsn))
}

// RedactDSN replaces the password of a PostgreSQL DSN (URL or key=value) with ***.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "***")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "***")
			u.RawQuery = q.Encode()
		}
		return strings.Replace(u.String(), "%2A%2A%2A", "***", -1)
	}
	f := strings.Fields(dsn)
	for i, kv := range f {
		if k, _, ok := strings.Cut(kv, "="); ok && k == "password" {
			f[i] = "password=***"
		}
	}
	return strings.Join(f, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Locker is what Restore locks: the mailboxes' poll locks (store.MailboxLocker).
type Locker interface {
	TryLock(ctx context.Context, mailbox string) (release func(), ok bool, err error)
}

// RestoreOptions describe a restore of a SQLite database.
type RestoreOptions struct {
	// From is the backup file (made by Backup).
	From string
	// DB is the database to replace, open; Restore closes it.
	DB *store.DB
	// Mailboxes are the desks' names: their poll locks must be free (no
	// serve nor poll runs) and are held while the file is replaced.
	Mailboxes []string
	Open      func(ctx context.Context, path string) (*store.DB, error)
	Now       func() time.Time
	Log       *slog.Logger
}

// Restored says what Restore did.
type Restored struct {
	Database string // the database file, now the backup's copy
	Previous string // the database as it was before, kept beside it
}

// Restore replaces a SQLite database with a backup while nothing polls it:
// the backup is checked (integrity) and copied beside the database, the
// current database is kept as DATABASE.before-restore-TIME (a VACUUM INTO
// copy, so its WAL is in it), then the copy is renamed over the database and
// the old WAL and shared-memory files are removed.
func Restore(ctx context.Context, o RestoreOptions) (_ Restored, err error) {
	db := o.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	if db.Dialect() == store.Postgres {
		return Restored{}, ErrPostgres
	}
	path := db.Path()
	locker := db.MailboxLocker()
	for _, m := range o.Mailboxes {
		release, ok, err := locker.TryLock(ctx, m)
		if err != nil {
			return Restored{}, fmt.Errorf("restore: %w", err)
		}
		if !ok {
			return Restored{}, ErrRunning
		}
		defer release()
	}
	if _, err := os.Stat(o.From); err != nil {
		return Restored{}, fmt.Errorf("restore: backup: %w", err)
	}
	// The copy is made beside the database, so that the rename is atomic.
	tmp := path + ".restore-tmp"
	_ = os.Remove(tmp)
	if err := copyFile(o.From, tmp); err != nil {
		return Restored{}, fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp)
	b, err := o.Open(ctx, tmp)
	if err != nil {
		return Restored{}, fmt.Errorf("restore: open the backup: %w", err)
	}
	err = b.IntegrityCheck(ctx)
	b.Close()
	_ = os.Remove(tmp + "-wal")
	_ = os.Remove(tmp + "-shm")
	if err != nil {
		return Restored{}, fmt.Errorf("restore: %s is no sound database: %w", o.From, err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	prev := path + ".before-restore-" + now().UTC().Format("20060102T150405Z")
	if err := db.BackupTo(ctx, prev); err != nil {
		return Restored{}, fmt.Errorf("restore: keep the current database: %w", err)
	}
	db.Close()
	db = nil
	if err := os.Rename(tmp, path); err != nil {
		return Restored{}, fmt.Errorf("restore: %w", err)
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Restored{}, fmt.Errorf("restore: %w", err)
		}
	}
	if o.Log != nil {
		o.Log.Info("database restored", "database", path, "from", o.From, "previous", prev)
	}
	return Restored{Database: path, Previous: prev}, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
