package store

import (
	"context"
	"fmt"
	"time"
)

// AddMaintenance announces a maintenance window.
func (t *Tx) AddMaintenance(ctx context.Context, w *MaintenanceWindow) error {
	id, err := t.insertID(ctx, `INSERT INTO maintenance_windows (system, keywords, starts_at, ends_at, note, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, w.System, w.Keywords, w.StartsAt, w.EndsAt, w.Note, w.CreatedAt, w.CreatedBy)
	if err != nil {
		return fmt.Errorf("add maintenance window: %w", err)
	}
	w.ID = id
	return t.AddEvent(ctx, 0, w.CreatedAt, "maintenance_added", w.CreatedBy,
		fmt.Sprintf("#%d %s %s – %s %s", id, w.System, w.StartsAt.UTC().Format(time.RFC3339), w.EndsAt.UTC().Format(time.RFC3339), w.Note))
}

// RemoveMaintenance deletes a window (announced by mistake, or cancelled).
func (t *Tx) RemoveMaintenance(ctx context.Context, id int64, actor string, now time.Time) error {
	res, err := t.exec(ctx, `DELETE FROM maintenance_windows WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return t.AddEvent(ctx, 0, now, "maintenance_removed", actor, fmt.Sprintf("#%d", id))
}

// MaintenanceAt lists the windows in force at t.
func (t *Tx) MaintenanceAt(ctx context.Context, at time.Time) ([]MaintenanceWindow, error) {
	var ws []MaintenanceWindow
	err := t.sel(ctx, &ws, `SELECT id, system, keywords, starts_at, ends_at, note, created_at, created_by
		FROM maintenance_windows WHERE starts_at <= ? AND ends_at > ? ORDER BY ends_at`, at, at)
	return ws, err
}

// ListMaintenance lists windows that end after t, soonest first.
func (db *DB) ListMaintenance(ctx context.Context, after time.Time) ([]MaintenanceWindow, error) {
	var ws []MaintenanceWindow
	err := db.sel(ctx, &ws, `SELECT id, system, keywords, starts_at, ends_at, note, created_at, created_by
		FROM maintenance_windows WHERE ends_at > ? ORDER BY starts_at`, after)
	return ws, err
}
