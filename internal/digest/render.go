package digest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/otvet/otvet/internal/mailout"
)

// Recipient is a manager who reads digests. OrgID 0 is the operator's
// manager (every organisation); a client organisation's head has its OrgID
// and sees that organisation's tickets only.
type Recipient struct {
	Email, Name, Lang string
	OrgID             int64
}

// Renderer renders a mail template (*mailout.Templates).
type Renderer interface {
	Render(lang, name string, data any) (mailout.Rendered, error)
}

// ChartCID is the Content-ID of the inline chart.
const ChartCID = "digest-chart@otvet"

// chartDays is how far back the daily digest's chart looks.
const chartDays = 14

// Digest is a rendered digest: the mail parts, the chart and the CSV.
type Digest struct {
	Period   Period
	Report   *Report
	Data     mailout.DigestData
	Rendered mailout.Rendered
	Chart    []byte // PNG; nil when it could not be drawn
	CSV      []byte
	CSVName  string
	// ReplyTo is the recipient's signed command address (a staff member's),
	// nil for none.
	ReplyTo *mailout.Address
}

// Build computes and renders the digest of period p for rc as of now.
func (r *Reporter) Build(ctx context.Context, tm Renderer, p Period, rc Recipient, now time.Time) (*Digest, error) {
	lang := rc.Lang
	if lang != "en" {
		lang = "ru"
	}
	params := Params{From: p.From, To: p.To, Now: now, OrgID: rc.OrgID, Rows: true, Limit: 20}
	if p.Kind == Daily {
		// The last chartDays civil days, the digest's own day included.
		last := p.To.Add(-time.Nanosecond)
		params.ChartFrom = time.Date(last.Year(), last.Month(), last.Day()-(chartDays-1), 0, 0, 0, 0, last.Location())
	}
	rep, err := r.Report(ctx, params)
	if err != nil {
		return nil, err
	}
	d := &Digest{Period: p, Report: rep, CSVName: fmt.Sprintf("tickets-%s-%s.csv", p.Kind, p.Key())}
	if d.CSV, err = ticketsCSV(rep); err != nil {
		return nil, err
	}
	d.Chart, err = renderChart(rep, lang)
	if err != nil {
		d.Chart = nil // the digest is still worth sending without its picture
	}
	d.Data = digestData(rep, p, lang, r.setup)
	d.Data.CSVName = d.CSVName
	if d.Chart != nil {
		d.Data.ChartCID = ChartCID
	}
	if d.Rendered, err = tm.Render(lang, mailout.TmplDigest, d.Data); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	return d, nil
}

// Outgoing is the digest as a message from the desk to rc (HTML, text, the
// inline chart and the CSV), marked auto-generated, for mailout.Build.
func (d *Digest) Outgoing(from mailout.Address, rc Recipient, date time.Time) mailout.Outgoing {
	m := mailout.Outgoing{
		Rendered: d.Rendered, From: from, To: []mailout.Address{{Name: rc.Name, Email: rc.Email}}, Date: date,
		AutoSubmitted: "auto-generated", Headers: map[string]string{"X-Otvet-Digest": string(d.Period.Kind) + " " + d.Period.Key()},
	}
	m.ReplyTo = d.ReplyTo
	if d.Chart != nil {
		m.Attachments = append(m.Attachments, mailout.Attachment{Filename: "chart.png", ContentType: "image/png",
			Data: d.Chart, ContentID: ChartCID})
	}
	m.Attachments = append(m.Attachments, mailout.Attachment{Filename: d.CSVName, ContentType: "text/csv; charset=utf-8", Data: d.CSV})
	return m
}

func digestData(rep *Report, p Period, lang string, setup *Setup) mailout.DigestData {
	loc := rep.Location
	bt := func(d time.Duration) string { return formatBusiness(d, lang) }
	ts := func(t time.Time) string { return formatTime(t.In(loc), lang) }
	d := mailout.DigestData{
		Kind: string(p.Kind), Period: p.Format(lang), Organisation: rep.OrgName, GeneratedAt: ts(rep.At),
		Received: rep.Received, Resolved: rep.Resolved, OpenAtEnd: rep.OpenAtEnd, BreachCount: rep.BreachCount,
		RefusedCount: rep.RefusedCount, VisitDay: formatDate(time.Date(rep.VisitDay.Year, rep.VisitDay.Month, rep.VisitDay.Day, 0, 0, 0, 0, loc), lang),
		Total: slaRow(rep.Total, lang),
	}
	if rep.OrgID > 0 && d.Organisation == "" {
		// The templates leave the operator's internal details out of a
		// digest with an organisation: it must never be empty there.
		d.Organisation = fmt.Sprintf("#%d", rep.OrgID)
	}
	if setup.Desk.Name != "" {
		d.DeskName, d.SupportAddress = setup.Desk.DisplayName, setup.Desk.SupportAddress
	}
	for _, ch := range []string{"email", "phone"} {
		if n := rep.ByChannel[ch]; n > 0 {
			d.ByChannel = append(d.ByChannel, mailout.DigestCount{Code: ch, N: n})
		}
	}
	for ch, n := range rep.ByChannel {
		if ch != "email" && ch != "phone" && n > 0 {
			d.ByChannel = append(d.ByChannel, mailout.DigestCount{Code: ch, N: n})
		}
	}
	for _, g := range rep.Levels {
		row := slaRow(g, lang)
		row.Name = mailout.Word(lang, mailout.WordLevel, g.Name) // «стандартный»; an operator's own level keeps its name
		d.ByLevel = append(d.ByLevel, row)
	}
	if rep.OrgID == 0 {
		for _, g := range rep.Orgs {
			d.ByOrg = append(d.ByOrg, slaRow(g, lang))
		}
	}
	for _, g := range rep.Systems {
		d.BySystem = append(d.BySystem, slaRow(g, lang))
	}
	for _, g := range rep.Contractors {
		d.ByContractor = append(d.ByContractor, contractorRow(g, rep.OrgID > 0, lang))
	}
	line := func(l TicketLine) mailout.DigestTicket {
		t := mailout.DigestTicket{Number: l.ID, Subject: l.Subject, Organisation: l.Organisation, Agent: l.Agent,
			Status: l.Status, Age: bt(l.Age), Created: ts(l.Created)}
		if rep.OrgID > 0 {
			t.Agent = "" // staff addresses are internal to the operator
		}
		return t
	}
	for _, b := range rep.Breaches {
		t := line(b.Ticket)
		t.Metric, t.Over, t.Late = string(b.Metric), bt(b.Over), b.Stopped
		d.Breaches = append(d.Breaches, t)
	}
	for _, l := range rep.AtRisk {
		t := line(l)
		t.Metric, t.Remaining, t.Due = string(l.Metric), bt(l.Remaining), ts(l.Due)
		d.AtRisk = append(d.AtRisk, t)
	}
	for _, l := range rep.OldestOpen {
		d.OldestOpen = append(d.OldestOpen, line(l))
	}
	for _, l := range rep.OldestWaiting {
		d.OldestWait = append(d.OldestWait, line(l))
	}
	for _, l := range rep.Visits {
		d.Visits = append(d.Visits, line(l))
	}
	for _, l := range rep.Incidents {
		d.Incidents = append(d.Incidents, line(l))
	}
	for _, rc := range rep.Reasons {
		d.Reasons = append(d.Reasons, mailout.DigestReason{Status: rc.Status, Reason: rc.Reason, Clause: rc.Clause, N: rc.Count})
	}
	for _, a := range rep.Agents {
		d.Agents = append(d.Agents, mailout.DigestAgent{Agent: a.Agent, Open: a.Open, Received: a.Received, Resolved: a.Resolved, Breaches: a.Breaches})
	}
	for _, e := range rep.Refused {
		d.Refused = append(d.Refused, mailout.DigestEvent{Number: e.TicketID.Int64, At: ts(e.At), Kind: e.Kind, Actor: e.Actor, Detail: clip(e.Detail, 120)})
	}
	d.GivenUp, d.GivenUpCount = givenUpData(rep, ts), rep.GivenUpCount
	d.Announcements, d.KB = announcementsData(rep, ts), kbData(rep, lang)
	for _, b := range rep.Bounces {
		d.Bounces = append(d.Bounces, mailout.DigestBounce{Address: b.Recipient, Status: b.Status, Diagnostic: clip(b.Diagnostic, 120),
			Last: ts(b.Last), N: b.Count, Permanent: b.Permanent})
	}
	d.More = rep.BreachCount > len(rep.Breaches) || rep.RefusedCount > len(rep.Refused)
	return d
}

func slaRow(g Group, lang string) mailout.DigestSLA {
	bt := func(d time.Duration) string { return formatBusiness(d, lang) }
	target := func(d time.Duration) string {
		if d == 0 {
			return "—"
		}
		return bt(d)
	}
	times := func(m Metric) (string, string) {
		if m.Stopped() == 0 {
			return "—", "—"
		}
		return bt(m.Median), bt(m.P90)
	}
	fc, fok := g.FirstResponse.Compliance()
	rc, rok := g.Resolution.Compliance()
	row := mailout.DigestSLA{
		Name: g.Name, Received: g.Received, Resolved: g.Resolved,
		FirstTarget: target(g.FirstResponse.Target), FirstCompliance: formatPercent(fc, fok, lang),
		FirstMet: g.FirstResponse.Met, FirstBreached: g.FirstResponse.Breached, FirstPending: g.FirstResponse.Pending,
		ResolveTarget: target(g.Resolution.Target), ResolveCompliance: formatPercent(rc, rok, lang),
		ResolveMet: g.Resolution.Met, ResolveBreached: g.Resolution.Breached, ResolvePending: g.Resolution.Pending,
	}
	row.FirstMedian, row.FirstP90 = times(g.FirstResponse)
	row.ResolveMedian, row.ResolveP90 = times(g.Resolution)
	return row
}

// contractorRow is a contractor's line; an organisation's digest shows its
// display name only, and no name when the requesters are not told it.
func contractorRow(g ContractorGroup, org bool, lang string) mailout.DigestContractor {
	c, ok := g.Response.Compliance()
	row := mailout.DigestContractor{Name: g.Label(), Handle: g.Name, Passed: g.Passed, InTime: g.Response.Met,
		Late: g.Response.Breached, Pending: g.Response.Pending, Compliance: formatPercent(c, ok, lang), Median: "—",
		Open: g.Open, Breaches: g.Breaches}
	if g.Response.Stopped() > 0 {
		row.Median = formatBusiness(g.Response.Median, lang)
	}
	if org {
		row.Handle = ""
		if g.HideName {
			row.Name = ""
		}
	}
	if row.Handle == row.Name {
		row.Handle = ""
	}
	return row
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// csvHeader names the columns of the tickets CSV. An organisation's CSV has
// no agent column: the operator's staff addresses are internal.
func csvHeader(withAgent bool) []string {
	h := []string{"ticket", "created_at", "channel", "organisation", "level", "priority", "status", "agent",
		"first_response_at", "first_response_business_seconds", "first_response_target_seconds", "first_response_state",
		"resolved_at", "resolution_business_seconds", "resolution_target_seconds", "resolution_state", "closed_at", "subject"}
	if !withAgent {
		h = slices.Delete(h, csvAgentColumn, csvAgentColumn+1)
	}
	return h
}

const csvAgentColumn = 7

// ticketsCSV writes every ticket of the report (received in the period, open
// at its end or resolved in it), instants in the report's zone (RFC 3339).
// States: met, breached, pending, or empty when the ticket has no clock.
func ticketsCSV(rep *Report) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff") // lets spreadsheet programs see UTF-8
	w := csv.NewWriter(&b)
	withAgent := rep.OrgID == 0
	if err := w.Write(csvHeader(withAgent)); err != nil {
		return nil, err
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(rep.Location).Format(time.RFC3339)
	}
	fig := func(f figure) (string, string, string) {
		if !f.ok {
			return "", "", ""
		}
		state := "pending"
		switch {
		case f.breached:
			state = "breached"
		case f.stopped:
			state = "met"
		}
		return strconv.FormatInt(int64(f.elapsed/time.Second), 10), strconv.FormatInt(int64(f.target/time.Second), 10), state
	}
	for _, r := range rep.Rows {
		fe, ft, fs := fig(r.FirstResponse)
		re, rt, rs := fig(r.Resolution)
		rec := []string{strconv.FormatInt(r.ID, 10), ts(r.Created), r.Channel, csvSafe(r.Organisation), r.Level, r.Priority,
			r.Status, csvSafe(r.Agent), ts(r.FirstResponseAt), fe, ft, fs, ts(r.ResolvedAt), re, rt, rs, ts(r.Closed), csvSafe(r.Subject)}
		if !withAgent {
			rec = slices.Delete(rec, csvAgentColumn, csvAgentColumn+1)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvSafe keeps a subject from being read as a formula by spreadsheets.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
