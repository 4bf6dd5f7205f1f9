package digest

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/announce"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// Announcement is a notice or a maintenance mailing sent in the period (the
// audit event announce.EventKind; docs/announcements.md).
type Announcement struct {
	At time.Time
	// Subject is the notice's subject; "" for a maintenance mailing.
	Subject string
	// Maintenance is the mailing of a maintenance window (mailout.Maintenance*:
	// added, changed, cancelled, over), "" for a notice; System its system.
	Maintenance, System string
	// Audience is who was told (announce.Audience; zero with Unknown).
	Audience announce.Audience
	// OrgName is the organisation's name for an org:ID audience.
	OrgName string
	// People is how many people it went to; in an organisation's report,
	// how many of that organisation's people.
	People int
	// Unknown is set when the event could not be read: Subject holds its text.
	Unknown bool
}

// KBFigures is what the knowledge base's suggestions did in the period.
type KBFigures struct {
	// Suggested counts the requests that got a suggestion in the period;
	// SelfServed those of them resolved or closed with no staff answer by
	// the report's instant (the suggestion answered them).
	Suggested, SelfServed int
	// Articles are the articles suggested, most often first.
	Articles []KBArticleCount
}

// Share is SelfServed / Suggested in percent (ok false when nothing was suggested).
func (k *KBFigures) Share() (float64, bool) {
	if k == nil || k.Suggested == 0 {
		return 0, false
	}
	return 100 * float64(k.SelfServed) / float64(k.Suggested), true
}

// KBArticleCount is how many requests an article was suggested to.
type KBArticleCount struct {
	ID    int64
	Title string // "" when the article has since been removed
	Count int
}

// kbTopArticles is how many articles the digest names.
const kbTopArticles = 5

var (
	// announce.Send: `all: «Subject» to 12 people from 2025-03-01T17:00:00Z`.
	noticeDetail = regexp.MustCompile(`^(.*?): «(.*)» to (\d+) people from \S+$`)
	// announce.Maintenance: `maintenance #3 МИС added: to 12 people`.
	maintenanceDetail = regexp.MustCompile(`^maintenance #\d+ (.*) (\S+): to (\d+) people$`)
	// helpdesk's kb_suggested: `#3 printer (12.4); #7 vpn (10.9)`.
	suggestedArticle = regexp.MustCompile(`(?:^|; )#(\d+) `)
)

// parseAnnouncement reads an announcement event's detail.
func parseAnnouncement(e store.ReportAnnouncement) Announcement {
	a := Announcement{At: e.At}
	if m := noticeDetail.FindStringSubmatch(e.Detail); m != nil {
		aud, err := announce.ParseAudience(m[1])
		if err == nil {
			a.Audience, a.Subject = aud, m[2]
			a.People, _ = strconv.Atoi(m[3])
			return a
		}
	}
	if m := maintenanceDetail.FindStringSubmatch(e.Detail); m != nil {
		a.Maintenance, a.System, a.Audience = m[2], m[1], announce.Audience{System: m[1]}
		a.People, _ = strconv.Atoi(m[3])
		return a
	}
	a.Unknown, a.Subject = true, e.Detail
	return a
}

// announcements lists the announcements of [from, to); an organisation's
// report only those that reached its people, counting them.
func (r *Reporter) announcements(ctx context.Context, from, to time.Time, orgID int64) ([]Announcement, error) {
	es, err := r.src.ReportAnnouncements(ctx, from, to, orgID)
	if err != nil {
		return nil, err
	}
	var out []Announcement
	names := map[int64]string{}
	for _, e := range es {
		a := parseAnnouncement(e)
		if orgID > 0 {
			a.People = e.OrgPeople
		}
		if id := a.Audience.OrgID; id > 0 {
			name, ok := names[id]
			if !ok {
				o, err := r.src.OrgByID(ctx, id)
				switch {
				case err == nil:
					name = o.Name
				case !errors.Is(err, store.ErrNotFound):
					return nil, err
				}
				names[id] = name
			}
			a.OrgName = name
		}
		out = append(out, a)
	}
	return out, nil
}

// kbFigures counts the suggestions of [from, at) and what became of their
// requests by at; nil when there was none.
func (r *Reporter) kbFigures(ctx context.Context, from, at time.Time, orgID int64) (*KBFigures, error) {
	ss, err := r.src.ReportSuggestions(ctx, from, at, orgID)
	if err != nil || len(ss) == 0 {
		return nil, err
	}
	k := &KBFigures{}
	counts := map[int64]int{}
	for _, s := range ss {
		k.Suggested++
		if s.SelfServed(at) {
			k.SelfServed++
		}
		seen := map[int64]bool{}
		for _, m := range suggestedArticle.FindAllStringSubmatch(s.Detail, -1) {
			if id, err := strconv.ParseInt(m[1], 10, 64); err == nil && !seen[id] {
				seen[id] = true
				counts[id]++
			}
		}
	}
	ids := make([]int64, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	titles, err := r.src.KBTitles(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		k.Articles = append(k.Articles, KBArticleCount{ID: id, Title: titles[id], Count: counts[id]})
	}
	slices.SortFunc(k.Articles, func(a, b KBArticleCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.ID, b.ID))
	})
	return k, nil
}

// announcementsData is the report's announcements for the digest template.
func announcementsData(rep *Report, ts func(time.Time) string) []mailout.DigestAnnouncement {
	var out []mailout.DigestAnnouncement
	for _, a := range rep.Announcements {
		d := mailout.DigestAnnouncement{At: ts(a.At), Subject: a.Subject, Maintenance: a.Maintenance, System: a.System, People: a.People}
		switch au := a.Audience; {
		case a.Unknown:
		case au.OrgID > 0:
			d.Audience, d.AudienceName = "org", cmp.Or(a.OrgName, "#"+strconv.FormatInt(au.OrgID, 10))
		case au.System != "":
			d.Audience, d.AudienceName = "system", au.System
		case au.Level != "":
			d.Audience, d.AudienceName = "level", au.Level
		default:
			d.Audience = "all"
		}
		out = append(out, d)
	}
	return out
}

// kbData is the report's knowledge-base figures for the digest template.
func kbData(rep *Report, lang string) *mailout.DigestKB {
	k := rep.KB
	if k == nil {
		return nil
	}
	share, ok := k.Share()
	d := &mailout.DigestKB{Suggested: k.Suggested, SelfServed: k.SelfServed, Share: formatPercent(share, ok, lang)}
	for i, a := range k.Articles {
		if i == kbTopArticles {
			break
		}
		d.Articles = append(d.Articles, mailout.DigestKBArticle{Number: a.ID, Title: strings.TrimSpace(a.Title), N: a.Count})
	}
	return d
}
