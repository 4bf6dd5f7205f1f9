// Package workcal computes business time on the Russian production
// calendar (производственный календарь): which days are worked, their
// opening hours in a desk's time zone, and durations and deadlines that
// count opening hours only.
//
// The official calendar for 2013–2027 is embedded (data/); overrides add
// regional holidays, transfers or whole new years without a release; years
// without official data follow Labour Code art. 112 and art. 95, with a
// warning logged once per Calendar. Every query is answered from a
// precomputed per-day table with prefix sums, so Between and Add cost the
// same for a day as for five years and never allocate. See docs/calendar.md.
package workcal
