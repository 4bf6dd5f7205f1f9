package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// Schedule switches one kind of digest and sets its hour (local time of
// the schedule's calendar). Hour 0 means the default: the day's closing time
// for the daily digest (short days included), 9 for the weekly and monthly
// ones. An hour given for the daily digest overrides the closing time.
type Schedule struct {
	Off  bool
	Hour int
}

// DB is what the scheduler needs from the store (*store.DB).
type DB interface {
	Source
	DigestSent(ctx context.Context, kind, periodStart, recipient string) (bool, error)
	LastDigestSent(ctx context.Context, kind, recipient string) (key string, ok bool, err error)
	UserByEmail(ctx context.Context, email string) (*store.User, error)
	Tx(ctx context.Context, fn func(tx *store.Tx) error) error
}

// SchedulerOptions configure a Scheduler. Zero values mean defaults.
type SchedulerOptions struct {
	DB DB
	// FirstActivity tells when the installation took in its first request
	// (ok false: none yet); a period that ended by then gets no digest. Nil:
	// no bound (store.DB.FirstActivity in otvet serve).
	FirstActivity func(ctx context.Context) (first time.Time, ok bool, err error)
	Setup         *Setup
	Templates     Renderer
	// Recipients get every kind of digest that is on.
	Recipients             []Recipient
	Daily, Weekly, Monthly Schedule
	// Desk is the outbox desk that sends the digests; From its address.
	Desk string
	From mailout.Address
	// Interval between checks; 0 means one minute.
	Interval time.Duration
	// Signer signs the Reply-To of the operator's digests: a recipient who
	// is a staff member gets their own command address (ticket 0, the staff
	// id), so a reply reaches the desk as staff mail. Nil: no Reply-To.
	Signer AddressSigner
	// Queued is called after a digest is queued (e.g. the outbox's Wake).
	Queued func()
	Now    func() time.Time
	Logger *slog.Logger
}

// Scheduler sends digests on the production calendar: the daily digest
// at closing time on each working day (for the time since the previous
// one), the weekly one on the first working day of a week (for the week
// before, and any week without a working day before that), the monthly one
// on the first working day of a month (likewise). Each digest is recorded
// in digests_sent in the transaction that queues it, so it goes out once
// per period and recipient, also with several instances. After downtime
// the most recent missed digest of each kind is sent once, covering the
// periods missed since the last one sent (up to MaxCatchUp).
type Scheduler struct {
	o      SchedulerOptions
	rep    *Reporter
	plan   *Plan
	log    *slog.Logger
	nowFn  func() time.Time
	period time.Duration

	mu     sync.Mutex
	warned map[string]bool // withheld digests already logged
}

// Job is one digest to send.
type Job struct {
	Period      Period
	Recipient   Recipient
	ScheduledAt time.Time
}

// NewScheduler checks o and returns a scheduler.
func NewScheduler(o SchedulerOptions) (*Scheduler, error) {
	if o.DB == nil || o.Setup == nil || o.Templates == nil {
		return nil, errors.New("digest: scheduler needs a database, a setup and templates")
	}
	if o.From.Email == "" || o.Desk == "" {
		return nil, errors.New("digest: scheduler needs the desk and the address to send from")
	}
	rep, err := NewReporter(o.DB, o.Setup)
	if err != nil {
		return nil, err
	}
	plan, err := NewPlan(o.Setup.Default, o.Daily, o.Weekly, o.Monthly)
	if err != nil {
		return nil, err
	}
	s := &Scheduler{o: o, rep: rep, plan: plan, log: o.Logger, nowFn: o.Now, period: o.Interval}
	for _, rc := range o.Recipients {
		if !strings.Contains(rc.Email, "@") {
			return nil, fmt.Errorf("digest: recipient %q is not an address", rc.Email)
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.nowFn == nil {
		s.nowFn = time.Now
	}
	if s.period <= 0 {
		s.period = time.Minute
	}
	return s, nil
}

// Plan is the scheduler's plan of digests.
func (s *Scheduler) Plan() *Plan { return s.plan }

// Latest returns the most recent scheduled digest of kind k at or before
// now (see Plan.Latest).
func (s *Scheduler) Latest(k Kind, now time.Time) (p Period, at time.Time, ok bool) {
	return s.plan.Latest(k, now)
}

// MaxCatchUp bounds how far back a digest sent after downtime reaches to
// cover the periods whose digests were missed.
const MaxCatchUp = 45 * 24 * time.Hour

// Due lists the digests that are due at now and not yet sent: for each
// kind that is on, the most recent scheduled one, per recipient. When the
// recipient's previous digest of that kind is older than the period before
// (the service was down), the period starts where that digest ended, so the
// missed periods' tickets are reported once, in this digest.
func (s *Scheduler) Due(ctx context.Context, now time.Time) ([]Job, error) {
	var jobs []Job
	first, active, err := s.firstActivity(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range []Kind{Daily, Weekly, Monthly} {
		p, at, ok := s.Latest(k, now)
		if !ok || !active || !p.To.After(first) {
			continue // nothing to report before the installation's first request
		}
		for _, rc := range s.o.Recipients {
			sent, err := s.o.DB.DigestSent(ctx, string(k), p.Key(), rc.Email)
			if err != nil {
				return nil, err
			}
			if !sent {
				cp, err := s.catchUp(ctx, p, rc)
				if err != nil {
					return nil, err
				}
				jobs = append(jobs, Job{Period: cp, Recipient: rc, ScheduledAt: at})
			}
		}
	}
	return jobs, nil
}

// firstActivity is when the installation took in its first request
// (SchedulerOptions.FirstActivity): digests never cover the time before it,
// so a fresh install does not mail empty digests for periods it did not see.
func (s *Scheduler) firstActivity(ctx context.Context) (time.Time, bool, error) {
	if s.o.FirstActivity == nil {
		return time.Time{}, true, nil
	}
	return s.o.FirstActivity(ctx)
}

// catchUp widens p back to the end of rc's last digest of its kind when
// digests were missed in between (at most MaxCatchUp).
func (s *Scheduler) catchUp(ctx context.Context, p Period, rc Recipient) (Period, error) {
	key, ok, err := s.o.DB.LastDigestSent(ctx, string(p.Kind), rc.Email)
	if err != nil || !ok || key >= p.Key() {
		return p, err
	}
	d, err := workcal.ParseDate(key)
	if err != nil {
		return p, nil // a key this version did not write: no catch-up
	}
	last, err := s.plan.Of(p.Kind, d)
	if err != nil || !last.To.Before(p.From) || p.From.Sub(last.To) > MaxCatchUp {
		return p, nil
	}
	p.From = last.To
	return p, nil
}

// notHead says why an organisation's digest must not go to rc ("" when it
// may): only the organisation's head in the directory (role head, not
// blocked) receives it, so a mistyped address or a head who has left never
// gets the organisation's tickets.
func (s *Scheduler) notHead(ctx context.Context, rc Recipient) (string, error) {
	if rc.OrgID == 0 {
		return "", nil
	}
	u, err := s.o.DB.UserByEmail(ctx, rc.Email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "not a user in the directory", nil
	case err != nil:
		return "", err
	case !u.OrgID.Valid || u.OrgID.Int64 != rc.OrgID:
		return fmt.Sprintf("not a user of organisation #%d", rc.OrgID), nil
	case u.Role != store.RoleHead:
		return "not the organisation's head in the directory (role head: otvet user add --head, or directory import)", nil
	case u.Blocked:
		return "blocked", nil
	}
	return "", nil
}

// warnOnce logs a withheld digest once per recipient and period.
func (s *Scheduler) warnOnce(job Job, why string) {
	key := string(job.Period.Kind) + " " + job.Period.Key() + " " + strings.ToLower(job.Recipient.Email)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.warned == nil {
		s.warned = map[string]bool{}
	}
	if s.warned[key] {
		return
	}
	s.warned[key] = true
	s.log.Warn("organisation digest withheld", "recipient", job.Recipient.Email, "org_id", job.Recipient.OrgID,
		"kind", string(job.Period.Kind), "period", job.Period.Key(), "why", why)
}

// Send builds the digest of job and queues it in the outbox, recording it
// in the same transaction. A digest another instance recorded first is not
// queued again (sent is then false, err nil).
func (s *Scheduler) Send(ctx context.Context, job Job, now time.Time) (sent bool, err error) {
	if why, err := s.notHead(ctx, job.Recipient); err != nil {
		return false, err
	} else if why != "" {
		s.warnOnce(job, why)
		return false, nil
	}
	d, err := s.rep.Build(ctx, s.o.Templates, job.Period, job.Recipient, now)
	if err != nil {
		return false, err
	}
	err = s.o.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := s.signReplyTo(ctx, tx, d, job.Recipient); err != nil {
			return err
		}
		o, err := Queue(ctx, tx, d, s.o.Desk, s.o.From, job.Recipient, now)
		if err != nil {
			return err
		}
		return tx.RecordDigest(ctx, string(job.Period.Kind), job.Period.Key(), job.Recipient.Email, o.ID, now)
	})
	if errors.Is(err, store.ErrDigestSent) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("digest: queue %s %s for %s: %w", job.Period.Kind, job.Period.Key(), job.Recipient.Email, err)
	}
	if s.o.Queued != nil {
		s.o.Queued()
	}
	return true, nil
}

// signReplyTo sets d's Reply-To to rc's own command address when rc is an
// active staff member and the digest is the operator's (an organisation's
// head is a customer: no staff address).
func (s *Scheduler) signReplyTo(ctx context.Context, tx *store.Tx, d *Digest, rc Recipient) error {
	support := s.o.Setup.Desk.SupportAddress
	if s.o.Signer == nil || rc.OrgID != 0 || support == "" {
		return nil
	}
	m, err := tx.StaffByEmail(ctx, rc.Email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || !m.Active {
		return err
	}
	addr, err := s.o.Signer.ReplyAddress(support, 0, m.ID, m.TokenEpoch)
	if err != nil {
		return err
	}
	d.ReplyTo = &mailout.Address{Name: s.o.Setup.Desk.DisplayName, Email: addr}
	return nil
}

// Queue composes d for rc and inserts it into the outbox (kind "digest",
// not counted as an automatic reply). It returns the outbox row.
func Queue(ctx context.Context, tx *store.Tx, d *Digest, desk string, from mailout.Address, rc Recipient, now time.Time) (*store.Outgoing, error) {
	b, err := mailout.Build(d.Outgoing(from, rc, now))
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	o := &store.Outgoing{Desk: desk, Kind: "digest", MessageID: b.MessageID, EnvelopeFrom: b.EnvelopeFrom,
		Recipients: strings.Join(b.Recipients, "\n"), RcptKey: b.Recipients[0], Subject: b.Subject, Raw: b.Raw,
		NextAttemptAt: b.NextAttemptAt, CreatedAt: now}
	if err := tx.InsertOutgoing(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// RunOnce sends every digest due now and returns how many were queued.
func (s *Scheduler) RunOnce(ctx context.Context) (int, error) {
	now := s.nowFn()
	jobs, err := s.Due(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, j := range jobs {
		sent, err := s.Send(ctx, j, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if sent {
			n++
			s.log.Info("digest queued", "kind", string(j.Period.Kind), "period", j.Period.Key(), "recipient", j.Recipient.Email,
				"org_id", j.Recipient.OrgID)
		}
	}
	return n, errors.Join(errs...)
}

// Run checks for due digests every Interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	return every(ctx, s.period, s.log, "digest scheduler", s.RunOnce)
}

// every runs once now and then every period until ctx ends; an error or a
// panic of one run is logged under what and the next run comes as usual.
func every(ctx context.Context, period time.Duration, log *slog.Logger, what string, once func(context.Context) (int, error)) error {
	t := time.NewTicker(period)
	defer t.Stop()
	run := func() {
		defer func() {
			if p := recover(); p != nil {
				log.Error(what+" panicked", "panic", fmt.Sprint(p))
			}
		}()
		if _, err := once(ctx); err != nil && ctx.Err() == nil {
			log.Error(what, "err", err)
		}
	}
	for {
		run()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
