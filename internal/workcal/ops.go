package workcal

import (
	"math"
	"time"
)

// The business-time functions work on W(t), the business time from the
// start of the table to t, in nanoseconds: cum[i] for the whole days before
// t plus the open part of t's own day. W is continuous and non-decreasing,
// flat outside opening hours and outside the table. Between is a
// difference of two W values; Add inverts W by a binary search on cum.
// Each call costs two index look-ups, with no allocation.

const nsPerSec = int64(time.Second)

// index returns the table day holding Unix second u, which must satisfy
// start[0] <= u < start[n].
func (t *table) index(u int64) int {
	n := len(t.kind)
	i := int((u - t.start[0]) / 86400)
	if i >= n {
		i = n - 1
	}
	for i > 0 && u < t.start[i] {
		i--
	}
	for i+1 < n && u >= t.start[i+1] {
		i++
	}
	return i
}

// worked returns W(t) and the day index of t (-1 before the table, n after).
func (c *Calendar) worked(t time.Time) (int64, int) {
	tb := &c.tab
	u := t.Unix()
	n := len(tb.kind)
	if u < tb.start[0] {
		return 0, -1
	}
	if u >= tb.start[n] {
		return tb.cum[n] * nsPerSec, n
	}
	i := tb.index(u)
	off := (u-tb.start[i])*nsPerSec + int64(t.Nanosecond())
	o, e := int64(tb.open[i])*nsPerSec, int64(tb.close[i])*nsPerSec
	switch {
	case off <= o:
		return tb.cum[i] * nsPerSec, i
	case off >= e:
		return tb.cum[i+1] * nsPerSec, i
	}
	return tb.cum[i]*nsPerSec + off - o, i
}

func (c *Calendar) checkOfficial(i int) {
	if i < c.offLo || i > c.offHi {
		c.warnUnofficial(i)
	}
}

// Between returns the business time in [from, to), negative when to is
// before from. Inputs may be in any zone. Time outside the precomputed
// range (see Range) counts as closed.
func (c *Calendar) Between(from, to time.Time) time.Duration {
	a, ia := c.worked(from)
	b, ib := c.worked(to)
	c.checkOfficial(ia)
	c.checkOfficial(ib)
	return time.Duration(b - a)
}

// Add returns the earliest instant at which d of business time has elapsed
// since from, in the desk's zone: 8h from 09:00 on a full working day is
// 17:00 that day. Add(t, 0) returns t itself. A negative d goes back: the
// result is the latest instant t with Between(t, from) == -d (1h before
// Monday 10:00 is Monday 09:00). If the result would fall outside the
// precomputed range, Add returns the range's end (or its first instant).
func (c *Calendar) Add(from time.Time, d time.Duration) time.Time {
	if d == 0 {
		return from
	}
	tb := &c.tab
	n := len(tb.kind)
	w, i := c.worked(from)
	c.checkOfficial(i)
	target := w + int64(d)
	if d > 0 && target < w {
		target = math.MaxInt64
	}
	if d < 0 && target > w {
		target = math.MinInt64
	}
	if target > tb.cum[n]*nsPerSec {
		return time.Unix(tb.start[n], 0).In(c.loc)
	}
	if target < 0 {
		return time.Unix(tb.start[0], 0).In(c.loc)
	}
	// Forward: the smallest k with cum[k]*ns >= target; backward: with
	// cum[k]*ns > target. Day k-1 holds the answer.
	var s int64
	if d > 0 {
		s = (target + nsPerSec - 1) / nsPerSec // cum[k] >= s
	} else {
		s = target/nsPerSec + 1 // cum[k] > target/ns  <=>  cum[k] >= s
	}
	lo, hi := 1, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if tb.cum[m] < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	j := lo - 1
	c.checkOfficial(j)
	rem := target - tb.cum[j]*nsPerSec
	sec := tb.start[j] + int64(tb.open[j]) + rem/nsPerSec
	return time.Unix(sec, rem%nsPerSec).In(c.loc)
}

// IsOpen reports whether support works at t: opening ≤ t < closing on a
// working day. Instants outside the precomputed range are closed.
func (c *Calendar) IsOpen(t time.Time) bool {
	tb := &c.tab
	u := t.Unix()
	if u < tb.start[0] || u >= tb.start[len(tb.kind)] {
		return false
	}
	i := tb.index(u)
	c.checkOfficial(i)
	off := (u-tb.start[i])*nsPerSec + int64(t.Nanosecond())
	return off >= int64(tb.open[i])*nsPerSec && off < int64(tb.close[i])*nsPerSec
}

// NextOpen returns t itself when support is open at t, else the next
// opening instant in the desk's zone (the range's end if there is none).
func (c *Calendar) NextOpen(t time.Time) time.Time {
	if c.IsOpen(t) {
		return t
	}
	tb := &c.tab
	n := len(tb.kind)
	u := t.Unix()
	if u >= tb.start[n] {
		return time.Unix(tb.start[n], 0).In(c.loc)
	}
	after := int64(0) // working seconds up to the end of t's day
	if u >= tb.start[0] {
		i := tb.index(u)
		off := (u-tb.start[i])*nsPerSec + int64(t.Nanosecond())
		if tb.close[i] > tb.open[i] && off < int64(tb.open[i])*nsPerSec {
			return time.Unix(tb.start[i]+int64(tb.open[i]), 0).In(c.loc)
		}
		after = tb.cum[i+1]
	}
	// The first day k whose work starts after `after`: smallest m with
	// cum[m] > after, k = m-1.
	lo, hi := 1, n+1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if tb.cum[m] <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo > n {
		return time.Unix(tb.start[n], 0).In(c.loc)
	}
	k := lo - 1
	c.checkOfficial(k)
	return time.Unix(tb.start[k]+int64(tb.open[k]), 0).In(c.loc)
}
