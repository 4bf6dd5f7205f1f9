// Package announce tells users before they ask (§4.5.3, §4.5.5): a notice
// mailed to every matching active user (`otvet announce`), and the notices
// of a maintenance window announced to its system's users (added, changed,
// cancelled, over). Each person gets one message through the outbox, from
// the support address, marked Auto-Submitted: auto-generated and
// Precedence: bulk, paced by staggering the outbox rows' first attempt so
// that the relay is not flooded. A reply is ordinary mail to support: it
// opens a request. Every announcement is an audit event (kind
// "announcement"), which the digest lists. See docs/announcements.md.
package announce

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/kb"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// EventKind is the audit event of every announcement; the digest counts it.
const EventKind = "announcement"

// DefaultInterval is the pause between two messages of one announcement
// (announcements.interval).
const DefaultInterval = time.Second

// Audience says who is told: everyone, an organisation's users, the users
// of a system (from their registrations), or the users of organisations at
// a support level.
type Audience struct {
	All    bool
	OrgID  int64
	System string
	Level  string
}

// ErrBadAudience marks an audience that cannot be read.
var ErrBadAudience = errors.New("bad audience")

// ParseAudience reads all, org:ID, system:NAME or level:L.
func ParseAudience(s string) (Audience, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "all") {
		return Audience{All: true}, nil
	}
	kind, val, ok := strings.Cut(s, ":")
	val = strings.TrimSpace(val)
	if !ok || val == "" {
		return Audience{}, fmt.Errorf("%w: %q: write all, org:ID, system:NAME or level:L", ErrBadAudience, s)
	}
	switch strings.ToLower(kind) {
	case "org":
		id, err := strconv.ParseInt(val, 10, 64)
		if err != nil || id <= 0 {
			return Audience{}, fmt.Errorf("%w: %q is not an organisation id", ErrBadAudience, val)
		}
		return Audience{OrgID: id}, nil
	case "system":
		return Audience{System: val}, nil
	case "level":
		return Audience{Level: val}, nil
	}
	return Audience{}, fmt.Errorf("%w: %q: write all, org:ID, system:NAME or level:L", ErrBadAudience, s)
}

// String is the audience as ParseAudience reads it.
func (a Audience) String() string {
	switch {
	case a.OrgID != 0:
		return "org:" + strconv.FormatInt(a.OrgID, 10)
	case a.System != "":
		return "system:" + a.System
	case a.Level != "":
		return "level:" + a.Level
	}
	return "all"
}

// UsesSystem reports whether a user's systems (as registered: "МИС; 1С")
// name system, ignoring case and ё.
func UsesSystem(systems, system string) bool {
	want := kb.FoldName(system)
	for _, s := range kb.SplitList(systems) {
		if kb.FoldName(s) == want {
			return true
		}
	}
	return false
}

// Recipients lists the active users of the audience, by address.
func Recipients(ctx context.Context, tx *store.Tx, a Audience) ([]store.AnnounceUser, error) {
	us, err := tx.ActiveUsers(ctx, a.OrgID, a.Level)
	if err != nil {
		return nil, err
	}
	if a.System == "" {
		return us, nil
	}
	var out []store.AnnounceUser
	for _, u := range us {
		if UsesSystem(u.Systems, a.System) {
			out = append(out, u)
		}
	}
	return out, nil
}

// Sender is the desk an announcement goes out from.
type Sender struct {
	Desk           string
	Language       string
	Location       *time.Location
	From           mailout.Address
	DisplayName    string
	SupportAddress string
	// Format writes an instant for people in the desk's zone.
	Format func(time.Time) string
}

// Pace says when the first message may go and how far apart the others go.
type Pace struct {
	Start    time.Time
	Interval time.Duration
}

// Queue composes one message per user and inserts them into the outbox,
// the i-th not before Start + i·Interval. data makes each user's template data.
func Queue(ctx context.Context, tx *store.Tx, r mailout.Renderer, snd Sender, users []store.AnnounceUser,
	tmpl string, data func(store.AnnounceUser) any, pace Pace, now time.Time) (int, error) {
	_, domain, _ := strings.Cut(snd.SupportAddress, "@")
	n := 0
	for i, u := range users {
		if !mailout.Deliverable(u.Email) {
			continue
		}
		o := mailout.Outgoing{Lang: snd.Language, Template: tmpl, Data: data(u), From: snd.From,
			To: []mailout.Address{{Name: u.FullName, Email: u.Email}}, IDDomain: domain, Date: now, Loop: snd.Desk,
			AutoSubmitted: "auto-generated", Headers: map[string]string{"Precedence": "bulk"},
			NotBefore: pace.Start.Add(time.Duration(i) * pace.Interval)}
		if snd.From.Email != snd.SupportAddress && snd.SupportAddress != "" {
			o.ReplyTo = &mailout.Address{Name: snd.DisplayName, Email: snd.SupportAddress}
		}
		b, err := mailout.BuildWith(r, o)
		if err != nil {
			return n, fmt.Errorf("%s to %s: %w", tmpl, u.Email, err)
		}
		if err := tx.InsertOutgoing(ctx, &store.Outgoing{Desk: snd.Desk, Kind: tmpl, MessageID: b.MessageID,
			EnvelopeFrom: b.EnvelopeFrom, Recipients: strings.Join(b.Recipients, "\n"), RcptKey: b.Recipients[0],
			Subject: b.Subject, Raw: b.Raw, NextAttemptAt: b.NextAttemptAt, CreatedAt: now}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Notice is an announcement written by the operator.
type Notice struct {
	Audience Audience
	Subject  string
	Body     string
	At       time.Time // not before (zero: now)
	Actor    string
}

// Send queues a notice to its audience and records the announcement event;
// it returns how many people it goes to.
func Send(ctx context.Context, tx *store.Tx, r mailout.Renderer, snd Sender, nt Notice, interval time.Duration, now time.Time) (int, error) {
	if strings.TrimSpace(nt.Subject) == "" || strings.TrimSpace(nt.Body) == "" {
		return 0, errors.New("an announcement needs a subject and a text")
	}
	users, err := Recipients(ctx, tx, nt.Audience)
	if err != nil {
		return 0, err
	}
	start := nt.At
	if start.Before(now) {
		start = now
	}
	n, err := Queue(ctx, tx, r, snd, users, mailout.TmplAnnouncement, func(u store.AnnounceUser) any {
		return mailout.AnnouncementData{Name: u.FullName, Subject: nt.Subject, Body: strings.TrimSpace(nt.Body),
			DeskName: snd.DisplayName, SupportAddress: snd.SupportAddress}
	}, Pace{Start: start, Interval: interval}, now)
	if err != nil {
		return n, err
	}
	return n, tx.AddEvent(ctx, 0, now, EventKind, nt.Actor,
		fmt.Sprintf("%s: «%s» to %d people from %s", nt.Audience, nt.Subject, n, start.UTC().Format(time.RFC3339)))
}

// Maintenance queues the notice of a maintenance window to the users of
// its system (kind mailout.Maintenance*; wasTo is the end announced before,
// for MaintenanceChanged) and records the announcement event.
func Maintenance(ctx context.Context, tx *store.Tx, r mailout.Renderer, snd Sender, kind string, w store.MaintenanceWindow,
	wasTo time.Time, interval time.Duration, actor string, now time.Time) (int, error) {
	users, err := Recipients(ctx, tx, Audience{System: w.System})
	if err != nil {
		return 0, err
	}
	format := snd.Format
	if format == nil {
		format = func(t time.Time) string { return t.In(snd.Location).Format("02.01.2006 15:04") }
	}
	d := mailout.MaintenanceNoticeData{Kind: kind, System: w.System, From: format(w.StartsAt), To: format(w.EndsAt),
		Note: w.Note, DeskName: snd.DisplayName, SupportAddress: snd.SupportAddress}
	if !wasTo.IsZero() {
		d.WasTo = format(wasTo)
	}
	n, err := Queue(ctx, tx, r, snd, users, mailout.TmplMaintenanceNotice, func(u store.AnnounceUser) any {
		dd := d
		dd.Name = u.FullName
		return dd
	}, Pace{Start: now, Interval: interval}, now)
	if err != nil {
		return n, err
	}
	return n, tx.AddEvent(ctx, 0, now, EventKind, actor, fmt.Sprintf("maintenance #%d %s %s: to %d people", w.ID, w.System, kind, n))
}
