package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strconv"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/doctor"
	"github.com/otvet/otvet/internal/store"
)

// MXRecheck is how often otvet serve repeats a desk's MX probe while it fails.
const MXRecheck = time.Hour

// DoctorChecks are the checks of otvet doctor after the configuration's
// own: the database and the production calendar's years, then for each desk
// (only the one named, unless desk is "") the DNS of its support address's
// domain, its IMAP login, its SMTP session and the MX probe, which waits up
// to timeout for the probe to arrive.
func DoctorChecks(c *config.Config, desk string, timeout time.Duration, log *slog.Logger) ([]doctor.Check, error) {
	checks := []doctor.Check{{Name: "database", Run: func(ctx context.Context) doctor.Result {
		if err := RequireDB(c); err != nil {
			return doctor.Result{Status: doctor.Error, Message: err.Error(), Fix: "run otvet migrate"}
		}
		return doctor.Database(ctx, func(ctx context.Context) (*store.DB, error) { return OpenDB(ctx, c, log) })
	}}, {Name: doctor.CheckCalendar, Run: func(context.Context) doctor.Result {
		s, err := LoadSettings(c, log)
		if err != nil || s.Default == nil {
			return doctor.Result{Status: doctor.Error, Message: fmt.Sprintf("the calendar cannot be built: %v", err),
				Fix: "correct calendar.overrides_file (docs/calendar.md) or the desks' time_zone and hours"}
		}
		return doctor.CalendarYears(s.Default, c.Calendar.OverridesFile, time.Now())
	}}}
	found := desk == ""
	for _, d := range c.Desks {
		if desk != "" && d.Name != desk {
			continue
		}
		found = true
		p, err := MXProbe(d, timeout, log)
		if err != nil {
			return nil, err
		}
		smtpAddr := net.JoinHostPort(d.SMTP.Host, strconv.Itoa(d.SMTP.Port))
		checks = append(checks,
			doctor.Check{Name: doctor.CheckDNS, Desk: d.Name, Run: func(ctx context.Context) doctor.Result {
				return doctor.SupportDNS(ctx, net.DefaultResolver, d.SupportAddress)
			}},
			doctor.Check{Name: "imap", Desk: d.Name, Run: func(ctx context.Context) doctor.Result { return doctor.IMAPLogin(ctx, p.IMAP) }},
			doctor.Check{Name: "smtp", Desk: d.Name, Run: func(ctx context.Context) doctor.Result {
				return doctor.SMTPConnect(ctx, p.Sender.(doctor.SMTPChecker), smtpAddr)
			}},
			doctor.Check{Name: doctor.CheckMX, Desk: d.Name, Run: func(ctx context.Context) doctor.Result {
				return doctor.MXStripsAuthResults(ctx, p)
			}},
		)
	}
	if !found {
		return nil, fmt.Errorf("no desk named %q", desk)
	}
	return checks, nil
}

// MXProbe is the MX probe of desk d, through the desk's own SMTP relay and
// IMAP mailbox with the TLS settings the service uses.
func MXProbe(d config.Desk, timeout time.Duration, log *slog.Logger) (doctor.Probe, error) {
	sender, err := newSMTPSender(d.SMTP)
	if err != nil {
		return doctor.Probe{}, fmt.Errorf("desk %s smtp: %w", d.Name, err)
	}
	tc, err := tlsConfig(d.IMAP.Host, d.IMAP.CAFile)
	if err != nil {
		return doctor.Probe{}, fmt.Errorf("desk %s imap: %w", d.Name, err)
	}
	envFrom := d.SupportAddress
	if a, err := mail.ParseAddress(d.SMTP.From); err == nil {
		envFrom = a.Address
	}
	folders := []string{d.IMAP.Folder}
	if d.IMAP.ProcessedFolder != "" {
		folders = append(folders, d.IMAP.ProcessedFolder)
	}
	return doctor.Probe{
		Desk: d.Name, SupportAddress: d.SupportAddress, EnvelopeFrom: envFrom,
		TrustedAuthServID: d.TrustedAuthServID, Required: d.RequireAuthenticationResults,
		Sender: sender, Timeout: timeout, Logger: log,
		IMAP: doctor.IMAP{
			Addr: net.JoinHostPort(d.IMAP.Host, strconv.Itoa(d.IMAP.Port)), Security: d.IMAP.Security, TLSConfig: tc,
			Username: d.IMAP.Username, Password: d.IMAP.Password.Reveal(), Folders: folders,
		},
	}, nil
}

// WatchMX runs the MX probe for every desk with
// require_authentication_results on, in the background of otvet serve, and
// logs the result: INFO when the MX strips forged headers, WARN when the
// first probe is inconclusive, ERROR when it does not strip them. A desk
// whose probe did not show stripping is probed again every MXRecheck, and
// each failure logged as an ERROR, until it does. It does not wait for the
// probes: they end with ctx.
func WatchMX(ctx context.Context, c *config.Config, log *slog.Logger) {
	for _, d := range c.Desks {
		if !d.RequireAuthenticationResults {
			continue
		}
		p, err := MXProbe(d, doctor.DefaultProbeTimeout, log.With("component", "doctor", "desk", d.Name))
		if err != nil {
			log.Error("mx probe not run", "desk", d.Name, "err", err)
			continue
		}
		go watchDesk(ctx, p, log.With("component", "doctor", "desk", d.Name))
	}
}

func watchDesk(ctx context.Context, p doctor.Probe, log *slog.Logger) {
	for attempt := 0; ; attempt++ {
		r := doctor.MXStripsAuthResults(ctx, p)
		if ctx.Err() != nil {
			return
		}
		attrs := []any{"verdict", r.Verdict, "result", r.Message}
		if r.Fix != "" {
			attrs = append(attrs, "fix", r.Fix)
		}
		switch r.Verdict {
		case doctor.Stripped:
			if r.Status == doctor.OK {
				log.Info("mx probe: the MX strips forged Authentication-Results", attrs...)
			} else {
				log.Warn("mx probe: forged Authentication-Results are stripped, but staff mail will be refused", attrs...)
			}
			return
		case doctor.NotStripped:
			log.Error("mx probe: the MX does not strip forged Authentication-Results: staff authentication cannot be trusted", attrs...)
		default:
			if attempt == 0 { // the MX may be slow at start
				log.Warn("mx probe inconclusive", attrs...)
			} else {
				log.Error("mx probe still inconclusive: the MX's stripping of forged Authentication-Results is unverified", attrs...)
			}
		}
		t := time.NewTimer(MXRecheck)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
