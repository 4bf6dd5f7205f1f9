package sla

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BusinessTime is what a clock needs from the desk's calendar;
// *workcal.Calendar implements it.
type BusinessTime interface {
	Between(from, to time.Time) time.Duration
	Add(from time.Time, d time.Duration) time.Time
}

// State of a clock at an instant.
type State string

const (
	Running  State = "running"  // counting, within target
	Paused   State = "paused"   // not counting, within target
	Met      State = "met"      // stopped within target
	Breached State = "breached" // elapsed beyond target (stopped or not)
)

// EventKind is what happened to a clock.
type EventKind string

const (
	EventStart  EventKind = "start"
	EventPause  EventKind = "pause"
	EventResume EventKind = "resume"
	EventStop   EventKind = "stop"
	// EventReopen counts again after a stop: the ticket was reopened.
	EventReopen EventKind = "reopen"
)

// Event is one entry of a clock's history. At is stored in UTC.
type Event struct {
	Kind   EventKind `json:"kind"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// DefaultWarnPercent is the share of the target after which a clock warns.
const DefaultWarnPercent = 80

// Errors returned by Record and its shorthands.
var (
	ErrTransition = errors.New("sla: event not allowed in this clock state")
	ErrOutOfOrder = errors.New("sla: event before the clock's last event")
)

// Clock is the SLA clock of one ticket and one metric. It is a history of
// events; every figure is computed from that history and the calendar. A
// Clock is not safe for concurrent mutation.
type Clock struct {
	metric      Metric
	target      time.Duration
	warnPercent int
	events      []Event
	cal         BusinessTime
}

// Start returns a running clock started at t. cal is the desk's calendar
// (nil counts wall-clock time).
func Start(m Metric, target time.Duration, t time.Time, cal BusinessTime) *Clock {
	return &Clock{metric: m, target: target, warnPercent: DefaultWarnPercent, cal: cal,
		events: []Event{{Kind: EventStart, At: t.UTC()}}}
}

// Replay rebuilds a clock from its events, checking that they form a valid
// history (start first; pause/resume alternate; only a reopen after a stop; times
// never go back). warnPercent 0 means the default.
func Replay(m Metric, target time.Duration, warnPercent int, events []Event, cal BusinessTime) (*Clock, error) {
	if m == "" {
		return nil, errors.New("sla: a clock needs a metric")
	}
	if target < 0 {
		return nil, fmt.Errorf("sla: target %v is negative", target)
	}
	if len(events) == 0 || events[0].Kind != EventStart {
		return nil, errors.New("sla: a clock's history must begin with a start event")
	}
	c := Start(m, target, events[0].At, cal)
	c.events[0].Reason = events[0].Reason
	if warnPercent != 0 {
		if err := c.SetWarnPercent(warnPercent); err != nil {
			return nil, err
		}
	}
	for i, e := range events[1:] {
		if err := c.Record(e); err != nil {
			return nil, fmt.Errorf("sla: event %d: %w", i+2, err)
		}
	}
	return c, nil
}

// SetCalendar sets the calendar, e.g. after decoding from JSON.
func (c *Clock) SetCalendar(cal BusinessTime) { c.cal = cal }

// SetWarnPercent sets the warning threshold, 1–100 % of the target.
func (c *Clock) SetWarnPercent(p int) error {
	if p < 1 || p > 100 {
		return fmt.Errorf("sla: warning threshold %d%% is not within 1–100", p)
	}
	c.warnPercent = p
	return nil
}

// Metric, Target and WarnPercent return the clock's settings.
func (c *Clock) Metric() Metric { return c.metric }

// Target is the business time allowed.
func (c *Clock) Target() time.Duration { return c.target }

// WarnPercent is the warning threshold in percent of the target.
func (c *Clock) WarnPercent() int { return c.warnPercent }

// Events returns a copy of the history.
func (c *Clock) Events() []Event { return append([]Event(nil), c.events...) }

func (c *Clock) last() Event { return c.events[len(c.events)-1] }

// Stopped reports whether the clock has been stopped.
func (c *Clock) Stopped() bool { return c.last().Kind == EventStop }

// Record appends an event: pause (while running), resume (while paused),
// stop (while running or paused) or reopen (after a stop: a reopened
// ticket's clock counts again, the stopped stretch uncounted), at or after
// the last event.
func (c *Clock) Record(e Event) error {
	last := c.last()
	e.At = e.At.UTC()
	if e.At.Before(last.At) {
		return fmt.Errorf("%w: %s at %s is before %s at %s", ErrOutOfOrder, e.Kind, e.At.Format(time.RFC3339), last.Kind, last.At.Format(time.RFC3339))
	}
	running := last.Kind == EventStart || last.Kind == EventResume || last.Kind == EventReopen
	ok := false
	switch e.Kind {
	case EventPause:
		ok = running
	case EventResume:
		ok = last.Kind == EventPause
	case EventReopen:
		ok = last.Kind == EventStop
	case EventStop:
		ok = last.Kind != EventStop
	}
	if !ok {
		return fmt.Errorf("%w: %s after %s", ErrTransition, e.Kind, last.Kind)
	}
	c.events = append(c.events, e)
	return nil
}

// Pause stops counting at t.
func (c *Clock) Pause(t time.Time) error { return c.Record(Event{Kind: EventPause, At: t}) }

// Resume counts again from t.
func (c *Clock) Resume(t time.Time) error { return c.Record(Event{Kind: EventResume, At: t}) }

// Stop ends the clock at t (the reply was sent, the ticket resolved).
func (c *Clock) Stop(t time.Time) error { return c.Record(Event{Kind: EventStop, At: t}) }

func (c *Clock) between(a, b time.Time) time.Duration {
	if c.cal == nil {
		return b.Sub(a)
	}
	return c.cal.Between(a, b)
}

func (c *Clock) add(a time.Time, d time.Duration) time.Time {
	if c.cal == nil {
		return a.Add(d)
	}
	return c.cal.Add(a, d)
}

// Interval is a stretch of the clock's history.
type Interval struct {
	From time.Time
	// To is the zero time for the interval still open.
	To      time.Time
	Running bool
	// Business is the business time counted in the interval (up to now for
	// an open one); always 0 when not Running.
	Business time.Duration
	// Reason is the reason given with the pause that began the interval.
	Reason string
}

// Intervals returns the history as running and paused stretches, with the
// business time each counted up to now.
func (c *Clock) Intervals(now time.Time) []Interval {
	out := make([]Interval, 0, len(c.events))
	for i, e := range c.events {
		if e.Kind == EventStop && i == len(c.events)-1 {
			break
		}
		// A stop followed by a reopen is a stretch not counted.
		iv := Interval{From: e.At, Running: e.Kind != EventPause && e.Kind != EventStop, Reason: e.Reason}
		end := now
		if i+1 < len(c.events) {
			iv.To = c.events[i+1].At
			if iv.To.Before(end) {
				end = iv.To
			}
		}
		if iv.Running && end.After(iv.From) {
			iv.Business = c.between(iv.From, end)
		}
		out = append(out, iv)
	}
	return out
}

// Elapsed is the business time counted up to now.
func (c *Clock) Elapsed(now time.Time) time.Duration {
	var sum time.Duration
	for _, iv := range c.Intervals(now) {
		sum += iv.Business
	}
	return sum
}

// Remaining is Target - Elapsed(now); negative after a breach.
func (c *Clock) Remaining(now time.Time) time.Duration { return c.target - c.Elapsed(now) }

// reach returns the instant at which the counted business time reaches d,
// if the history (and, while running, the future) gets there.
func (c *Clock) reach(d time.Duration) (time.Time, bool) {
	var acc time.Duration
	for _, iv := range c.Intervals(time.Time{}) {
		if !iv.Running {
			continue
		}
		if iv.To.IsZero() { // still running: the future counts
			return c.add(iv.From, d-acc), true
		}
		b := c.between(iv.From, iv.To)
		if acc+b >= d {
			return c.add(iv.From, d-acc), true
		}
		acc += b
	}
	return time.Time{}, false
}

// Due returns the instant the target is (or was) reached: while running,
// the deadline if nothing pauses the clock; for a breached clock, the
// moment of the breach. ok is false while paused or stopped short of it.
func (c *Clock) Due() (due time.Time, ok bool) { return c.reach(c.target) }

// WarnAt returns the instant the warning threshold is (or was) reached;
// ok as for Due.
func (c *Clock) WarnAt() (time.Time, bool) { return c.reach(c.warnAfter()) }

func (c *Clock) warnAfter() time.Duration {
	return c.target / 100 * time.Duration(c.warnPercent)
}

// State returns the state at now. A clock is breached as soon as more
// business time than its target has elapsed, stopped or not; a stop exactly
// at the target is met.
func (c *Clock) State(now time.Time) State {
	if c.Elapsed(now) > c.target {
		return Breached
	}
	switch c.last().Kind {
	case EventStop:
		return Met
	case EventPause:
		return Paused
	}
	return Running
}

// Warning reports whether a clock that is not stopped has used at least
// the warning share of its target without being breached.
func (c *Clock) Warning(now time.Time) bool {
	if c.Stopped() {
		return false
	}
	e := c.Elapsed(now)
	return e >= c.warnAfter() && e <= c.target
}

// Status is a snapshot of a clock, for storage and display.
type Status struct {
	Metric    Metric
	State     State
	Target    time.Duration
	Elapsed   time.Duration
	Remaining time.Duration
	Warning   bool
	// Due and WarnAt are zero when not known (see Clock.Due).
	Due, WarnAt time.Time
}

// Status computes every figure at now.
func (c *Clock) Status(now time.Time) Status {
	s := Status{Metric: c.metric, State: c.State(now), Target: c.target, Elapsed: c.Elapsed(now), Warning: c.Warning(now)}
	s.Remaining = c.target - s.Elapsed
	s.Due, _ = c.Due()
	s.WarnAt, _ = c.WarnAt()
	return s
}

// Explain renders the history and the figures at now, one fact a line, in
// the zone loc (nil: UTC).
func (c *Clock) Explain(now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	ts := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04:05") }
	var b strings.Builder
	st := c.Status(now)
	fmt.Fprintf(&b, "%s: target %v, warning at %d%%\n", c.metric, c.target, c.warnPercent)
	for _, iv := range c.Intervals(now) {
		to := "now"
		if !iv.To.IsZero() {
			to = ts(iv.To)
		}
		if iv.Running {
			fmt.Fprintf(&b, "  running %s → %s: %v\n", ts(iv.From), to, iv.Business)
		} else {
			reason := ""
			if iv.Reason != "" {
				reason = " (" + iv.Reason + ")"
			}
			fmt.Fprintf(&b, "  paused  %s → %s%s\n", ts(iv.From), to, reason)
		}
	}
	if c.Stopped() {
		fmt.Fprintf(&b, "  stopped %s\n", ts(c.last().At))
	}
	fmt.Fprintf(&b, "elapsed %v, remaining %v, state %s", st.Elapsed, st.Remaining, st.State)
	if !st.Due.IsZero() {
		fmt.Fprintf(&b, ", due %s", ts(st.Due))
	}
	b.WriteString("\n")
	return b.String()
}

// wireClock is the JSON form: settings and history only; every figure is
// recomputed on load.
type wireClock struct {
	Metric      Metric  `json:"metric"`
	Target      string  `json:"target"`
	WarnPercent int     `json:"warn_percent"`
	Events      []Event `json:"events"`
}

// MarshalJSON stores the settings and the history.
func (c *Clock) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireClock{Metric: c.metric, Target: c.target.String(), WarnPercent: c.warnPercent, Events: c.events})
}

// UnmarshalJSON replays the stored history (see Replay). The calendar is
// not stored: call SetCalendar, or use Decode.
func (c *Clock) UnmarshalJSON(data []byte) error {
	var w wireClock
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("sla: decode clock: %w", err)
	}
	target, err := time.ParseDuration(w.Target)
	if err != nil {
		return fmt.Errorf("sla: decode clock: target: %w", err)
	}
	r, err := Replay(w.Metric, target, w.WarnPercent, w.Events, c.cal)
	if err != nil {
		return err
	}
	*c = *r
	return nil
}

// Decode reads a clock stored with MarshalJSON and binds it to cal.
func Decode(data []byte, cal BusinessTime) (*Clock, error) {
	c := &Clock{cal: cal}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, err
	}
	return c, nil
}
