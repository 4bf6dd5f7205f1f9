package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/pressly/goose/v3/lock"
)

func newPGLocker() (lock.SessionLocker, error) { return lock.NewPostgresSessionLocker() }

// MailboxLocker returns the locker that lets one process at a time poll a
// mailbox: a PostgreSQL session advisory lock, or on SQLite an flock(2) on
// a file beside the database (so `otvet serve` and a cron `poll --once` on
// the same file never poll one mailbox together). Both go away with the
// process, so a crashed process never keeps a lock.
func (db *DB) MailboxLocker() *MailboxLocker {
	return &MailboxLocker{db: db, conns: map[string]*sql.Conn{}}
}

// MailboxLocker takes per-mailbox locks; see DB.MailboxLocker.
type MailboxLocker struct {
	db    *DB
	mu    sync.Mutex
	conns map[string]*sql.Conn // PostgreSQL: the connection holding each mailbox's lock
}

// Held reports whether the lock on mailbox taken by this locker is still
// held: on PostgreSQL its connection must still answer (the server drops
// the lock with the session); an flock lives as long as the process.
func (l *MailboxLocker) Held(ctx context.Context, mailbox string) error {
	if l.db.dialect != Postgres {
		return nil
	}
	l.mu.Lock()
	conn := l.conns[mailbox]
	l.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("lock %s: not held", mailbox)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil {
		return fmt.Errorf("lock %s: its connection is gone: %w", mailbox, err)
	}
	return nil
}

// TryLock takes the mailbox's lock without waiting; ok is false when another
// process (or another holder in this one) has it.
func (l *MailboxLocker) TryLock(ctx context.Context, mailbox string) (release func(), ok bool, err error) {
	if l.db.dialect == Postgres {
		return l.pgTryLock(ctx, mailbox)
	}
	return l.fileTryLock(mailbox)
}

// pgTryLock holds the advisory lock on a connection of its own: the lock
// goes away with the connection.
func (l *MailboxLocker) pgTryLock(ctx context.Context, mailbox string) (release func(), ok bool, err error) {
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
	l.mu.Lock()
	l.conns[mailbox] = conn
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		if l.conns[mailbox] == conn {
			delete(l.conns, mailbox)
		}
		l.mu.Unlock()
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}, true, nil
}

// fileTryLock flocks DATABASE.poll-<hash>.lock. The file stays (it is
// empty); the lock lives as long as the open file.
func (l *MailboxLocker) fileTryLock(mailbox string) (release func(), ok bool, err error) {
	name := fmt.Sprintf("%s.poll-%x.lock", l.db.path, lockKey("mailbox:"+mailbox))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", mailbox, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("lock %s: flock %s: %w", mailbox, name, err)
	}
	return func() { f.Close() }, true, nil
}
