package digest

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// SLAAnnouncement is an announcement of the period in SLAReport.
type SLAAnnouncement struct {
	At string `json:"at"`
	// Subject is the notice's subject (absent for a maintenance mailing).
	Subject string `json:"subject,omitempty"`
	// Audience as `otvet announce --to` reads it: all, org:ID, system:NAME,
	// level:L ("" when the event could not be read).
	Audience     string `json:"audience"`
	Organisation string `json:"organisation,omitempty"` // the name, for org:ID
	// Maintenance (added, changed, cancelled, over) and System, for the
	// mailing of a maintenance window.
	Maintenance string `json:"maintenance,omitempty"`
	System      string `json:"system,omitempty"`
	// People it went to; with --org, that organisation's people.
	People int `json:"people"`
}

// SLAKB is the knowledge base's suggestions in SLAReport.
type SLAKB struct {
	Suggested  int `json:"suggested"`   // requests given a suggestion in the period
	SelfServed int `json:"self_served"` // of them resolved or closed with no staff answer
	// SelfServedShare is self_served / suggested in percent, one decimal;
	// null when nothing was suggested.
	SelfServedShare *float64       `json:"self_served_share"`
	Articles        []SLAKBArticle `json:"articles"` // most suggested first
}

// SLAKBArticle is an article and how many requests it was suggested to.
type SLAKBArticle struct {
	Article   int64  `json:"article"`
	Title     string `json:"title"` // "" when it has since been removed
	Suggested int    `json:"suggested"`
}

func (rep *Report) slaAnnouncements(ts func(time.Time) string) []SLAAnnouncement {
	out := []SLAAnnouncement{}
	for _, a := range rep.Announcements {
		j := SLAAnnouncement{At: ts(a.At), Subject: a.Subject, Maintenance: a.Maintenance, System: a.System, People: a.People}
		if !a.Unknown {
			j.Audience = a.Audience.String()
		}
		if a.Audience.OrgID > 0 {
			j.Organisation = a.OrgName
		}
		out = append(out, j)
	}
	return out
}

func (rep *Report) slaKB() SLAKB {
	out := SLAKB{Articles: []SLAKBArticle{}}
	if rep.KB == nil {
		return out
	}
	out.Suggested, out.SelfServed = rep.KB.Suggested, rep.KB.SelfServed
	if v, ok := rep.KB.Share(); ok {
		v = math.Round(v*10) / 10
		out.SelfServedShare = &v
	}
	for _, a := range rep.KB.Articles {
		out.Articles = append(out.Articles, SLAKBArticle{Article: a.ID, Title: a.Title, Suggested: a.Count})
	}
	return out
}

// writeKBText adds the announcements and the knowledge base's figures to
// the text form, when there are any.
func (s SLAReport) writeKBText(w io.Writer) error {
	if len(s.Announcements) > 0 {
		fmt.Fprintf(w, "\nAnnouncements\n\n")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AT\tAUDIENCE\tPEOPLE\tSUBJECT")
		for _, a := range s.Announcements {
			subject := a.Subject
			if a.Maintenance != "" {
				subject = "maintenance of " + a.System + " " + a.Maintenance
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", a.At, a.Audience, a.People, subject)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if s.KB.Suggested == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nKnowledge base: %d request(s) given a suggestion, %d resolved without a staff answer (%s%%)\n",
		s.KB.Suggested, s.KB.SelfServed, optF(s.KB.SelfServedShare))
	for _, a := range s.KB.Articles {
		title := a.Title
		if title == "" {
			title = "(removed)"
		}
		if _, err := fmt.Fprintf(w, "  #%d %s: %d\n", a.Article, title, a.Suggested); err != nil {
			return err
		}
	}
	return nil
}
