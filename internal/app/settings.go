package app

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/workcal"
)

// Settings are the desks' settings, assembled from the configuration in this
// one place: each desk's zone, production calendar (working hours, shorter
// pre-holiday days, the shared overrides file), support level and its
// targets, language, sender and staff authentication; the support levels;
// the clauses of the regulations. Intake (Helpdesk), digests and reports
// (Digest) and the command line all take them from here, so they agree.
type Settings struct {
	// Desks in configuration order, as the helpdesk sees them.
	Desks []helpdesk.Desk
	// Calendars by desk name (the same calendars as Desks[i].Calendar).
	Calendars map[string]*workcal.Calendar
	// Default is the first desk's calendar; without desks, the production
	// calendar in workcal.DefaultZone. Reports count their days on it and
	// digests are planned on it.
	Default *workcal.Calendar
	// Levels are the support levels by name.
	Levels map[string]sla.Level
	// Clauses map reason codes to the clauses of the regulations: the
	// defaults with the configuration's rules.clauses over them.
	Clauses map[string]string
}

// LoadSettings assembles the desks' settings. It reads only the desks, the
// calendar, the support levels, the clauses and tickets.sla_warn_percent,
// so it also serves commands whose configuration is checked for its
// database section only.
func LoadSettings(c *config.Config, log *slog.Logger) (*Settings, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var ovs workcal.Overrides
	if f := c.Calendar.OverridesFile; f != "" {
		fh, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("calendar.overrides_file: %w", err)
		}
		ovs, err = workcal.ParseOverrides(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("calendar.overrides_file %s: %w", f, err)
		}
	}
	s := &Settings{Calendars: map[string]*workcal.Calendar{}, Levels: levels(c), Clauses: clauses(c)}
	for _, d := range c.Desks {
		loc, err := time.LoadLocation(d.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("desk %s: %w", d.Name, err)
		}
		start, _ := config.ParseClock(d.Hours.Start)
		end, _ := config.ParseClock(d.Hours.End)
		shortEnd, _ := config.ParseClock(d.Hours.ShortEnd)
		cal, err := workcal.New(workcal.Options{
			Location: loc, Hours: workcal.Hours{Start: start, End: end}, ShortHours: workcal.Hours{Start: start, End: shortEnd},
			Overrides: ovs, Logger: log.With("desk", d.Name),
		})
		if err != nil {
			return nil, fmt.Errorf("desk %s calendar: %w", d.Name, err)
		}
		s.Calendars[d.Name] = cal
		if s.Default == nil {
			s.Default = cal
		}
		lvl := s.Levels[d.SupportLevel]
		fromName, fromAddr := d.Sender()
		identification := true
		if d.Identification != nil {
			identification = *d.Identification
		}
		s.Desks = append(s.Desks, helpdesk.Desk{
			From: mailout.Address{Name: fromName, Email: fromAddr},
			Name: d.Name, SupportAddress: d.SupportAddress, DisplayName: d.DisplayName, Language: d.Language,
			Location: loc, Calendar: cal, Level: lvl.Name, FirstResponse: lvl.FirstResponse, Resolution: lvl.Resolution,
			Identification: identification, DayLength: end - start,
			Auth: helpdesk.StaffAuth{RequireAuthResults: d.RequireAuthenticationResults, TrustedAuthServID: d.TrustedAuthServID,
				ShowAgentAddress: d.ShowAgentAddress},
			WarnPercent: c.Tickets.SLAWarnPercent,
			KeyChannel:  c.Registration.KeyChannel,
		})
	}
	if s.Default == nil {
		cal, err := workcal.New(workcal.Options{Overrides: ovs, Logger: log})
		if err != nil {
			return nil, err
		}
		s.Default = cal
	}
	return s, nil
}

// Desk is the named desk's settings; "" names the first desk.
func (s *Settings) Desk(name string) (*helpdesk.Desk, bool) {
	for i := range s.Desks {
		if name == "" || s.Desks[i].Name == name {
			return &s.Desks[i], true
		}
	}
	return nil, false
}

// Location is the time zone of the named desk ("" the first one): the zone
// the command line reads local times and dates in. Without desks it is the
// default calendar's.
func (s *Settings) Location(name string) (*time.Location, bool) {
	if d, ok := s.Desk(name); ok {
		return d.Location, true
	}
	if name == "" {
		return s.Default.Location(), true
	}
	return nil, false
}

// Clause is the clause of the regulations a reason code refers to.
func (s *Settings) Clause(reason string) string { return s.Clauses[reason] }

// Targets are the support levels as the helpdesk's SLA targets.
func (s *Settings) Targets() map[string]helpdesk.Targets { return targets(s.Levels) }

// levels are the configured support levels by name.
func levels(c *config.Config) map[string]sla.Level {
	ls := map[string]sla.Level{}
	for _, l := range c.SupportLevels {
		ls[l.Name] = sla.Level{Name: l.Name, FirstResponse: l.FirstResponse.D(), Resolution: l.Resolution.D()}
	}
	return ls
}

func targets(levels map[string]sla.Level) map[string]helpdesk.Targets {
	t := make(map[string]helpdesk.Targets, len(levels))
	for name, l := range levels {
		t[name] = helpdesk.Targets{FirstResponse: l.FirstResponse, Resolution: l.Resolution}
	}
	return t
}

// clauses are the default clauses of the regulations with the
// configuration's rules.clauses over them (an empty one keeps the default).
func clauses(c *config.Config) map[string]string {
	cl := rules.DefaultClauses()
	for k, v := range c.Rules.Clauses {
		if v != "" {
			cl[k] = v
		}
	}
	return cl
}

// Digest is what digests and reports need of the settings: the calendars,
// the levels, the clauses, and the first desk, which sends the digests.
func (s *Settings) Digest() *digest.Setup {
	ds := &digest.Setup{Calendars: s.Calendars, Default: s.Default, Levels: s.Levels, Clauses: s.Clauses}
	if d, ok := s.Desk(""); ok {
		ds.Desk = digest.Sender{Name: d.Name, DisplayName: d.DisplayName, SupportAddress: d.SupportAddress, From: d.From}
	}
	return ds
}

// DigestSchedules are the configured schedules of the daily, weekly and
// monthly digests.
func DigestSchedules(c config.Digests) (daily, weekly, monthly digest.Schedule) {
	sc := func(d config.DigestSchedule) digest.Schedule { return digest.Schedule{Off: !d.On(), Hour: d.Hour} }
	return sc(c.Daily), sc(c.Weekly), sc(c.Monthly)
}

// DigestPlan is the plan of the configured digests on the default calendar
// (the one otvet serve sends on).
func (s *Settings) DigestPlan(c config.Digests) (*digest.Plan, error) {
	d, w, m := DigestSchedules(c)
	return digest.NewPlan(s.Default, d, w, m)
}
