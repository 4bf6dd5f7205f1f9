package store

import (
	"context"
	"database/sql"
	"errors"
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
// Requests deferred because of it resume at the scheduler's next tick. It
// returns how many requests that concerns.
func (t *Tx) RemoveMaintenance(ctx context.Context, id int64, actor string, now time.Time) (int64, error) {
	w, err := t.maintenance(ctx, id)
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `DELETE FROM maintenance_windows WHERE id = ?`, id); err != nil {
		return 0, err
	}
	n, err := t.retimeDeferred(ctx, id, now)
	if err != nil {
		return 0, err
	}
	return n, t.AddEvent(ctx, 0, now, "maintenance_removed", actor, fmt.Sprintf("#%d %s; %d deferred requests resume", id, w.System, n))
}

// EndMaintenance moves a window's end: to now when the work finished early,
// or later when it overruns. Requests deferred because of it resume at the
// new end (at once when that has passed). It returns how many it moved.
func (t *Tx) EndMaintenance(ctx context.Context, id int64, end time.Time, actor string, now time.Time) (int64, error) {
	w, err := t.maintenance(ctx, id)
	if err != nil {
		return 0, err
	}
	if !end.After(w.StartsAt) {
		end = w.StartsAt.Add(time.Second)
	}
	if _, err := t.exec(ctx, `UPDATE maintenance_windows SET ends_at = ? WHERE id = ?`, end, id); err != nil {
		return 0, err
	}
	n, err := t.retimeDeferred(ctx, id, end)
	if err != nil {
		return 0, err
	}
	return n, t.AddEvent(ctx, 0, now, "maintenance_changed", actor,
		fmt.Sprintf("#%d %s ends %s (was %s); %d deferred requests follow", id, w.System, end.UTC().Format(time.RFC3339), w.EndsAt.UTC().Format(time.RFC3339), n))
}

func (t *Tx) maintenance(ctx context.Context, id int64) (*MaintenanceWindow, error) {
	var w MaintenanceWindow
	err := t.get(ctx, &w, `SELECT id, system, keywords, starts_at, ends_at, note, created_at, created_by
		FROM maintenance_windows WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// retimeDeferred moves the resume time of the requests the window holds
// (deferred with hold_window_id = id) to at; another window's requests,
// even ending at the same instant, stay.
func (t *Tx) retimeDeferred(ctx context.Context, windowID int64, at time.Time) (int64, error) {
	res, err := t.exec(ctx, `UPDATE tickets SET resume_at = ? WHERE status = ? AND hold_window_id = ?`,
		at, StatusDeferred, windowID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
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
