package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// KindMorning is the morning mail's kind in digests_sent (one row per agent
// and day: it goes out once, also with several instances or after a restart).
const KindMorning = "morning"

// morningList caps each list of the morning mail; the rest is counted.
const morningList = 30

// MorningDB is what the morning mail needs from the store (*store.DB).
type MorningDB interface {
	MorningAgents(ctx context.Context) ([]store.Staff, error)
	DigestSent(ctx context.Context, kind, periodStart, recipient string) (bool, error)
	FindTickets(ctx context.Context, f store.TicketFilter) ([]store.QueueItem, error)
	PlannedTickets(ctx context.Context, day string) ([]store.Ticket, error)
	OrgByID(ctx context.Context, id int64) (*store.Org, error)
	Tx(ctx context.Context, fn func(tx *store.Tx) error) error
}

// AddressSigner makes signed reply addresses (*mailout.Signer). An agent's
// own command address is the one of ticket 0 and the agent's staff id, with
// the member's token epoch (store.Staff.TokenEpoch).
type AddressSigner interface {
	ReplyAddress(support string, ticketID, participantID, epoch int64) (string, error)
}

// MorningOptions configure the morning mail. Zero values mean defaults.
type MorningOptions struct {
	DB        MorningDB
	Calendar  *workcal.Calendar // the desk's production calendar and zone
	Templates Renderer
	Lang      string // the desk's language, "ru" or "en"
	// Desk is the outbox desk that sends the mail, From its address;
	// DeskName and SupportAddress sign it.
	Desk                     string
	From                     mailout.Address
	DeskName, SupportAddress string
	// Signer signs each agent's command address for the Reply-To (nil: none).
	Signer AddressSigner
	// BaseURL is the console's address: each line links its ticket ("" none).
	BaseURL  string
	Interval time.Duration // between checks; 0 means one minute
	Queued   func()
	Now      func() time.Time
	Logger   *slog.Logger
}

// Morning sends each active agent and lead whose setting is on
// (store.Staff.MorningMail) one mail at the desk's opening on each working
// day of the production calendar: their active tickets by due time, the
// unassigned queue, the day's visits and what falls due before closing.
// After downtime the day's mail still goes out until the day's closing
// time, once: it is recorded in digests_sent in the transaction that
// queues it.
type Morning struct {
	o      MorningOptions
	log    *slog.Logger
	nowFn  func() time.Time
	period time.Duration
}

// NewMorning checks o and returns the morning mail's scheduler.
func NewMorning(o MorningOptions) (*Morning, error) {
	if o.DB == nil || o.Calendar == nil || o.Templates == nil {
		return nil, errors.New("digest: the morning mail needs a database, a calendar and templates")
	}
	if o.From.Email == "" || o.Desk == "" {
		return nil, errors.New("digest: the morning mail needs the desk and the address to send from")
	}
	if o.Lang != "en" {
		o.Lang = "ru"
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	m := &Morning{o: o, log: o.Logger, nowFn: o.Now, period: o.Interval}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.nowFn == nil {
		m.nowFn = time.Now
	}
	if m.period <= 0 {
		m.period = time.Minute
	}
	return m, nil
}

// MorningJob is one morning mail to send.
type MorningJob struct {
	Agent store.Staff
	Day   workcal.DayInfo
}

// Due lists the morning mails due at now and not sent yet: none before the
// day's opening, after its closing or on a day off.
func (m *Morning) Due(ctx context.Context, now time.Time) ([]MorningJob, error) {
	day, ok, err := m.workingDay(now)
	if err != nil || !ok {
		return nil, err
	}
	agents, err := m.o.DB.MorningAgents(ctx)
	if err != nil {
		return nil, err
	}
	var jobs []MorningJob
	for _, a := range agents {
		sent, err := m.o.DB.DigestSent(ctx, KindMorning, day.Date.String(), a.Email)
		if err != nil {
			return nil, err
		}
		if !sent {
			jobs = append(jobs, MorningJob{Agent: a, Day: day})
		}
	}
	return jobs, nil
}

// workingDay is now's day when the desk is within its working hours.
func (m *Morning) workingDay(now time.Time) (workcal.DayInfo, bool, error) {
	loc := m.o.Calendar.Location()
	day, err := m.o.Calendar.Day(workcal.DateOf(now.In(loc)))
	if err != nil {
		return day, false, fmt.Errorf("digest: morning mail: %w", err)
	}
	if day.Open.IsZero() || now.Before(day.Open) || !now.Before(day.Close) {
		return day, false, nil
	}
	return day, true, nil
}

// Build renders job's mail as of now.
func (m *Morning) Build(ctx context.Context, job MorningJob, now time.Time) (mailout.Outgoing, error) {
	data, err := m.Data(ctx, job, now)
	if err != nil {
		return mailout.Outgoing{}, err
	}
	r, err := m.o.Templates.Render(m.o.Lang, mailout.TmplMorning, data)
	if err != nil {
		return mailout.Outgoing{}, fmt.Errorf("digest: morning mail: %w", err)
	}
	o := mailout.Outgoing{Rendered: r, From: m.o.From, To: []mailout.Address{{Name: job.Agent.Name, Email: job.Agent.Email}},
		Date: now, AutoSubmitted: "auto-generated",
		Headers: map[string]string{"X-Otvet-Digest": KindMorning + " " + job.Day.Date.String()}}
	if data.CommandAddress != "" {
		o.ReplyTo = &mailout.Address{Name: m.o.DeskName, Email: data.CommandAddress}
	}
	return o, nil
}

// Data is the morning mail's content for job as of now.
func (m *Morning) Data(ctx context.Context, job MorningJob, now time.Time) (mailout.MorningData, error) {
	lang, loc := m.o.Lang, m.o.Calendar.Location()
	d := mailout.MorningData{Name: job.Agent.Name, Day: formatDate(job.Day.Open, lang),
		Opens: job.Day.Open.In(loc).Format("15:04"), Closes: job.Day.Close.In(loc).Format("15:04"),
		DeskName: m.o.DeskName, SupportAddress: m.o.SupportAddress}
	if m.o.Signer != nil && m.o.SupportAddress != "" {
		addr, err := m.o.Signer.ReplyAddress(m.o.SupportAddress, 0, job.Agent.ID, job.Agent.TokenEpoch)
		if err != nil {
			return d, fmt.Errorf("digest: morning mail: %w", err)
		}
		d.CommandAddress = addr
	}
	active := []string{store.StatusActive}
	mine, err := m.o.DB.FindTickets(ctx, store.TicketFilter{Statuses: active, Assignee: job.Agent.Email, Now: now, Limit: 1000})
	if err != nil {
		return d, err
	}
	free, err := m.o.DB.FindTickets(ctx, store.TicketFilter{Statuses: active, Unassigned: true, Now: now, Limit: 1000})
	if err != nil {
		return d, err
	}
	line := func(q *store.QueueItem) mailout.MorningTicket {
		t := mailout.MorningTicket{Number: q.ID, Subject: q.Subject, Organisation: q.OrgName, Status: q.Status, Link: m.link(q.ID)}
		if due := q.Due(); !due.IsZero() {
			t.Due = formatTime(due.In(loc), lang)
			t.Overdue = running(q.Status) && due.Before(now)
		}
		return t
	}
	for _, list := range []struct {
		items []store.QueueItem
		out   *[]mailout.MorningTicket
		more  *int
	}{{mine, &d.Mine, &d.MoreMine}, {free, &d.Unassigned, &d.MoreUnassigned}} {
		for i := range list.items {
			q := &list.items[i]
			if i < morningList {
				*list.out = append(*list.out, line(q))
			} else {
				*list.more++
			}
			if due := q.Due(); running(q.Status) && !due.IsZero() && !due.Before(now) && due.Before(job.Day.Close) {
				d.BreachToday = append(d.BreachToday, line(q))
			}
		}
	}
	visits, err := m.o.DB.PlannedTickets(ctx, job.Day.Date.String())
	if err != nil {
		return d, err
	}
	orgs := map[int64]string{}
	for _, t := range visits {
		v := mailout.MorningTicket{Number: t.ID, Subject: t.Subject, Status: t.Status, Agent: t.Assignee, Link: m.link(t.ID)}
		if t.OrgID.Valid {
			name, ok := orgs[t.OrgID.Int64]
			if !ok {
				o, err := m.o.DB.OrgByID(ctx, t.OrgID.Int64)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return d, err
				}
				if o != nil {
					name = o.Name
				}
				orgs[t.OrgID.Int64] = name
			}
			v.Organisation = name
		}
		d.Visits = append(d.Visits, v)
	}
	return d, nil
}

// running: the states whose SLA clocks count (a due time can pass).
func running(status string) bool { return status == store.StatusOpen || status == store.StatusPlanned }

func (m *Morning) link(id int64) string {
	if m.o.BaseURL == "" {
		return ""
	}
	return m.o.BaseURL + "/tickets/" + strconv.FormatInt(id, 10)
}

// Send queues job's mail and records it in the same transaction. A mail
// another instance recorded first is not queued again (sent false, err nil).
func (m *Morning) Send(ctx context.Context, job MorningJob, now time.Time) (sent bool, err error) {
	o, err := m.Build(ctx, job, now)
	if err != nil {
		return false, err
	}
	b, err := mailout.Build(o)
	if err != nil {
		return false, fmt.Errorf("digest: morning mail: %w", err)
	}
	err = m.o.DB.Tx(ctx, func(tx *store.Tx) error {
		row := &store.Outgoing{Desk: m.o.Desk, Kind: KindMorning, MessageID: b.MessageID, EnvelopeFrom: b.EnvelopeFrom,
			Recipients: strings.Join(b.Recipients, "\n"), RcptKey: b.Recipients[0], Subject: b.Subject, Raw: b.Raw,
			NextAttemptAt: b.NextAttemptAt, CreatedAt: now}
		if err := tx.InsertOutgoing(ctx, row); err != nil {
			return err
		}
		return tx.RecordDigest(ctx, KindMorning, job.Day.Date.String(), job.Agent.Email, row.ID, now)
	})
	if errors.Is(err, store.ErrDigestSent) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("digest: queue the morning mail of %s for %s: %w", job.Day.Date, job.Agent.Email, err)
	}
	if m.o.Queued != nil {
		m.o.Queued()
	}
	return true, nil
}

// RunOnce sends every morning mail due now and returns how many were queued.
func (m *Morning) RunOnce(ctx context.Context) (int, error) {
	now := m.nowFn()
	jobs, err := m.Due(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, j := range jobs {
		sent, err := m.Send(ctx, j, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if sent {
			n++
			m.log.Info("morning mail queued", "day", j.Day.Date.String(), "agent", j.Agent.Email)
		}
	}
	return n, errors.Join(errs...)
}

// Run checks for due morning mail every Interval until ctx ends.
func (m *Morning) Run(ctx context.Context) error {
	return every(ctx, m.period, m.log, "morning mail", m.RunOnce)
}

// ErrNotStaff: the address is not a staff member's.
var ErrNotStaff = errors.New("not a staff member")

// SetMorningMail switches a staff member's morning mail in its own
// transaction (`otvet staff edit EMAIL --morning on|off`), recorded as a
// staff_morning audit event with actor; changed is false when it already
// was so.
func SetMorningMail(ctx context.Context, db Txer, email string, on bool, actor string, now time.Time) (changed bool, err error) {
	err = db.Tx(ctx, func(tx *store.Tx) (err error) {
		changed, err = tx.SetMorningMail(ctx, email, on, actor, now)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, fmt.Errorf("%s: %w", strings.TrimSpace(email), ErrNotStaff)
	}
	return changed, err
}
