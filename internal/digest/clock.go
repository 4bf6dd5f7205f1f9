package digest

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/sla"
)

// errClockFormat means the fast reader did not recognise the stored form;
// the caller falls back to sla.Decode.
var errClockFormat = errors.New("digest: clock not in the expected form")

// decodeClock rebuilds a stored clock bound to cal. The JSON written by
// sla.Clock.MarshalJSON is read by a small scanner (sla.Decode through
// encoding/json costs ~9 µs a clock, too much for 100,000 tickets); anything
// else goes through sla.Decode. Either way the history is replayed and
// checked by sla.Replay.
func decodeClock(s string, cal sla.BusinessTime) (*sla.Clock, error) {
	m, target, warn, events, err := scanClock(s)
	if err != nil {
		return sla.Decode([]byte(s), cal)
	}
	return sla.Replay(m, target, warn, events, cal)
}

// scanClock reads {"metric":M,"target":D,"warn_percent":N,"events":[{"kind":K,"at":T[,"reason":R]},...]}
// exactly as MarshalJSON writes it (no spaces, this key order). Strings with
// escapes or other than printable ASCII are refused (the caller falls back).
func scanClock(s string) (m sla.Metric, target time.Duration, warn int, events []sla.Event, err error) {
	sc := scanner{s: s}
	sc.lit(`{"metric":`)
	m = sla.Metric(sc.str())
	sc.lit(`,"target":`)
	ts := sc.str()
	sc.lit(`,"warn_percent":`)
	warn = sc.int()
	sc.lit(`,"events":[`)
	events = make([]sla.Event, 0, 4)
	for sc.err == nil && !sc.peek(']') {
		if len(events) > 0 {
			sc.lit(",")
		}
		var e sla.Event
		sc.lit(`{"kind":`)
		e.Kind = sla.EventKind(sc.str())
		sc.lit(`,"at":`)
		at := sc.str()
		if sc.peek(',') {
			sc.lit(`,"reason":`)
			e.Reason = sc.str()
		}
		sc.lit("}")
		if sc.err == nil {
			if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
				return "", 0, 0, nil, errClockFormat
			}
			events = append(events, e)
		}
	}
	sc.lit("]}")
	if sc.err != nil || sc.i != len(s) {
		return "", 0, 0, nil, errClockFormat
	}
	if target, err = time.ParseDuration(ts); err != nil {
		return "", 0, 0, nil, errClockFormat
	}
	return m, target, warn, events, nil
}

type scanner struct {
	s   string
	i   int
	err error
}

func (sc *scanner) lit(l string) {
	if sc.err == nil && !strings.HasPrefix(sc.s[sc.i:], l) {
		sc.err = errClockFormat
	}
	if sc.err == nil {
		sc.i += len(l)
	}
}

func (sc *scanner) peek(c byte) bool { return sc.err == nil && sc.i < len(sc.s) && sc.s[sc.i] == c }

func (sc *scanner) str() string {
	if !sc.peek('"') {
		sc.err = errClockFormat
		return ""
	}
	j := strings.IndexByte(sc.s[sc.i+1:], '"')
	if j < 0 {
		sc.err = errClockFormat
		return ""
	}
	v := sc.s[sc.i+1 : sc.i+1+j]
	for k := 0; k < len(v); k++ {
		if c := v[k]; c < 0x20 || c >= 0x7f || c == '\\' { // escapes, controls, non-ASCII: leave to encoding/json
			sc.err = errClockFormat
			return ""
		}
	}
	sc.i += j + 2
	return v
}

func (sc *scanner) int() int {
	n, j := 0, sc.i
	for j < len(sc.s) && sc.s[j] >= '0' && sc.s[j] <= '9' && j-sc.i < 4 {
		n = n*10 + int(sc.s[j]-'0')
		j++
	}
	if sc.err == nil && j == sc.i {
		sc.err = errClockFormat
	}
	sc.i = j
	return n
}

// figure is one SLA metric of one ticket as of an instant.
type figure struct {
	ok       bool // the ticket has this clock (or timestamps and a target)
	target   time.Duration
	elapsed  time.Duration // business time counted up to the instant
	stopped  bool          // stopped at or before the instant
	running  bool          // counting at the instant
	breached bool          // elapsed > target
	breachAt time.Time     // when elapsed passed the target (when breached)
}

// remaining is the business time left before a breach.
func (f figure) remaining() time.Duration { return f.target - f.elapsed }

// evaluate computes a metric as of at from the stored clock; when there is
// none it falls back to business time from opened to stopAt (or at) with
// the level's target (a ticket closed without the stop is then not
// counted). stopAt (first_response_at, resolved_at) also stops a clock whose
// history lacks the stop.
func evaluate(js string, cal sla.BusinessTime, opened time.Time, stopAt, closed sql.NullTime, target time.Duration, at time.Time) figure {
	stopHint := stopAt.Valid && !stopAt.Time.After(at)
	if js != "" {
		c, err := decodeClock(js, cal)
		if err == nil {
			return fromClock(c, cal, stopAt, stopHint, at)
		}
	}
	if target <= 0 || cal == nil || (!stopHint && closed.Valid && !closed.Time.After(at)) {
		return figure{}
	}
	end := at
	if stopHint {
		end = stopAt.Time
	}
	f := figure{ok: true, target: target, stopped: stopHint, running: !stopHint}
	if end.After(opened) {
		f.elapsed = cal.Between(opened, end)
	}
	if f.elapsed > target {
		f.breached = true
		f.breachAt = breachInstant(cal, cal.Add(opened, target))
	}
	return f
}

// breachInstant is when a clock due at due is first over its target: due
// itself while the desk is open, else the next opening (a deadline at
// Friday's closing time is breached on Monday at 9:00, when business time
// moves again). Reports count a breach in the period holding this instant,
// so one due at a period's end is counted once, in the next period.
func breachInstant(cal sla.BusinessTime, due time.Time) time.Time {
	next := cal.Add(due, time.Nanosecond)
	if next.Sub(due) == time.Nanosecond {
		return due // open at due: over the target right after it
	}
	return next.Add(-time.Nanosecond) // the next opening
}

func fromClock(c *sla.Clock, cal sla.BusinessTime, stopAt sql.NullTime, stopHint bool, at time.Time) figure {
	f := figure{ok: true, target: c.Target()}
	events := c.Events()
	last := events[0]
	for _, e := range events {
		if e.At.After(at) {
			break
		}
		last = e
	}
	switch {
	case last.Kind == sla.EventStop:
		f.stopped = true
		f.elapsed = c.Elapsed(at)
	case stopHint:
		f.stopped = true
		f.elapsed = c.Elapsed(stopAt.Time)
	default:
		f.elapsed = c.Elapsed(at)
		f.running = last.Kind == sla.EventStart || last.Kind == sla.EventResume || last.Kind == sla.EventReopen
		if events[0].At.After(at) {
			f.running = false
		}
	}
	if f.elapsed > f.target {
		f.breached = true
		due, _ := c.Due()
		f.breachAt = breachInstant(cal, due)
	}
	return f
}
