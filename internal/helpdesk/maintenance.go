package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// ErrBadMaintenance marks a maintenance window that is wrong in itself (no
// system, an end not after its start): the command line reports it as a
// usage error.
var ErrBadMaintenance = errors.New("bad maintenance window")

// AddMaintenance announces a maintenance window (`otvet maintenance add`).
// Requests about the system that arrive during it are deferred until it
// ends (rules.go). The store records the window as an audit event by
// w.CreatedBy; a zero CreatedAt is now.
func (s *Service) AddMaintenance(ctx context.Context, w *store.MaintenanceWindow) error {
	return s.AddMaintenanceAnnounced(ctx, w, false)
}

// AddMaintenanceAnnounced is AddMaintenance that, with announce, also mails
// the users of the system now, again when the window is ended early,
// extended or removed, and when it is over (`maintenance add --announce`;
// announce.go).
func (s *Service) AddMaintenanceAnnounced(ctx context.Context, w *store.MaintenanceWindow, announce bool) error {
	w.System = strings.TrimSpace(w.System)
	if w.System == "" {
		return fmt.Errorf("%w: the system is required", ErrBadMaintenance)
	}
	if !w.EndsAt.After(w.StartsAt) {
		return fmt.Errorf("%w: the end must be after the start", ErrBadMaintenance)
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.now()
	}
	w.StartsAt, w.EndsAt, w.CreatedAt = w.StartsAt.UTC(), w.EndsAt.UTC(), w.CreatedAt.UTC()
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.AddMaintenance(ctx, w); err != nil || !announce {
			return err
		}
		if err := tx.SetMaintenanceAnnounce(ctx, w.ID); err != nil {
			return err
		}
		return s.announceWindow(ctx, tx, mailout.MaintenanceAdded, *w, time.Time{}, w.CreatedBy, w.CreatedAt)
	})
	if err == nil && announce {
		s.queued()
	}
	return err
}

// EndMaintenance moves the end of window id (`otvet maintenance end ID
// [--at TIME]`): to now when the work finished early, or later when it
// overruns. The requests the window holds (deferred with its id) resume at
// the new end, at the scheduler's next tick when that has passed; it returns
// how many. An unknown window is store.ErrNotFound.
func (s *Service) EndMaintenance(ctx context.Context, id int64, end time.Time, actor string) (moved int64, err error) {
	now := s.now().UTC()
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		before, announced, err := tx.Maintenance(ctx, id)
		if err != nil {
			return err
		}
		if moved, err = tx.EndMaintenance(ctx, id, end.UTC(), actor, now); err != nil {
			return err
		}
		after, _, err := tx.Maintenance(ctx, id)
		if err != nil || !announced || !after.EndsAt.After(now) {
			// Ended now or before: the scheduler says it is over.
			return err
		}
		return s.announceWindow(ctx, tx, mailout.MaintenanceChanged, *after, before.EndsAt, actor, now)
	})
	if err != nil {
		return 0, maintenanceErr(id, err)
	}
	return moved, nil
}

// RemoveMaintenance deletes window id, announced by mistake or cancelled
// (`otvet maintenance remove ID`). The requests it holds resume at the
// scheduler's next tick; it returns how many. An unknown window is
// store.ErrNotFound.
func (s *Service) RemoveMaintenance(ctx context.Context, id int64, actor string) (moved int64, err error) {
	now := s.now().UTC()
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		w, announced, err := tx.Maintenance(ctx, id)
		if err != nil {
			return err
		}
		if moved, err = tx.RemoveMaintenance(ctx, id, actor, now); err != nil || !announced || !w.EndsAt.After(now) {
			return err
		}
		return s.announceWindow(ctx, tx, mailout.MaintenanceCancelled, *w, time.Time{}, actor, now)
	})
	if err != nil {
		return 0, maintenanceErr(id, err)
	}
	return moved, nil
}

func maintenanceErr(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no maintenance window #%d: %w", id, err)
	}
	return fmt.Errorf("maintenance window #%d: %w", id, err)
}
