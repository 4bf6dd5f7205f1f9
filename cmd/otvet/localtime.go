package main

import (
	"flag"
	"time"

	"github.com/otvet/otvet/internal/app"
)

// Human output prints times in the desk's zone (the zone local input is
// read in); JSON prints them in UTC with the offset (rfc3339).

// humanTimeLayout is a time of human output: the zone's abbreviation or
// offset says which zone it is in.
const humanTimeLayout = "2006-01-02 15:04 MST"

// localTime is t in loc for human output.
func localTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(humanTimeLayout) }

// localRFC is an RFC 3339 time of a JSON form, for human output in loc; ""
// stays "" and anything else unparsable is kept as it is.
func localRFC(s string, loc *time.Location) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return localTime(t, loc)
}

// deskZones gives each desk's zone; an unknown desk (one removed from the
// configuration) gets the first desk's.
func deskZones(s *app.Settings) func(desk string) *time.Location {
	return func(desk string) *time.Location {
		if loc, ok := s.Location(desk); ok {
			return loc
		}
		loc, _ := s.Location("")
		return loc
	}
}

// tzFlag is --tz: human output in this zone instead of each desk's.
func tzFlag(fs *flag.FlagSet) *string {
	return fs.String("tz", "", "print times in this IANA zone (e.g. Europe/Moscow) instead of the desk's; JSON stays in UTC")
}

// outputZone is the zone of human output about what belongs to no desk
// (maintenance windows, outgoing mail, audit events): the first desk's, or
// that of --tz when given.
func outputZone(s *app.Settings, tz string) (*time.Location, error) {
	zones, err := outputZones(s, tz)
	if err != nil {
		return nil, err
	}
	return zones(""), nil
}

// outputZones is each desk's zone for human output, or the zone of --tz
// for every desk when given.
func outputZones(s *app.Settings, tz string) (func(desk string) *time.Location, error) {
	if tz == "" {
		return deskZones(s), nil
	}
	loc, err := loadTZ(tz)
	if err != nil {
		return nil, err
	}
	return func(string) *time.Location { return loc }, nil
}

// loadTZ is the zone of --tz, nil when it is not given.
func loadTZ(tz string) (*time.Location, error) {
	if tz == "" {
		return nil, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return nil, usagef("bad --tz %q: want an IANA zone such as Europe/Moscow or Asia/Yekaterinburg", tz)
	}
	return loc, nil
}
