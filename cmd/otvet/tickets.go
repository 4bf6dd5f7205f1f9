package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// ticketJSON is the stable JSON form of a ticket for scripts.
type ticketJSON struct {
	Number           int64                      `json:"number"`
	Desk             string                     `json:"desk"`
	Status           string                     `json:"status"`
	Reason           string                     `json:"reason"`
	Priority         string                     `json:"priority"`
	Organisation     string                     `json:"organisation"`
	OrganisationID   int64                      `json:"organisation_id,omitempty"`
	Channel          string                     `json:"channel"`
	Kind             string                     `json:"kind"`
	Assignee         string                     `json:"assignee,omitempty"`
	PlannedFor       string                     `json:"planned_for,omitempty"`
	FirstResponseAt  string                     `json:"first_response_at,omitempty"`
	ResolvedAt       string                     `json:"resolved_at,omitempty"`
	Suggestions      []string                   `json:"suggestions,omitempty"`
	Missing          []string                   `json:"missing,omitempty"`
	ResumeAt         string                     `json:"resume_at,omitempty"`
	Subject          string                     `json:"subject"`
	Requester        string                     `json:"requester"`
	RequesterName    string                     `json:"requester_name,omitempty"`
	SupportLevel     string                     `json:"support_level"`
	System           string                     `json:"system,omitempty"`
	LinkedTicket     int64                      `json:"linked_ticket,omitempty"`
	CreatedAt        string                     `json:"created_at"`
	UpdatedAt        string                     `json:"updated_at"`
	FirstResponseDue string                     `json:"first_response_due,omitempty"`
	ResolutionDue    string                     `json:"resolution_due,omitempty"`
	SLA              map[string]json.RawMessage `json:"sla,omitempty"`
	Participants     []string                   `json:"participants,omitempty"`
	Messages         []messageJSON              `json:"messages,omitempty"`
	Events           []eventJSON                `json:"events,omitempty"`
}

type messageJSON struct {
	Direction   string           `json:"direction"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	Cc          string           `json:"cc,omitempty"`
	Subject     string           `json:"subject"`
	MessageID   string           `json:"message_id"`
	Auto        bool             `json:"auto,omitempty"`
	CreatedAt   string           `json:"created_at"`
	Body        string           `json:"body"`
	Attachments []attachmentJSON `json:"attachments"`
}

type attachmentJSON struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Dropped     bool   `json:"dropped,omitempty"`
	DropReason  string `json:"drop_reason,omitempty"`
}

type eventJSON struct {
	At     string `json:"at"`
	Kind   string `json:"kind"`
	Detail string `json:"detail,omitempty"`
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func toTicketJSON(t *store.Ticket) ticketJSON {
	j := ticketJSON{
		Number: t.ID, Desk: t.Desk, Status: t.Status, Reason: t.Reason, Priority: t.Priority, Channel: t.Channel,
		Kind: t.Kind, Assignee: t.Assignee, PlannedFor: t.PlannedFor,
		OrganisationID: t.OrgID.Int64, Suggestions: splitComma(t.Suggestions), Missing: splitComma(t.Missing),
		Subject: t.Subject, Requester: t.RequesterEmail,
		RequesterName: t.RequesterName, SupportLevel: t.SupportLevel, System: t.System, LinkedTicket: t.LinkedTicketID.Int64,
		CreatedAt: rfc3339(t.CreatedAt), UpdatedAt: rfc3339(t.UpdatedAt),
	}
	if t.FirstResponseDue.Valid {
		j.FirstResponseDue = rfc3339(t.FirstResponseDue.Time)
	}
	if t.ResolutionDue.Valid {
		j.ResolutionDue = rfc3339(t.ResolutionDue.Time)
	}
	if t.ResumeAt.Valid {
		j.ResumeAt = rfc3339(t.ResumeAt.Time)
	}
	if t.FirstResponseAt.Valid {
		j.FirstResponseAt = rfc3339(t.FirstResponseAt.Time)
	}
	if t.ResolvedAt.Valid {
		j.ResolvedAt = rfc3339(t.ResolvedAt.Time)
	}
	for name, c := range map[string]string{"first_response": t.SLAFirstResponse, "resolution": t.SLAResolution} {
		if c != "" && json.Valid([]byte(c)) {
			if j.SLA == nil {
				j.SLA = map[string]json.RawMessage{}
			}
			j.SLA[name] = json.RawMessage(c)
		}
	}
	return j
}

func cmdTickets(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("usage: otvet tickets list|search TEXT|show N|open --phone ...|reindex [--json] [--config FILE]")
	}
	switch args[0] {
	case "list":
		return ticketsList(ctx, e, args[1:])
	case "show":
		return ticketsShow(ctx, e, args[1:])
	case "open":
		return ticketsOpen(ctx, e, args[1:])
	case "search":
		return ticketsSearch(ctx, e, args[1:])
	case "reindex":
		return ticketsReindex(ctx, e, args[1:])
	}
	return usagef("tickets: unknown subcommand %q: use list, search, show, open or reindex", args[0])
}

// ticketsList prints the queue: tickets a filter selects, nearest due first.
func ticketsList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tickets list", "tickets list [filters] [--json] [--limit N] [--tz ZONE] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array (times in UTC)")
	limit := fs.Int("limit", 100, "at most N tickets")
	status := fs.String("status", "", "states, comma-separated: "+strings.Join(store.AllStatuses(), ", ")+", or active")
	org := fs.Int64("org", 0, "the organisation's id")
	assignee := fs.String("assignee", "", "an agent's address, me (with --as) or none")
	as := fs.String("as", "", "your staff address, for --assignee me")
	level := fs.String("level", "", "support level")
	priority := fs.String("priority", "", "priority")
	system := fs.String("system", "", "information system (МИС, СЭД, 1С …)")
	dueWithin := fs.Duration("due-within", 0, "clock running and due within this long (e.g. 4h; breached ones too)")
	breached := fs.Bool("breached", false, "clock running and past its due time")
	waiting := fs.Bool("waiting", false, "waiting for the customer")
	text := fs.String("search", "", "words to find in any form (subject, messages, attachment names, requester, organisation)")
	desk := fs.String("desk", "", "only this desk")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("tickets list: unexpected argument %q", fs.Arg(0))
	}
	if *limit < 1 {
		return usagef("tickets list: --limit must be at least 1, not %d", *limit)
	}
	f := store.TicketFilter{Desk: *desk, OrgID: *org, Level: *level, Priority: *priority, System: *system,
		DueWithin: *dueWithin, Breached: *breached, Waiting: *waiting, Search: *text, Limit: *limit}
	if *status != "" {
		for _, st := range strings.Split(*status, ",") {
			f.Statuses = append(f.Statuses, strings.TrimSpace(st))
		}
	}
	switch strings.ToLower(*assignee) {
	case "":
	case "none", "-":
		f.Unassigned = true
	case "me":
		if *as == "" {
			return usagef("tickets list: --assignee me needs your address: --as EMAIL")
		}
		f.Assignee = *as
	default:
		f.Assignee = *assignee
	}
	if err := f.Validate(); err != nil {
		return usagef("tickets list: %v", err)
	}
	return runQueue(ctx, e, *cfg, f, *asJSON, *tz)
}

// ticketsSearch finds tickets by words.
func ticketsSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tickets search", "tickets search TEXT [--json] [--limit N] [--tz ZONE] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array (times in UTC)")
	limit := fs.Int("limit", 100, "at most N tickets")
	tz := tzFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if *limit < 1 {
		return usagef("tickets search: --limit must be at least 1, not %d", *limit)
	}
	q := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if q == "" {
		return usagef("tickets search: give the words to find, e.g. otvet tickets search принтер школа 3")
	}
	return runQueue(ctx, e, *cfg, store.TicketFilter{Search: q, Limit: *limit}, *asJSON, *tz)
}

// queueJSON is a ticket of a list with its organisation's name and due time.
type queueJSON struct {
	ticketJSON
	Due string `json:"due,omitempty"`
}

func runQueue(ctx context.Context, e *env, cfg string, f store.TicketFilter, asJSON bool, tz string) error {
	db, s, err := openDBSettings(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	zone, err := outputZones(s, tz)
	if err != nil {
		return err
	}
	f.Now = time.Now()
	// Row by row from the store's cursor: a long list (--limit 100000) is
	// never held in memory, as values or as one document; each ticket is
	// one write.
	if asJSON {
		arr := newJSONArray(e.Stdout)
		err = db.EachTicket(ctx, f, func(it *store.QueueItem) error {
			j := queueJSON{ticketJSON: toTicketJSON(&it.Ticket)}
			j.Organisation = it.OrgName
			if d := it.Due(); !d.IsZero() {
				j.Due = rfc3339(d)
			}
			return arr.add(j)
		})
		if err == nil {
			err = arr.close()
		}
	} else {
		q := newQueueTable(e.Stdout, zone)
		err = db.EachTicket(ctx, f, func(it *store.QueueItem) error { q.row(it); return nil })
		if err == nil {
			err = q.flush()
		}
	}
	return err
}

// queueTable prints tickets with times in their desk's zone (or --tz's),
// row by row (streamTable: the columns are as wide as in the first
// thousand rows).
type queueTable struct {
	t    *streamTable
	zone func(desk string) *time.Location
}

func newQueueTable(w io.Writer, zone func(desk string) *time.Location) *queueTable {
	return &queueTable{t: newStreamTable(w, "#", "STATUS", "DUE", "ORGANISATION", "SYSTEM", "ASSIGNEE", "SUBJECT"), zone: zone}
}

func (q *queueTable) row(it *store.QueueItem) {
	due := "-"
	if d := it.Due(); !d.IsZero() {
		due = localTime(d, q.zone(it.Desk))
	}
	q.t.row(strconv.FormatInt(it.ID, 10), it.Status, due, cmpOr(clip(it.OrgName, 30), "-"),
		cmpOr(it.System, "-"), cmpOr(it.Assignee, "-"), clip(it.Subject, 50))
}

func (q *queueTable) flush() error { return q.t.flush() }

// ticketsReindex rebuilds the full-text index.
func ticketsReindex(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tickets reindex", "tickets reindex [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("tickets reindex: unexpected argument %q", fs.Arg(0))
	}
	db, err := openDB(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	st, err := db.Reindex(ctx, func(st store.ReindexStats) {
		e.Log.Info("reindexing", "tickets", st.Tickets, "messages", st.Messages)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "indexed %d tickets, %d messages, %d attachment names in %s\n", st.Tickets, st.Messages, st.Attachments,
		time.Since(start).Round(time.Millisecond))
	return nil
}

// printTickets prints tickets with their creation time in their desk's zone.
func printTickets(w io.Writer, ts []store.Ticket, zone func(desk string) *time.Location) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSTATUS\tCREATED\tREQUESTER\tSUBJECT")
	for _, t := range ts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Status, localTime(t.CreatedAt, zone(t.Desk)), t.RequesterEmail, clip(t.Subject, 60))
	}
	return tw.Flush()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func ticketsShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tickets show", "tickets show N [--json] [--tz ZONE] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON object")
	tz := tzFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("tickets show: give one ticket number, e.g. otvet tickets show 123")
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(fs.Arg(0), "#"), 10, 64)
	if err != nil || n <= 0 {
		return usagef("tickets show: %q is not a ticket number", fs.Arg(0))
	}
	db, s, err := openDBSettings(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	zone, err := outputZones(s, *tz)
	if err != nil {
		return err
	}
	j, err := loadTicket(ctx, db, n)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("ticket #%d does not exist", n)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.Stdout, j)
	}
	printTicket(e.Stdout, j, zone(j.Desk))
	return nil
}

func loadTicket(ctx context.Context, db *store.DB, n int64) (ticketJSON, error) {
	t, err := db.Ticket(ctx, n)
	if err != nil {
		return ticketJSON{}, err
	}
	j := toTicketJSON(t)
	if t.OrgID.Valid {
		if o, err := db.OrgByID(ctx, t.OrgID.Int64); err == nil {
			j.Organisation = o.Name
		}
	}
	ps, err := db.Participants(ctx, n)
	if err != nil {
		return j, err
	}
	for _, p := range ps {
		j.Participants = append(j.Participants, p.Email+" ("+p.Role+")")
	}
	ms, err := db.Messages(ctx, n)
	if err != nil {
		return j, err
	}
	atts, err := db.Attachments(ctx, n)
	if err != nil {
		return j, err
	}
	for _, m := range ms {
		mj := messageJSON{
			Direction: m.Direction, From: m.FromAddr, To: m.ToAddrs, Cc: m.CcAddrs, Subject: m.Subject,
			MessageID: m.MessageID, Auto: m.Auto, CreatedAt: rfc3339(m.CreatedAt), Body: string(m.BodyText),
			Attachments: []attachmentJSON{},
		}
		for _, a := range atts[m.ID] {
			mj.Attachments = append(mj.Attachments, attachmentJSON{
				Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, Dropped: a.Dropped, DropReason: a.DropReason,
			})
		}
		j.Messages = append(j.Messages, mj)
	}
	es, err := db.Events(ctx, n)
	if err != nil {
		return j, err
	}
	for _, ev := range es {
		j.Events = append(j.Events, eventJSON{At: rfc3339(ev.At), Kind: ev.Kind, Detail: ev.Detail})
	}
	return j, nil
}

func splitComma(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// printTicket prints a ticket for people, its times in loc (the desk's zone).
func printTicket(w io.Writer, j ticketJSON, loc *time.Location) {
	at := func(s string) string { return localRFC(s, loc) }
	fmt.Fprintf(w, "Ticket #%d [%s] %s\n", j.Number, j.Status, j.Subject)
	if j.Reason != "" || j.Priority != "normal" {
		fmt.Fprintf(w, "Reason: %s; priority: %s\n", cmpOr(j.Reason, "-"), j.Priority)
	}
	if j.Organisation != "" {
		fmt.Fprintf(w, "Organisation: %s (level %s)\n", j.Organisation, j.SupportLevel)
	}
	if j.Kind != "" && j.Kind != "request" {
		fmt.Fprintf(w, "Kind: %s\n", j.Kind)
	}
	if j.Assignee != "" {
		fmt.Fprintf(w, "Assignee: %s\n", j.Assignee)
	}
	if j.PlannedFor != "" {
		fmt.Fprintf(w, "Visit planned for: %s\n", j.PlannedFor)
	}
	if len(j.Suggestions) > 0 {
		fmt.Fprintf(w, "Suggested to staff: out of scope (%s)\n", strings.Join(j.Suggestions, ", "))
	}
	if len(j.Missing) > 0 {
		fmt.Fprintf(w, "Missing: %s\n", strings.Join(j.Missing, ", "))
	}
	if j.ResumeAt != "" {
		fmt.Fprintf(w, "Resumes or closes by itself at: %s\n", at(j.ResumeAt))
	}
	fmt.Fprintf(w, "Requester: %s %s\nCreated:   %s\n", j.Requester, j.RequesterName, at(j.CreatedAt))
	if j.FirstResponseDue != "" {
		fmt.Fprintf(w, "First response due: %s; resolution due: %s\n", at(j.FirstResponseDue), cmpOr(at(j.ResolutionDue), "-"))
	}
	if j.LinkedTicket != 0 {
		fmt.Fprintf(w, "Follows ticket #%d\n", j.LinkedTicket)
	}
	fmt.Fprintf(w, "Participants: %s\n", strings.Join(j.Participants, ", "))
	for _, m := range j.Messages {
		fmt.Fprintf(w, "\n--- %s %s  from %s to %s\nSubject: %s\n", m.Direction, at(m.CreatedAt), m.From, m.To, m.Subject)
		if m.Auto {
			fmt.Fprintln(w, "(automatic)")
		}
		fmt.Fprintln(w, strings.TrimRight(m.Body, "\n"))
		for _, a := range m.Attachments {
			state := ""
			if a.Dropped {
				state = " — dropped: " + a.DropReason
			}
			fmt.Fprintf(w, "[attachment] %s (%s, %d bytes)%s\n", a.Filename, a.ContentType, a.Size, state)
		}
	}
	if len(j.Events) > 0 {
		fmt.Fprintln(w, "\nEvents:")
		for _, ev := range j.Events {
			fmt.Fprintf(w, "  %s %s %s\n", at(ev.At), ev.Kind, ev.Detail)
		}
	}
}

// writeJSONArray writes n elements as one indented JSON array, as writeJSON
// would, encoding and writing one element at a time.
func writeJSONArray(w io.Writer, n int, elem func(i int) any) error {
	if n == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	if _, err := io.WriteString(w, "[\n  "); err != nil {
		return err
	}
	for i := range n {
		b, err := json.MarshalIndent(elem(i), "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if i == n-1 {
			sep = "\n]\n"
		}
		if _, err := w.Write(append(b, sep...)); err != nil {
			return err
		}
	}
	return nil
}

// jsonArray writes one indented JSON array element by element, in the
// layout of writeJSON (and writeJSONArray), for lists of unknown length.
type jsonArray struct {
	w   io.Writer
	n   int
	buf []byte
}

func newJSONArray(w io.Writer) *jsonArray { return &jsonArray{w: w} }

func (a *jsonArray) add(v any) error {
	b, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	a.buf = append(append(a.buf[:0], sep...), b...)
	_, err = a.w.Write(a.buf)
	return err
}

func (a *jsonArray) close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.w, end)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ticketsOpen registers a phone call as a ticket.
func ticketsOpen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tickets open", "tickets open --phone --requester EMAIL --subject TEXT --body TEXT [--name NAME] [--desk NAME] [--json] [--config FILE]")
	cfg := configFlag(fs)
	phone := fs.Bool("phone", false, "the request came by phone (the only channel registered by hand)")
	requester := fs.String("requester", "", "the caller's e-mail address: the acknowledgement goes there")
	name := fs.String("name", "", "the caller's full name")
	subject := fs.String("subject", "", "the request in a few words")
	body := fs.String("body", "", "what the caller said")
	desk := fs.String("desk", "", "the desk (default: the first)")
	asJSON := fs.Bool("json", false, "print the outcome as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*phone {
		return usagef("tickets open: only phone requests are registered by hand: add --phone")
	}
	if *requester == "" || (*subject == "" && *body == "") {
		return usagef("tickets open: --requester and a --subject or --body are required")
	}
	c, err := loadConfig(e, *cfg)
	if err != nil {
		return err
	}
	if *desk == "" {
		*desk = c.Desks[0].Name
	}
	a, err := app.New(ctx, c, e.Log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	out, err := a.Service.OpenPhone(ctx, helpdesk.PhoneRequest{Desk: *desk, Requester: *requester, Name: *name,
		Subject: *subject, Body: *body, Actor: actorName(e)})
	if err != nil {
		return err
	}
	if _, err := a.Outbox.Drain(ctx); err != nil {
		e.Log.Warn("the acknowledgement stays in the outbox", "err", err)
	}
	if *asJSON {
		return writeJSON(e.Stdout, map[string]any{"number": out.TicketID, "disposition": out.Disposition, "reason": out.Note})
	}
	if out.TicketID == 0 {
		fmt.Fprintf(e.Stdout, "not registered: %s %s\n", out.Disposition, out.Note)
		return nil
	}
	fmt.Fprintf(e.Stdout, "ticket #%d registered%s\n", out.TicketID, map[bool]string{true: " (" + out.Note + ")", false: ""}[out.Note != ""])
	return nil
}
