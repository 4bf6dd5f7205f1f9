package helpdesk

import (
	"context"
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
	var alerts []slaAlert // told to the observer after the commit
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		n, alerts = 0, nil
		stale, err := tx.TicketsToResume(ctx, store.StatusUnidentified, now)
		if err != nil {
			return err
		}
		for i := range stale {
			t := &stale[i]
			in, ok := s.ticketDesk(tx, t, now)
			if !ok {
				continue
			}
			if err := in.lc().apply(ctx, t, Change{Event: EvClosed, Reason: "unidentified", Via: ViaScheduler,
				Note: fmt.Sprintf("no identification within %d working days", s.regs.IdentifyWaitDays)}); err != nil {
				return err
			}
			if err := in.noticeScheduled(ctx, t, mailout.TmplUnidentifiedClosed, mailout.NoticeData{Reason: "unidentified", Days: s.regs.IdentifyWaitDays}); err != nil {
				return err
			}
			n++
		}
		resolved, err := tx.TicketsToResume(ctx, store.StatusResolved, now)
		if err != nil {
			return err
		}
		for i := range resolved {
			t := &resolved[i]
			in, ok := s.ticketDesk(tx, t, now)
			if !ok {
				continue
			}
			if err := in.lc().apply(ctx, t, Change{Event: EvClosed, Via: ViaScheduler,
				Note: fmt.Sprintf("resolved, no reply within %d working days", s.closeDays)}); err != nil {
				return err
			}
			n++
		}
		if m, err := s.waitTimers(ctx, tx, now); err != nil {
			return err
		} else {
			n += m
		}
		if _, err := s.maintenanceOver(ctx, tx, now); err != nil {
			return err
		}
		if m, err := s.slaAlerts(ctx, tx, now, &alerts); err != nil {
			return err
		} else {
			n += m
		}
		if m, err := s.contractorTimers(ctx, tx, now); err != nil {
			return err
		} else {
			n += m
		}
		if s.retention > 0 {
			purged, err := tx.PurgeBefore(ctx, now.Add(-s.retention))
			if err != nil {
				return err
			}
			if purged > 0 {
				s.log.Info("personal data purged after the retention period", "rows", purged)
			}
		}
		due, err := tx.TicketsToResume(ctx, store.StatusDeferred, now)
		if err != nil {
			return err
		}
		for i := range due {
			t := &due[i]
			in, ok := s.ticketDesk(tx, t, now)
			if !ok {
				continue
			}
			if err := in.lc().apply(ctx, t, Change{Event: EvResumed, Via: ViaScheduler, Note: "the " + t.Reason + " deferral ended"}); err != nil {
				return err
			}
			first, err := tx.FirstMessageText(ctx, t.ID)
			if err != nil {
				return err
			}
			if err := in.notifyWith(ctx, t, mailout.NotifyNew, "", t.RequesterName, first, notifyExtras{}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("scheduled ticket changes: %w", err)
	}
	s.observeSLA(alerts)
	if n > 0 {
		s.log.Info("scheduled ticket changes", "tickets", n)
		s.queued()
	}
	return n, nil
}

// ticketDesk is the desk's work on a ticket without a message (the
// scheduler, the outbox): no intake is built.
func (s *Service) ticketDesk(tx *store.Tx, t *store.Ticket, now time.Time) (*deskTx, bool) {
	d, ok := s.desks[t.Desk]
	if !ok {
		s.log.Warn("ticket of an unknown desk left as it is", "ticket", t.ID, "desk", t.Desk)
		return nil, false
	}
	return s.deskTx(tx, d, now), true
}

// waitTimers reminds customers whom support has waited for since
// tickets.wait_reminder_days working days, and closes the ticket after
// tickets.wait_close_days (both counted from the #wait), each with a notice.
func (s *Service) waitTimers(ctx context.Context, tx *store.Tx, now time.Time) (int, error) {
	due, err := tx.TicketsToResume(ctx, store.StatusWaiting, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range due {
		t := &due[i]
		in, ok := s.ticketDesk(tx, t, now)
		if !ok {
			continue
		}
		lc := in.lc()
		if !t.WaitRemindedAt.Valid && s.wait.ReminderDays > 0 {
			data := mailout.NoticeData{Days: s.wait.CloseDays}
			closeAt, closes := lc.waitTimer(t.ResumeAt.Time)
			if closes {
				data.Until = FormatLocal(closeAt, in.desk.Location, in.desk.Language)
			} else {
				closeAt, data.Days = time.Time{}, 0
			}
			if err := tx.SetWaitReminded(ctx, t.ID, now, closeAt); err != nil {
				return n, err
			}
			if err := tx.AddEvent(ctx, t.ID, now, "wait_reminded", "system",
				fmt.Sprintf("no reply within %d working days (scheduler)", s.wait.ReminderDays)); err != nil {
				return n, err
			}
			if err := in.noticeScheduled(ctx, t, mailout.TmplWaitReminder, data); err != nil {
				return n, err
			}
			n++
			continue
		}
		if err := lc.apply(ctx, t, Change{Event: EvClosed, Reason: "no_reply", Via: ViaScheduler,
			Note: fmt.Sprintf("no reply within %d working days", s.wait.CloseDays)}); err != nil {
			return n, err
		}
		if err := in.noticeScheduled(ctx, t, mailout.TmplWaitClosed, mailout.NoticeData{Days: s.wait.CloseDays}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// beforeVisitDay reports whether a planned ticket's visit day has not begun
// yet (in the desk's zone).
func (in *deskTx) beforeVisitDay(t *store.Ticket) bool {
	if t.Status != store.StatusPlanned || t.PlannedFor == "" {
		return false
	}
	day, err := time.ParseInLocation("2006-01-02", t.PlannedFor, in.desk.Location)
	return err == nil && in.now.Before(day)
}

// slaAlerts tells agents once when a running clock passes its warning share
// (the desk's WarnPercent, tickets.sla_warn_percent) and once when it breaches.
func (s *Service) slaAlerts(ctx context.Context, tx *store.Tx, now time.Time, alerts *[]slaAlert) (int, error) {
	ts, err := tx.TicketsInStatus(ctx, store.StatusOpen, store.StatusPlanned)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range ts {
		t := &ts[i]
		in, ok := s.ticketDesk(tx, t, now)
		if !ok || in.desk.Calendar == nil {
			continue
		}
		fr, res, err := loadClocks(t, in.desk.Calendar)
		if err != nil {
			s.log.Warn("SLA clock unreadable", "ticket", t.ID, "err", err)
			continue
		}
		for _, c := range []*sla.Clock{fr, res} {
			if c == nil || c.Stopped() {
				continue
			}
			if c == res && in.beforeVisitDay(t) {
				continue // a planned visit's resolution is due at the end of its day: no alerts before that day
			}
			if p := in.desk.WarnPercent; p != 0 && p != c.WarnPercent() {
				if err := c.SetWarnPercent(p); err != nil {
					return n, err
				}
			}
			kind, ev := "", ""
			switch {
			case c.State(now) == sla.Breached:
				kind, ev = mailout.NotifyBreach, "sla_breach_"+string(c.Metric())
			case c.Warning(now):
				kind, ev = mailout.NotifyWarning, "sla_warning_"+string(c.Metric())
			default:
				continue
			}
			done, err := tx.HasEvent(ctx, t.ID, ev)
			if err != nil {
				return n, err
			}
			if done {
				continue
			}
			if err := in.event(ctx, t.ID, ev, c.Explain(now, in.desk.Location)); err != nil {
				return n, err
			}
			if err := in.notifyMetric(ctx, t, kind, string(c.Metric())); err != nil {
				return n, err
			}
			*alerts = append(*alerts, slaAlert{t.Desk, kind, string(c.Metric())})
			n++
		}
	}
	return n, nil
}
