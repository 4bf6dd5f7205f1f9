package helpdesk

import (
	"context"
	"errors"
	"time"

	"github.com/otvet/otvet/internal/announce"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// errNoDesk: announcements need a desk to go out from.
var errNoDesk = errors.New("no desk is configured to send announcements from")

// Announcements (internal/announce) go out from the first desk, with its
// zone, language and sender.

func (s *Service) announceSender() (announce.Sender, bool) {
	d, ok := s.desks[s.first]
	if !ok {
		return announce.Sender{}, false
	}
	return announce.Sender{Desk: d.Name, Language: d.Language, Location: d.Location, From: d.From, DisplayName: d.DisplayName,
		SupportAddress: d.SupportAddress, Format: func(t time.Time) string { return FormatLocal(t, d.Location, d.Language) }}, true
}

func (s *Service) announceInterval() time.Duration {
	if s.announceEvery > 0 {
		return s.announceEvery
	}
	return announce.DefaultInterval
}

// Announce mails a notice to every active user of its audience (`otvet
// announce`) and returns how many people it goes to.
func (s *Service) Announce(ctx context.Context, nt announce.Notice) (n int, err error) {
	snd, ok := s.announceSender()
	if !ok {
		return 0, errNoDesk
	}
	now := s.now().UTC()
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		n, err = announce.Send(ctx, tx, s.tmpl, snd, nt, s.announceInterval(), now)
		return err
	})
	if err == nil && n > 0 {
		s.queued()
	}
	return n, err
}

// AnnounceRecipients lists who an announcement would go to (`--dry-run`).
func (s *Service) AnnounceRecipients(ctx context.Context, a announce.Audience) (us []store.AnnounceUser, err error) {
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		us, err = announce.Recipients(ctx, tx, a)
		return err
	})
	return us, err
}

// announceWindow tells the users of an announced window's system about it.
func (s *Service) announceWindow(ctx context.Context, tx *store.Tx, kind string, w store.MaintenanceWindow, wasTo time.Time, actor string, now time.Time) error {
	snd, ok := s.announceSender()
	if !ok {
		return nil
	}
	n, err := announce.Maintenance(ctx, tx, s.tmpl, snd, kind, w, wasTo, s.announceInterval(), actor, now)
	if err != nil {
		return err
	}
	s.log.Info("maintenance announced", "window", w.ID, "system", w.System, "kind", kind, "people", n)
	return nil
}

// maintenanceOver tells the users of the announced windows that ended that
// they are over (the scheduler, tick.go).
func (s *Service) maintenanceOver(ctx context.Context, tx *store.Tx, now time.Time) (int, error) {
	ws, err := tx.MaintenanceOver(ctx, now)
	if err != nil {
		return 0, err
	}
	for _, w := range ws {
		if err := s.announceWindow(ctx, tx, mailout.MaintenanceOver, w, time.Time{}, "scheduler", now); err != nil {
			return 0, err
		}
		if err := tx.SetMaintenanceOverAnnounced(ctx, w.ID, now); err != nil {
			return 0, err
		}
	}
	return len(ws), nil
}
