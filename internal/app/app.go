// Package app wires Otvet's parts from a validated configuration: the
// database, the helpdesk service, one IMAP poller per desk and the outbox worker.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/kb"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/web"
)

// App is a running installation.
type App struct {
	Config  *config.Config
	DB      *store.DB
	Service *helpdesk.Service
	Pollers []*mailin.Poller
	Outbox  *outbox.Worker
	// Settings are the desks' settings the service, the digests and the
	// command line share.
	Settings *Settings
	// Knowledge is the knowledge base and canned answers (kb.go).
	Knowledge *kb.Library
	// Metrics count intake, the scheduler and the outbox for /metrics (metrics.go).
	Metrics *web.Metrics
	log     *slog.Logger
	tmpl    *mailout.Templates
	now     func() time.Time
	signer  *mailout.Signer // signs reply addresses (the morning mail's and digests' own command addresses)
}

// Options adjust how the app is built; the zero value is what `otvet serve` uses.
type Options struct {
	// Migrate brings the schema up to date instead of refusing a stale one.
	Migrate bool
	// Now replaces the clock (tests, demo).
	Now func() time.Time
	// Dial replaces network dialling for IMAP (tests, demo).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Senders replace the SMTP senders by desk name (tests, demo).
	Senders map[string]outbox.Sender
}

// OpenDB opens the configured database.
func OpenDB(ctx context.Context, c *config.Config, log *slog.Logger) (*store.DB, error) {
	return store.Open(ctx, store.Options{
		Dialect: store.Dialect(c.Database.Driver), Path: c.Database.Path, DSN: c.Database.DSN.Reveal(), Logger: log,
	})
}

// RequireDB refuses to go on when the SQLite file does not exist, rather
// than leave an empty one behind: only migrate (and serve --migrate) create it.
func RequireDB(c *config.Config) error {
	if c.Database.Driver != string(store.SQLite) && c.Database.Driver != "" {
		return nil
	}
	if _, err := os.Stat(c.Database.Path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database %s does not exist: run \"otvet migrate\" (or \"otvet serve --migrate\") first", c.Database.Path)
	}
	return nil
}

// New builds the app from a validated configuration.
func New(ctx context.Context, c *config.Config, log *slog.Logger, o Options) (_ *App, err error) {
	if !o.Migrate {
		if err := RequireDB(c); err != nil {
			return nil, err
		}
	}
	db, err := OpenDB(ctx, c, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if o.Migrate {
		if _, err := db.Migrate(ctx); err != nil {
			return nil, err
		}
	} else if err := db.CheckSchema(ctx); err != nil {
		return nil, err
	}
	tmpl, err := mailout.LoadTemplates(c.Templates.Dir)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	// The first key signs; the previous ones still verify the reply
	// addresses mailed before a rotation (docs/security.md).
	key, previous := c.SigningKeys()
	signer, err := mailout.NewSigner(key, previous...)
	if err != nil {
		return nil, fmt.Errorf("secret_key, previous_secret_keys: %w", err)
	}
	settings, err := LoadSettings(c, log)
	if err != nil {
		return nil, err
	}
	a := &App{Config: c, DB: db, Settings: settings, log: log, tmpl: tmpl, now: o.Now, Metrics: web.NewMetrics()}
	a.signer = signer
	senders := o.Senders
	if senders == nil {
		senders = map[string]outbox.Sender{}
		for _, d := range c.Desks {
			s, err := newSMTPSender(d.SMTP)
			if err != nil {
				return nil, fmt.Errorf("desk %s smtp: %w", d.Name, err)
			}
			senders[d.Name] = s
		}
	}
	a.Outbox = outbox.New(db, outbox.Options{
		Senders: countSenders(senders, a.Metrics), IsPermanent: mailout.IsPermanent, GiveUpAfter: c.Outbox.GiveUpAfter.D(),
		RetryMin: c.Outbox.RetryMin.D(), RetryMax: c.Outbox.RetryMax.D(), PollInterval: c.Outbox.PollInterval.D(),
		Parallel: c.Outbox.Senders, Now: o.Now, Logger: log.With("component", "outbox"),
		// Agents hear of their ticket's mail given up (a.Service is set below).
		OnGiveUp: countGiveUps(a.Metrics, func(ctx context.Context, g store.Outgoing) error { return a.Service.Undelivered(ctx, g) }),
	})
	a.Knowledge = newKnowledge(ctx, c, db, log, now(o.Now))
	a.Service, err = helpdesk.New(helpdesk.Options{
		Knowledge: knowledge(c, a.Knowledge), AnnounceInterval: c.Outbox.AnnounceInterval.D(),
		DB: db, Desks: settings.Desks, Signer: signer, Templates: tmpl,
		Parse: mailmsg.Options{
			MaxAttachmentBytes: int64(c.Limits.MaxAttachmentBytes), MaxTotalAttachmentBytes: int64(c.Limits.MaxTotalAttachmentBytes),
			RiskyExtensions: c.Limits.Risky(), SpamHeaders: spamHeaders(c.Rules.Spam),
		},
		MaxMessageBytes: int64(c.Limits.MaxMessageBytes), AutoReplyPerHour: c.AutoReply.MaxPerHour,
		ReopenWindow: c.Tickets.ReopenWindow.D(), Now: o.Now, Logger: log.With("component", "intake"),
		Queued: a.Outbox.Wake, Regulations: Regulations(c), ResolvedCloseDays: c.Tickets.AutocloseDays,
		ParseTimeout: c.Limits.ParseTimeout.D(),
		Wait:         helpdesk.WaitTimers{ReminderDays: c.Tickets.WaitReminderDays, CloseDays: c.Tickets.WaitCloseDays},
		Retention:    time.Duration(c.Tickets.RetentionDays) * 24 * time.Hour,
	})
	if err != nil {
		return nil, err
	}
	a.Service.SetObserver(a.Metrics)
	if err := syncStaff(ctx, db, c.Staff, now(o.Now), log); err != nil {
		return nil, err
	}
	locker := db.MailboxLocker()
	for _, d := range c.Desks {
		tc, err := tlsConfig(d.IMAP.Host, d.IMAP.CAFile)
		if err != nil {
			return nil, fmt.Errorf("desk %s imap: %w", d.Name, err)
		}
		p, err := mailin.New(mailin.Options{
			Name: d.Name, Addr: net.JoinHostPort(d.IMAP.Host, strconv.Itoa(d.IMAP.Port)), Security: d.IMAP.Security,
			TLSConfig: tc, Username: d.IMAP.Username, Password: d.IMAP.Password.Reveal(), Folder: d.IMAP.Folder,
			ProcessedFolder: d.IMAP.ProcessedFolder, MarkSeen: *d.IMAP.MarkSeen, DisableIdle: !*d.IMAP.Idle,
			PollInterval: d.IMAP.PollInterval.D(), IdleCheck: d.IMAP.IdleCheck.D(), MaxMessageBytes: int64(c.Limits.MaxMessageBytes),
			BatchMessages: intakeBatch(db.Dialect()),
			Logger:        log.With("component", "poller", "desk", d.Name), Locker: locker, Dial: o.Dial,
		}, a.Service)
		if err != nil {
			return nil, fmt.Errorf("desk %s imap: %w", d.Name, err)
		}
		a.Pollers = append(a.Pollers, p)
	}
	return a, nil
}

// intakeBatch is the most messages intake commits in one transaction. On
// SQLite, 256 (the default): a longer batch rewrites the pages it shares
// less often (38 KB written per realistic message instead of 57 with 64).
// On PostgreSQL, 64: several instances may write one database, and a
// shorter transaction holds its locks for less time (on 2 cores, two
// instances took in 1.3–1.4 times one's mail with 256, 1.3–1.7 times with
// 64).
func intakeBatch(d store.Dialect) int {
	if d == store.Postgres {
		return 64
	}
	return mailin.DefaultBatchMessages
}

func tlsConfig(host, caFile string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s: no PEM certificate found", caFile)
	}
	tc.RootCAs = pool
	return tc, nil
}

func newSMTPSender(s config.SMTP) (*mailout.SMTPSender, error) {
	tc, err := tlsConfig(s.Host, s.CAFile)
	if err != nil {
		return nil, err
	}
	return mailout.NewSMTPSender(mailout.SMTPOptions{
		Host: s.Host, Port: s.Port, TLS: s.Security, Username: s.Username, Password: s.Password.Reveal(),
		TLSConfig: tc, HeloName: s.HeloName, Timeout: time.Minute,
	})
}

// Regulations maps the configuration's rules section onto the helpdesk's.
func Regulations(c *config.Config) helpdesk.Regulations {
	r := c.Rules
	return helpdesk.Regulations{
		Rules: rules.Config{
			Blocked:             rules.RuleSwitch{Disabled: !r.Blocked.On()},
			Offensive:           rules.RuleSwitch{Disabled: !r.Offensive.On()},
			Identification:      rules.RuleSwitch{Disabled: !r.Identification.On()},
			Maintenance:         rules.RuleSwitch{Disabled: !r.Maintenance.On()},
			Unclear:             rules.RuleSwitch{Disabled: !r.Unclear.On()},
			Quality:             rules.RuleSwitch{Disabled: !r.Quality.On()},
			OutOfScope:          rules.RuleSwitch{Disabled: !r.OutOfScope.On()},
			Incident:            rules.RuleSwitch{Disabled: !r.Incident.On()},
			OffensiveExtraWords: r.Offensive.ExtraWords,
			OffensiveExceptions: r.Offensive.Exceptions,
			OutOfScopePhrases:   r.OutOfScope.Phrases,
			IncidentPhrases:     r.Incident.Phrases,
		},
		Clauses:          clauses(c),
		IdentifyWaitDays: r.Identification.WaitDays,
		IncidentContacts: r.Incident.Contacts,
		Incident:         helpdesk.Targets{FirstResponse: r.Incident.FirstResponse.D(), Resolution: r.Incident.Resolution.D()},
		Levels:           targets(levels(c)),
		// Contractors (docs/contractors.md).
		PauseWithContractor: c.PauseWithContractor(), ContractorAlertAfter: c.Tickets.ContractorAlertAfter.D(),
	}
}

// spamHeaders are the MX verdicts that mark spam (nil: mailmsg's defaults;
// none when the rule is off).
func spamHeaders(r config.SpamRule) []string {
	if !r.On() {
		return []string{}
	}
	return r.Headers
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// PollOnce makes one pass over every mailbox, then sends what is due.
// Every mailbox is tried even when one fails; the errors are joined.
func (a *App) PollOnce(ctx context.Context) (map[string]mailin.Stats, outbox.Stats, error) {
	return a.poll(ctx, true)
}

// PollOnceNoSend is PollOnce leaving queued mail in the outbox.
func (a *App) PollOnceNoSend(ctx context.Context) (map[string]mailin.Stats, error) {
	st, _, err := a.poll(ctx, false)
	return st, err
}

func (a *App) poll(ctx context.Context, send bool) (map[string]mailin.Stats, outbox.Stats, error) {
	stats := map[string]mailin.Stats{}
	var errs []error
	for i, p := range a.Pollers {
		st, err := p.PollOnce(ctx)
		stats[a.Config.Desks[i].Name] = st
		if errors.Is(err, mailin.ErrLocked) {
			a.log.Info("mailbox skipped: another instance is polling it", "desk", a.Config.Desks[i].Name)
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("desk %s: %w", a.Config.Desks[i].Name, err))
		}
	}
	if err := a.Service.Settle(ctx); err != nil {
		errs = append(errs, err)
	}
	a.reloadKB(ctx)
	if _, err := a.Service.Tick(ctx); err != nil {
		errs = append(errs, err)
	}
	var ost outbox.Stats
	if send {
		var err error
		if ost, err = a.Outbox.Drain(ctx); err != nil {
			errs = append(errs, fmt.Errorf("outbox: %w", err))
		}
	}
	return stats, ost, errors.Join(errs...)
}

// Serve runs every poller and the outbox worker until ctx is cancelled.
func (a *App) Serve(ctx context.Context) error {
	var wg sync.WaitGroup
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					a.log.Error("component panicked", "component", name, "panic", fmt.Sprint(p))
				}
			}()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("component stopped", "component", name, "err", err)
			}
		}()
	}
	for i, p := range a.Pollers {
		run("poller "+a.Config.Desks[i].Name, p.Run)
	}
	run("outbox", a.Outbox.Run)
	run("scheduler", a.runScheduler)
	if ds, err := a.DigestScheduler(); err != nil {
		a.log.Error("digests are off", "err", err)
	} else if ds != nil {
		run("digests", ds.Run)
	}
	if ms, err := a.MorningMail(); err != nil {
		a.log.Error("the morning mail is off", "err", err)
	} else if ms != nil {
		run("morning mail", ms.Run)
	}
	a.log.Info("otvet serving", "desks", len(a.Pollers), "database", a.Config.Database.Driver)
	<-ctx.Done()
	wg.Wait()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := a.Service.Settle(sctx); err != nil {
		a.log.Warn("the intake attempts left by this process were not cleared: the next start takes those messages one at a time", "err", err)
	}
	a.log.Info("otvet stopped")
	return nil
}

// runScheduler makes the time-driven ticket changes every half minute.
func (a *App) runScheduler(ctx context.Context) error {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		a.reloadKB(ctx)
		if _, err := a.Service.Tick(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func now(f func() time.Time) time.Time {
	if f == nil {
		return time.Now().UTC()
	}
	return f().UTC()
}

// syncStaff adds the staff listed in the configuration who are not in the
// database yet (active unless the entry says active: false). A member the
// database already has keeps its name, role and active flag: from then on
// 'otvet staff' is the authority, so a 'staff disable' survives restarts.
// The one change the configuration makes to an existing member is active:
// false, which disables them at every start; it never re-activates anyone.
// Differences the database wins are logged.
func syncStaff(ctx context.Context, db *store.DB, members []config.StaffMember, at time.Time, log *slog.Logger) error {
	if len(members) == 0 {
		return nil
	}
	return db.Tx(ctx, func(tx *store.Tx) error {
		for _, m := range members {
			old, err := tx.StaffByEmail(ctx, m.Email)
			switch {
			case errors.Is(err, store.ErrNotFound):
				s := &store.Staff{Email: m.Email, Name: m.Name, Role: m.Role, Active: !m.Disabled()}
				if err := tx.UpsertStaff(ctx, s, "config", at); err != nil {
					return fmt.Errorf("staff %s: %w", m.Email, err)
				}
				continue
			case err != nil:
				return fmt.Errorf("staff %s: %w", m.Email, err)
			}
			if m.Disabled() && old.Active {
				old.Active = false
				if err := tx.UpsertStaff(ctx, old, "config", at); err != nil {
					return fmt.Errorf("staff %s: %w", m.Email, err)
				}
				continue
			}
			if old.Name != m.Name || old.Role != m.Role || (m.Active != nil && *m.Active != old.Active) {
				log.Warn("staff member differs from the configuration; the database wins (change it with 'otvet staff')",
					"email", old.Email, "name", old.Name, "role", old.Role, "active", old.Active,
					"config_name", m.Name, "config_role", m.Role)
			}
		}
		return nil
	})
}

// DigestScheduler builds the managers' digest scheduler from the configuration
// (nil when there are no recipients).
func (a *App) DigestScheduler() (*digest.Scheduler, error) {
	c := a.Config
	if len(c.Digests.Recipients) == 0 || len(c.Desks) == 0 {
		return nil, nil
	}
	var rcpts []digest.Recipient
	for _, r := range c.Digests.Recipients {
		rcpts = append(rcpts, digest.Recipient{Email: r.Email, Name: r.Name, Lang: r.Lang, OrgID: r.OrganisationID})
	}
	daily, weekly, monthly := DigestSchedules(c.Digests)
	setup := a.Settings.Digest()
	return digest.NewScheduler(digest.SchedulerOptions{
		DB: a.DB, FirstActivity: a.DB.FirstActivity, Setup: setup, Templates: a.tmpl, Recipients: rcpts,
		Daily: daily, Weekly: weekly, Monthly: monthly,
		Desk: setup.Desk.Name, From: setup.Desk.From,
		Queued: a.Outbox.Wake, Now: a.now, Logger: a.log.With("component", "digest"), Signer: a.signer,
	})
}
