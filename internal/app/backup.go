package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/otvet/otvet/internal/backup"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/store"
)

// SyncStaff applies the configuration's staff to the database as otvet
// serve does at start (syncStaff): migrate calls it, so that 'staff list'
// shows them before the first serve.
func SyncStaff(ctx context.Context, db *store.DB, c *config.Config, log *slog.Logger) error {
	return syncStaff(ctx, db, c.Staff, time.Now().UTC(), log)
}

// Restore puts a backup of a SQLite database in place of the configured one
// while no desk is polled (backup.ErrRunning otherwise).
func Restore(ctx context.Context, c *config.Config, from string, log *slog.Logger) (backup.Restored, error) {
	if err := RequireDB(c); err != nil {
		return backup.Restored{}, err
	}
	db, err := OpenDB(ctx, c, log)
	if err != nil {
		return backup.Restored{}, err
	}
	var names []string
	for _, d := range c.Desks {
		names = append(names, d.Name)
	}
	return backup.Restore(ctx, backup.RestoreOptions{
		From: from, DB: db, Mailboxes: names, Log: log,
		Open: func(ctx context.Context, path string) (*store.DB, error) {
			return store.Open(ctx, store.Options{Dialect: store.SQLite, Path: path, Logger: log})
		},
	})
}

// RescanProcessed moves the mail each desk's processed folder received since
// the given day back into its folder (only desk when not empty), to be read
// again by the next pass through intake's deduplication. It returns how many
// messages each desk got back.
func (a *App) RescanProcessed(ctx context.Context, desk string, since time.Time) (map[string]int, error) {
	moved := map[string]int{}
	found := false
	for i, d := range a.Config.Desks {
		if desk != "" && d.Name != desk {
			continue
		}
		found = true
		if d.IMAP.ProcessedFolder == "" {
			if desk != "" {
				return moved, fmt.Errorf("desk %s has no imap.processed_folder: its mail is read again from %s by itself", d.Name, d.IMAP.Folder)
			}
			continue
		}
		n, err := a.Pollers[i].MoveBack(ctx, since)
		if err != nil {
			return moved, fmt.Errorf("desk %s: %w", d.Name, err)
		}
		moved[d.Name] = n
	}
	if !found {
		return moved, fmt.Errorf("no desk %q in the configuration", desk)
	}
	return moved, nil
}
