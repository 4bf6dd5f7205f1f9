// Package helpdesk holds Otvet's use cases: it turns fetched mail into tickets
// and replies, decides what to answer, and queues the answers in the outbox —
// all in one transaction with the mailbox cursor.
package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
)

// Calendar is the business-time arithmetic a desk needs (workcal.Calendar).
type Calendar interface {
	Between(from, to time.Time) time.Duration
	Add(from time.Time, d time.Duration) time.Time
	IsOpen(t time.Time) bool
	NextOpen(t time.Time) time.Time
}

// Renderer renders a named mail template (mailout.Templates).
type Renderer interface {
	Render(lang, name string, data any) (mailout.Rendered, error)
}

// Desk is one support mailbox as the helpdesk sees it.
type Desk struct {
	Name           string
	SupportAddress string // sd@kgo66.ru
	DisplayName    string
	Language       string // ru | en
	Location       *time.Location
	Calendar       Calendar // nil: no due times are computed
	Level          string
	FirstResponse  time.Duration // SLA targets of the desk's default level
	Resolution     time.Duration
	// Identification: unknown senders must identify themselves (§4.2).
	Identification bool
	// DayLength is a full working day's business time (default 8h): the
	// unit of "working days" waits.
	DayLength time.Duration
	// Auth is how staff mail is authenticated on this desk.
	Auth StaffAuth
	// WarnPercent: agents are warned when a running SLA clock has used this
	// share of its target (1–99; 0: sla.DefaultWarnPercent).
	WarnPercent int
	// From is the From header and envelope sender of the desk's mail
	// (smtp.from; zero: DisplayName <SupportAddress>). Mail from it is our own.
	From mailout.Address
	// KeyChannel is how the access key is handed over in connection
	// protocols when the request and the operator say nothing
	// (registration.key_channel; "": mailout.KeyChannelDefault).
	KeyChannel string
}

// Options wire a Service. Zero values mean defaults where one exists.
type Options struct {
	DB               *store.DB
	Desks            []Desk
	Signer           *mailout.Signer
	Templates        Renderer
	Parse            mailmsg.Options
	MaxMessageBytes  int64         // the poller's limit, quoted to senders of larger mail
	AutoReplyPerHour int           // default 10; negative: no limit
	ReopenWindow     time.Duration // default 14 days
	Now              func() time.Time
	Logger           *slog.Logger
	// Queued is called after a commit that may have queued mail (wakes the outbox worker).
	Queued func()
	// Regulations tune the intake rules.
	Regulations Regulations
	// ResolvedCloseDays: a resolved ticket closes after this many working
	// days without a reply from the customer (default 3; negative: never).
	ResolvedCloseDays int
	// Retention: raw messages and files of tickets closed longer ago are purged (0: kept).
	Retention time.Duration
	// Wait: timers of a ticket waiting for the customer (tickets.wait_*).
	Wait WaitTimers
	// ParseTimeout bounds the parsing of one message (default 30 s): a
	// message that takes longer is quarantined (quarantine.go).
	ParseTimeout time.Duration
	// Knowledge is the knowledge base and canned answers (nil: none; kb.go).
	Knowledge Knowledge
	// AnnounceInterval paces announcements: the pause between two of
	// their messages (default announce.DefaultInterval).
	AnnounceInterval time.Duration
}

// WaitTimers are the working days after a #wait when the customer is
// reminded and when the ticket closes without their reply (0 or less: never).
type WaitTimers struct {
	ReminderDays int
	CloseDays    int
}

// Service implements intake (the mailin.Sink of every desk).
type Service struct {
	db         *store.DB
	desks      map[string]*Desk
	support    map[string]bool // every desk's support and From address, lower-cased
	signer     *mailout.Signer
	tmpl       Renderer
	parseOpts  mailmsg.Options
	autoMax    int
	maxMessage int64
	reopen     time.Duration
	now        func() time.Time
	log        *slog.Logger
	queued     func()
	regs       Regulations
	closeDays  int
	retention  time.Duration
	wait       WaitTimers
	guard      *guard // the poison-message guard (quarantine.go)
	kb         Knowledge
	// first is the first desk's name: announcements go out from it;
	// announceEvery paces them (announce.go).
	first         string
	announceEvery time.Duration
	obs           Observer // metrics (observe.go); nil: none
}

// LoopHeader marks every message Otvet sends, so that it never ingests its own mail.
const LoopHeader = mailout.LoopHeader

// New checks the options and builds the service.
func New(o Options) (*Service, error) {
	var errs []error
	if o.DB == nil {
		errs = append(errs, errors.New("helpdesk: no database"))
	}
	if o.Signer == nil {
		errs = append(errs, errors.New("helpdesk: no signer"))
	}
	if o.Templates == nil {
		errs = append(errs, errors.New("helpdesk: no templates"))
	}
	s := &Service{
		db: o.DB, desks: map[string]*Desk{}, support: map[string]bool{}, signer: o.Signer, tmpl: o.Templates,
		parseOpts: o.Parse, autoMax: o.AutoReplyPerHour, maxMessage: o.MaxMessageBytes, reopen: o.ReopenWindow, now: o.Now, log: o.Logger, queued: o.Queued, regs: o.Regulations, closeDays: o.ResolvedCloseDays, retention: o.Retention, wait: o.Wait,
	}
	for i := range o.Desks {
		d := o.Desks[i]
		if d.Name == "" || !strings.Contains(d.SupportAddress, "@") {
			errs = append(errs, fmt.Errorf("helpdesk: desk %q needs a name and a support address", d.Name))
			continue
		}
		if d.Location == nil {
			d.Location = time.UTC
		}
		if d.Language == "" {
			d.Language = "ru"
		}
		if d.DayLength <= 0 {
			d.DayLength = 8 * time.Hour
		}
		if d.From.Email == "" {
			d.From = mailout.Address{Name: d.DisplayName, Email: d.SupportAddress}
		}
		s.desks[d.Name] = &d
		s.support[strings.ToLower(d.SupportAddress)] = true
		s.support[strings.ToLower(d.From.Email)] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.parseOpts.LoopHeader = LoopHeader
	s.guard = newGuard(o.ParseTimeout)
	s.kb, s.announceEvery = o.Knowledge, o.AnnounceInterval
	if len(o.Desks) > 0 {
		s.first = o.Desks[0].Name
	}
	if s.autoMax == 0 {
		s.autoMax = 10
	}
	if s.regs.IdentifyWaitDays <= 0 {
		s.regs.IdentifyWaitDays = 3
	}
	if s.regs.Incident.FirstResponse <= 0 {
		s.regs.Incident = Targets{FirstResponse: time.Hour, Resolution: 8 * time.Hour}
	}
	clauses := map[string]string{}
	for k, v := range rules.DefaultClauses() {
		clauses[k] = v
	}
	for k, v := range s.regs.Clauses {
		clauses[k] = v
	}
	s.regs.Clauses = clauses
	if s.closeDays == 0 {
		s.closeDays = 3
	}
	if s.reopen == 0 {
		s.reopen = 14 * 24 * time.Hour
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.queued == nil {
		s.queued = func() {}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Cursor implements mailin.Sink.
func (s *Service) Cursor(ctx context.Context, mailbox string) (mailin.Cursor, error) {
	c, err := s.db.Cursor(ctx, mailbox)
	return mailin.Cursor{UIDValidity: c.UIDValidity, LastUID: c.LastUID}, err
}

// SetCursor implements mailin.Sink.
func (s *Service) SetCursor(ctx context.Context, mailbox string, c mailin.Cursor) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		return tx.SetCursor(ctx, mailbox, store.Cursor{UIDValidity: c.UIDValidity, LastUID: c.LastUID}, s.now().UTC())
	})
}

func (s *Service) desk(name string) (*Desk, error) {
	d, ok := s.desks[name]
	if !ok {
		return nil, fmt.Errorf("unknown desk %q", name)
	}
	return d, nil
}
