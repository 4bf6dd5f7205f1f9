package helpdesk

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

// Tick makes the time-driven changes the regulations call for, and returns
// how many tickets changed: a request left unidentified for
// rules.identification.wait_days working days is closed with a notice, and a
// request deferred for maintenance resumes (its clocks run again) when the
// window ends. `otvet serve` ticks every half minute; `poll --once` ticks once.
func (s *Service) Tick(ctx context.Context) (int, error) {
	now := s.now().UTC()
	n := 0
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		n = 0
		stale, err := tx.TicketsToResume(ctx, store.StatusUnidentified, now)
		if err != nil {
			return err
		}
		for i := range stale {
			t := &stale[i]
			in, ok := s.tickIntake(tx, t, now)
			if !ok {
				continue
			}
			if err := tx.UpdateTicketState(ctx, t.ID, store.StatusClosed, "unidentified", sql.NullTime{}, now); err != nil {
				return err
			}
			if err := in.event(ctx, t.ID, "closed_unidentified", fmt.Sprintf("no identification within %d working days", s.regs.IdentifyWaitDays)); err != nil {
				return err
			}
			if err := in.notice(ctx, t, mailout.TmplUnidentifiedClosed, mailout.NoticeData{Reason: "unidentified", Days: s.regs.IdentifyWaitDays}); err != nil {
				return err
			}
			n++
		}
		due, err := tx.TicketsToResume(ctx, store.StatusDeferred, now)
		if err != nil {
			return err
		}
		for i := range due {
			t := &due[i]
			in, ok := s.tickIntake(tx, t, now)
			if !ok {
				continue
			}
			if err := tx.UpdateTicketState(ctx, t.ID, store.StatusOpen, "", sql.NullTime{}, now); err != nil {
				return err
			}
			if err := in.changeClocks(ctx, t, sla.EventResume, "deferral ended"); err != nil {
				return err
			}
			if err := in.event(ctx, t.ID, "resumed", "the "+t.Reason+" deferral ended"); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("scheduled ticket changes: %w", err)
	}
	if n > 0 {
		s.log.Info("scheduled ticket changes", "tickets", n)
		s.queued()
	}
	return n, nil
}

func (s *Service) tickIntake(tx *store.Tx, t *store.Ticket, now time.Time) (*intake, bool) {
	d, ok := s.desks[t.Desk]
	if !ok {
		s.log.Warn("ticket of an unknown desk left as it is", "ticket", t.ID, "desk", t.Desk)
		return nil, false
	}
	return &intake{s: s, tx: tx, desk: d, now: now}, true
}
