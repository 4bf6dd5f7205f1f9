// Package sla holds support levels and per-ticket SLA clocks that count
// business time only (see docs/sla.md).
package sla

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Metric names what a clock measures.
type Metric string

const (
	// FirstResponse runs from the ticket's opening to support's first
	// reply (the acknowledgement does not count).
	FirstResponse Metric = "first_response"
	// Resolution runs from the ticket's opening to its resolution.
	Resolution Metric = "resolution"
)

// Level is a support level with its targets in business time.
type Level struct {
	Name          string
	FirstResponse time.Duration
	Resolution    time.Duration
}

// Target returns the level's target for metric m (0 for an unknown metric).
func (l Level) Target(m Metric) time.Duration {
	switch m {
	case FirstResponse:
		return l.FirstResponse
	case Resolution:
		return l.Resolution
	}
	return 0
}

// DefaultLevels are the levels used when the configuration names none:
// basic answers within a working day, standard within half a day, priority
// within an hour.
func DefaultLevels() []Level {
	return []Level{
		{Name: "basic", FirstResponse: 8 * time.Hour, Resolution: 40 * time.Hour},
		{Name: "standard", FirstResponse: 4 * time.Hour, Resolution: 24 * time.Hour},
		{Name: "priority", FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}
}

// Levels is a validated set of levels, looked up by name.
type Levels struct {
	byName map[string]Level
	names  []string
}

var levelName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// NewLevels validates ls and returns every problem at once: names must be
// unique, lower-case identifiers; targets positive, in whole seconds; the
// first response no later than the resolution.
func NewLevels(ls []Level) (*Levels, error) {
	var errs []error
	l := &Levels{byName: make(map[string]Level, len(ls))}
	if len(ls) == 0 {
		errs = append(errs, errors.New("sla: no support levels"))
	}
	for i, lv := range ls {
		where := fmt.Sprintf("sla: level %d (%q)", i+1, lv.Name)
		if !levelName.MatchString(lv.Name) {
			errs = append(errs, fmt.Errorf("%s: name must match %s", where, levelName))
		}
		if _, dup := l.byName[lv.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: defined twice", where))
		}
		for _, t := range []struct {
			what string
			d    time.Duration
		}{{"first response", lv.FirstResponse}, {"resolution", lv.Resolution}} {
			if t.d <= 0 || t.d%time.Second != 0 {
				errs = append(errs, fmt.Errorf("%s: %s target %v must be positive whole seconds", where, t.what, t.d))
			}
		}
		if lv.FirstResponse > lv.Resolution {
			errs = append(errs, fmt.Errorf("%s: first response %v is later than resolution %v", where, lv.FirstResponse, lv.Resolution))
		}
		if _, dup := l.byName[lv.Name]; !dup {
			l.names = append(l.names, lv.Name)
		}
		l.byName[lv.Name] = lv
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

// Get returns the level called name.
func (l *Levels) Get(name string) (Level, bool) {
	lv, ok := l.byName[name]
	return lv, ok
}

// Names lists the levels in the order they were given.
func (l *Levels) Names() []string { return append([]string(nil), l.names...) }

// Resolve picks a ticket's level: the organisation's when it has one, else
// the desk's default.
func (l *Levels) Resolve(orgLevel, deskDefault string) (Level, error) {
	name := orgLevel
	if name == "" {
		name = deskDefault
	}
	lv, ok := l.byName[name]
	if !ok {
		return Level{}, fmt.Errorf("sla: unknown support level %q", name)
	}
	return lv, nil
}

// Pauses reports whether a ticket in the given state stops its clocks:
// waiting (support asked the user for information) and deferred.
func Pauses(ticketState string) bool {
	return ticketState == "waiting" || ticketState == "deferred"
}
