// Package digest builds SLA digests and reports for managers: figures in
// business time computed from the tickets' stored SLA clocks, rendered as a
// mail (HTML with an inline chart, text, a CSV of the tickets) or as a
// report (text, JSON, CSV), and sent on a schedule of the production
// calendar. See docs/digest.md.
package digest

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/workcal"
)

// Setup is what reports need from the configuration: each desk's calendar,
// the support levels and the clauses of the regulations.
type Setup struct {
	// Calendars by desk name; Default is used for tickets of other desks and
	// for the report's own day boundaries (the first desk's calendar).
	Calendars map[string]*workcal.Calendar
	Default   *workcal.Calendar
	Levels    map[string]sla.Level
	Clauses   map[string]string
	// Desk is the first desk: digests are sent from its address.
	Desk config.Desk
}

// FromConfig builds the calendars like otvet serve does (each desk's zone and
// hours, the shared overrides file), the levels and the clauses.
func FromConfig(c *config.Config, log *slog.Logger) (*Setup, error) {
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
	s := &Setup{Calendars: map[string]*workcal.Calendar{}, Levels: map[string]sla.Level{}, Clauses: DefaultClauses()}
	for k, v := range c.Rules.Clauses {
		s.Clauses[k] = v
	}
	for _, l := range c.SupportLevels {
		s.Levels[l.Name] = sla.Level{Name: l.Name, FirstResponse: l.FirstResponse.D(), Resolution: l.Resolution.D()}
	}
	for i, d := range c.Desks {
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
		if i == 0 {
			s.Default, s.Desk = cal, d
		}
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

// DefaultClauses maps reason codes to the clauses of the regulations.
func DefaultClauses() map[string]string { return rules.DefaultClauses() }
