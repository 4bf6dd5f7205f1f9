package store

import (
	"context"
	"fmt"

	"github.com/pressly/goose/v3/lock"
)

func newPGLocker() (lock.SessionLocker, error) { return lock.NewPostgresSessionLocker() }

// MailboxLocker returns a locker that lets one process at a time poll a
// mailbox, or nil when the engine needs none (SQLite serves one process).
func (db *DB) MailboxLocker() *PGLocker {
	if db.dialect != Postgres {
		return nil
	}
	return &PGLocker{db: db}
}

// PGLocker holds PostgreSQL session advisory locks, one connection per lock:
// the lock goes away with the connection, so a crashed process never keeps it.
type PGLocker struct{ db *DB }

// TryLock takes the mailbox's lock without waiting.
func (l *PGLocker) TryLock(ctx context.Context, mailbox string) (release func(), ok bool, err error) {
	conn, err := l.db.x.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", mailbox, err)
	}
	key := lockKey("mailbox:" + mailbox)
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("lock %s: %w", mailbox, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}, true, nil
}
