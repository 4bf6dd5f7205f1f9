package digest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"
)

// SLAReport is the JSON form of `otvet report sla`: compliance and times
// per support level and per organisation for the tickets received in the
// period. Durations are business seconds; a figure that cannot be computed
// (nothing decided, nothing stopped) is null.
type SLAReport struct {
	From           string     `json:"from"`
	To             string     `json:"to"`
	AsOf           string     `json:"as_of"`
	OrganisationID int64      `json:"organisation_id,omitempty"`
	Organisation   string     `json:"organisation,omitempty"`
	Total          SLAGroup   `json:"total"`
	Levels         []SLAGroup `json:"levels"`
	Organisations  []SLAGroup `json:"organisations"`
	// Systems: by information system; [] when no ticket of the period has one.
	Systems []SLAGroup `json:"systems"`
	// Contractors: each contractor's work; [] when no ticket was with one.
	Contractors []SLAContractor `json:"contractors"`
	// Announcements made in the period ([] when none) and the knowledge
	// base's suggestions (slareport_kb.go).
	Announcements []SLAAnnouncement `json:"announcements"`
	KB            SLAKB             `json:"knowledge_base"`
}

// SLAContractor is one contractor's row of SLAReport (ContractorGroup).
type SLAContractor struct {
	Contractor            string   `json:"contractor"` // the handle ("" = those whose name is hidden, in an organisation's report)
	DisplayName           string   `json:"display_name,omitempty"`
	Passed                int      `json:"passed"`
	AnsweredInTime        int      `json:"answered_in_time"`
	Late                  int      `json:"late"`
	Pending               int      `json:"pending"`
	Compliance            *float64 `json:"compliance"`
	MedianResponseSeconds *int64   `json:"median_response_seconds"`
	OpenWithContractor    int      `json:"open_with_contractor"`
	Breaches              int      `json:"breaches"`
}

// SLAGroup is one row of SLAReport.
type SLAGroup struct {
	Level          string  `json:"level,omitempty"`
	System         *string `json:"system,omitempty"`          // "" = tickets without a system
	OrganisationID *int64  `json:"organisation_id,omitempty"` // 0 = tickets without an organisation
	Organisation   string  `json:"organisation,omitempty"`
	Received       int     `json:"received"`
	Resolved       int     `json:"resolved"` // of those, resolved by as_of

	FirstResponseTarget   *int64 `json:"first_response_target_seconds,omitempty"`
	FirstResponseMet      int    `json:"first_response_met"`
	FirstResponseBreached int    `json:"first_response_breached"`
	FirstResponsePending  int    `json:"first_response_pending"`
	// Compliance is the first-response compliance (the field list is
	// all first response); FirstResponseCompliance is the same figure.
	Compliance                 *float64 `json:"compliance"`
	FirstResponseCompliance    *float64 `json:"first_response_compliance"`
	MedianFirstResponseSeconds *int64   `json:"median_first_response_seconds"`
	P90FirstResponseSeconds    *int64   `json:"p90_first_response_seconds"`

	ResolutionTarget        *int64   `json:"resolution_target_seconds,omitempty"`
	ResolutionMet           int      `json:"resolution_met"`
	ResolutionBreached      int      `json:"resolution_breached"`
	ResolutionPending       int      `json:"resolution_pending"`
	ResolutionCompliance    *float64 `json:"resolution_compliance"`
	MedianResolutionSeconds *int64   `json:"median_resolution_seconds"`
	P90ResolutionSeconds    *int64   `json:"p90_resolution_seconds"`
}

// SLA converts a report to its JSON form.
func (rep *Report) SLA() SLAReport {
	ts := func(t time.Time) string { return t.In(rep.Location).Format(time.RFC3339) }
	out := SLAReport{From: ts(rep.From), To: ts(rep.To), AsOf: ts(rep.At), OrganisationID: rep.OrgID, Organisation: rep.OrgName,
		Total: slaGroup(rep.Total), Levels: []SLAGroup{}, Organisations: []SLAGroup{}, Systems: []SLAGroup{}, Contractors: []SLAContractor{}}
	out.Announcements, out.KB = rep.slaAnnouncements(ts), rep.slaKB()
	for _, g := range rep.Levels {
		j := slaGroup(g)
		j.Level = g.Name
		out.Levels = append(out.Levels, j)
	}
	for _, g := range rep.Orgs {
		j := slaGroup(g)
		id := g.OrgID
		j.OrganisationID, j.Organisation = &id, g.Name
		out.Organisations = append(out.Organisations, j)
	}
	for _, g := range rep.Systems {
		j := slaGroup(g)
		name := g.Name
		j.System = &name
		out.Systems = append(out.Systems, j)
	}
	for _, g := range rep.Contractors {
		c := SLAContractor{Contractor: g.Name, DisplayName: g.DisplayName, Passed: g.Passed, AnsweredInTime: g.Response.Met,
			Late: g.Response.Breached, Pending: g.Response.Pending, OpenWithContractor: g.Open, Breaches: g.Breaches}
		_, c.Compliance, c.MedianResponseSeconds, _ = metricJSON(g.Response)
		out.Contractors = append(out.Contractors, c)
	}
	return out
}

// metricJSON is a metric's target, compliance (one decimal), median and
// 90th percentile in business seconds, nil where there is nothing.
func metricJSON(m Metric) (target *int64, comp *float64, med, p90 *int64) {
	secs := func(d time.Duration) *int64 { v := int64(d / time.Second); return &v }
	if m.Target > 0 {
		target = secs(m.Target)
	}
	if c, ok := m.Compliance(); ok {
		c = math.Round(c*10) / 10
		comp = &c
	}
	if m.Stopped() > 0 {
		med, p90 = secs(m.Median), secs(m.P90)
	}
	return
}

func slaGroup(g Group) SLAGroup {
	metric := metricJSON
	j := SLAGroup{Received: g.Received, Resolved: g.Resolved,
		FirstResponseMet: g.FirstResponse.Met, FirstResponseBreached: g.FirstResponse.Breached, FirstResponsePending: g.FirstResponse.Pending,
		ResolutionMet: g.Resolution.Met, ResolutionBreached: g.Resolution.Breached, ResolutionPending: g.Resolution.Pending}
	j.FirstResponseTarget, j.FirstResponseCompliance, j.MedianFirstResponseSeconds, j.P90FirstResponseSeconds = metric(g.FirstResponse)
	j.Compliance = j.FirstResponseCompliance
	j.ResolutionTarget, j.ResolutionCompliance, j.MedianResolutionSeconds, j.P90ResolutionSeconds = metric(g.Resolution)
	return j
}

// WriteJSON writes the SLA report as indented JSON.
func (s SLAReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// rows flattens the report: the total, then levels, organisations, systems.
func (s SLAReport) rows() [][2]any {
	out := [][2]any{{"total", s.Total}}
	for _, g := range s.Levels {
		out = append(out, [2]any{"level", g})
	}
	for _, g := range s.Organisations {
		out = append(out, [2]any{"organisation", g})
	}
	for _, g := range s.Systems {
		out = append(out, [2]any{"system", g})
	}
	return out
}

func (g SLAGroup) name() string {
	switch {
	case g.Level != "":
		return g.Level
	case g.System != nil && *g.System == "":
		return "(no system)"
	case g.System != nil:
		return *g.System
	case g.OrganisationID != nil && *g.OrganisationID == 0:
		return "(no organisation)"
	case g.OrganisationID != nil:
		return g.Organisation
	}
	return "all"
}

func optF(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 1, 64)
}

func optI(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func optD(p *int64) string {
	if p == nil {
		return "—"
	}
	return formatBusiness(time.Duration(*p)*time.Second, "en")
}

// WriteCSV writes one row per group: scope, name, then the JSON figures
// (compliance, the first-response one, last).
func (s SLAReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"scope", "name", "organisation_id", "received",
		"first_response_met", "first_response_breached", "first_response_pending", "first_response_compliance",
		"median_first_response_seconds", "p90_first_response_seconds",
		"resolution_met", "resolution_breached", "resolution_pending", "resolution_compliance",
		"median_resolution_seconds", "p90_resolution_seconds", "compliance"})
	for _, r := range s.rows() {
		g := r[1].(SLAGroup)
		_ = cw.Write([]string{r[0].(string), csvSafe(g.name()), optI(g.OrganisationID), strconv.Itoa(g.Received),
			strconv.Itoa(g.FirstResponseMet), strconv.Itoa(g.FirstResponseBreached), strconv.Itoa(g.FirstResponsePending),
			optF(g.FirstResponseCompliance), optI(g.MedianFirstResponseSeconds), optI(g.P90FirstResponseSeconds),
			strconv.Itoa(g.ResolutionMet), strconv.Itoa(g.ResolutionBreached), strconv.Itoa(g.ResolutionPending),
			optF(g.ResolutionCompliance), optI(g.MedianResolutionSeconds), optI(g.P90ResolutionSeconds), optF(g.Compliance)})
	}
	// A contractor's row: requests passed as received, its answers as the
	// first-response figures (open and breaches are in the JSON and text).
	for _, c := range s.Contractors {
		_ = cw.Write([]string{"contractor", csvSafe(c.name()), "", strconv.Itoa(c.Passed),
			strconv.Itoa(c.AnsweredInTime), strconv.Itoa(c.Late), strconv.Itoa(c.Pending), optF(c.Compliance),
			optI(c.MedianResponseSeconds), "", "", "", "", "", "", "", optF(c.Compliance)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteText writes the report as a table a person can read.
func (s SLAReport) WriteText(w io.Writer) error {
	scope := "all organisations"
	if s.OrganisationID != 0 {
		scope = s.Organisation
	}
	fmt.Fprintf(w, "SLA report %s – %s (%s), as of %s; business time; tickets received in the period\n\n", s.From, s.To, scope, s.AsOf)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tNAME\tRECEIVED\tFR MET\tFR BREACHED\tFR %\tFR MEDIAN\tFR P90\tRES MET\tRES BREACHED\tRES %\tRES MEDIAN\tRES P90")
	pct := func(p *float64) string {
		if p == nil {
			return "—"
		}
		return optF(p) + "%"
	}
	for _, r := range s.rows() {
		g := r[1].(SLAGroup)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r[0], g.name(), g.Received,
			g.FirstResponseMet, g.FirstResponseBreached, pct(g.FirstResponseCompliance), optD(g.MedianFirstResponseSeconds),
			optD(g.P90FirstResponseSeconds), g.ResolutionMet, g.ResolutionBreached, pct(g.ResolutionCompliance),
			optD(g.MedianResolutionSeconds), optD(g.P90ResolutionSeconds))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(s.Contractors) == 0 {
		return s.writeKBText(w)
	}
	fmt.Fprintf(w, "\nContractors (their own clocks, business time on their hours; requests passed in the period)\n\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTRACTOR\tPASSED\tIN TIME\tLATE\tPENDING\t%\tMEDIAN RESPONSE\tAWAITING ANSWER\tBREACHES")
	for _, c := range s.Contractors {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t%d\n", c.name(), c.Passed, c.AnsweredInTime, c.Late, c.Pending,
			pct(c.Compliance), optD(c.MedianResponseSeconds), c.OpenWithContractor, c.Breaches)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return s.writeKBText(w)
}

func (c SLAContractor) name() string {
	switch {
	case c.Contractor == "":
		return "(name hidden)"
	case c.DisplayName != "" && c.DisplayName != c.Contractor:
		return c.DisplayName + " (" + c.Contractor + ")"
	}
	return c.Contractor
}
