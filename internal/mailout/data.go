package mailout

import (
	"fmt"
	"strings"
)

// Template names.
const (
	TmplAck                = "ack"
	TmplReopened           = "reopened"
	TmplNewAfterClosed     = "new_after_closed"
	TmplTooLarge           = "too_large"
	TmplRejectedUnreadable = "rejected_unreadable"
	// Outcomes of the intake rules (internal/rules); data NoticeData.
	TmplIdentify           = "identify"
	TmplBlocked            = "blocked"
	TmplOffensive          = "offensive"
	TmplMaintenance        = "maintenance"
	TmplUnclear            = "unclear"
	TmplUnidentifiedClosed = "unidentified_closed"
	// To the security contacts; data IncidentData.
	TmplIncidentAlert = "incident_alert"
	// SLA digest for managers (internal/digest); data DigestData.
	TmplDigest = "digest"
)

// Every data type carries DeskName and SupportAddress for the signature.
// Dates and sizes arrive formatted: the caller knows the desk's time zone.

// AckData is the data of the "ack" template: a new ticket was registered.
type AckData struct {
	TicketNumber     int64
	Subject          string // the user's subject
	SubjectToken     string // "[#123]"
	DeskName         string
	DueFirstResponse string // "27.12.2024 16:00 (Иркутск)"; "" = not promised
	OutOfHours       bool
	WorkStartsAt     string // "09.01.2025 в 09:00"
	Dropped          []DroppedFile
	SupportAddress   string
	// Missing lists what the request lacks by the checklist of §4.4
	// ("question", "steps", "screenshot", "contacts"); the template asks for it.
	Missing []string
	// QualityClause is the regulation's clause with that checklist ("4.4").
	QualityClause string
	// Incident: the request was recognised as a security incident; the
	// client is told to stop using the workstation and disconnect it, citing
	// IncidentClause of the agreement ("3.9").
	Incident       bool
	IncidentClause string
	// Articles of the knowledge base that may already answer the request
	// (at most three; docs/kb.md), and the regulation's clause on
	// instructions (KBClause, "4.3").
	Articles []ArticleRef
	KBClause string
}

// NoticeData is the data of the intake rules' outcomes: identify, blocked,
// offensive, maintenance, unclear and unidentified_closed. Clause is the
// number of the regulation's clause the outcome cites ("4.6.3").
type NoticeData struct {
	TicketNumber   int64 // 0 for blocked: no ticket is opened
	Subject        string
	SubjectToken   string
	Reason         string   // the reason code
	Clause         string   // e.g. "4.2"
	Missing        []string // identify: "full_name", "organisation", "phone"
	Scope          string   // blocked: "user", "organisation" or "all"
	System, Until  string   // maintenance: the system and the window's end; wait_reminder: when the wait closes the ticket (formatted)
	Note           string   // maintenance note or block reason
	Days           int      // unidentified_closed, wait_closed: working days waited
	Into           int64    // merged: the ticket it was merged into
	IntoSubject    string   // merged: that ticket's subject
	DeskName       string
	SupportAddress string
}

// IncidentData is the data of incident_alert, sent to the security contacts.
type IncidentData struct {
	TicketNumber                                  int64
	Subject, From, Organisation, ReceivedAt, Text string
	DeskName, SupportAddress                      string
}

// DigestData is the data of "digest", the SLA digest for managers built by
// internal/digest. Every figure arrives formatted for the mail's language;
// codes (Kind, Channel, Metric, Status, Reason) are translated by the
// templates. A list that is empty is a section with nothing to report.
type DigestData struct {
	Kind         string // "day" | "week" | "month"
	Period       string // "27.12.2024", "23.12.2024 – 29.12.2024", "декабрь 2024"
	Organisation string // "" = every organisation (the operator's digest)
	GeneratedAt  string
	ChartCID     string // Content-ID of the inline chart, "" = none
	CSVName      string // file name of the attached CSV, "" = none
	Received     int
	Resolved     int
	OpenAtEnd    int
	ByChannel    []DigestCount
	Total        DigestSLA
	ByLevel      []DigestSLA
	ByOrg        []DigestSLA
	// BySystem is the tickets of the period by information system (Name ""
	// = none); empty when no ticket has one.
	BySystem []DigestSLA
	// ByContractor is each contractor's work (data_digest.go); empty when
	// no ticket was with one.
	ByContractor []DigestContractor
	BreachCount  int
	Breaches     []DigestTicket
	AtRisk       []DigestTicket
	OldestOpen   []DigestTicket
	OldestWait   []DigestTicket
	Reasons      []DigestReason
	Agents       []DigestAgent
	VisitDay     string
	Visits       []DigestTicket
	Incidents    []DigestTicket
	RefusedCount int
	Refused      []DigestEvent
	Bounces      []DigestBounce
	// GivenUp is the outgoing mail the outbox gave up in the period (the
	// first ones; GivenUpCount counts them all).
	GivenUp      []DigestGivenUp
	GivenUpCount int
	// Announcements are the notices and maintenance mailings of the period
	// (data_digest.go); an organisation's digest only those that reached it.
	Announcements []DigestAnnouncement
	// KB is what the knowledge base's suggestions did; nil when none was made.
	KB *DigestKB
	// More is set when a list was cut: the CSV has everything.
	More           bool
	DeskName       string
	SupportAddress string
}

// DigestCount is a count by code (e.g. channel "email", "phone").
type DigestCount struct {
	Code string
	N    int
}

// DigestSLA is the compliance of a group: a support level (Name is its
// words, Word(lang, WordLevel, code)), an organisation, or everything (Name "").
type DigestSLA struct {
	Name                                        string
	Received                                    int
	FirstTarget, FirstCompliance                string // "4 ч", "95,2 %" ("—" when nothing was decided)
	FirstMet, FirstBreached, FirstPending       int
	FirstMedian, FirstP90                       string // business time, "—" when none
	ResolveTarget, ResolveCompliance            string
	ResolveMet, ResolveBreached, ResolvePending int
	ResolveMedian, ResolveP90                   string
	Resolved                                    int // of the tickets received, resolved by the end
}

// DigestTicket is a ticket in a list of the digest.
type DigestTicket struct {
	Number       int64
	Subject      string
	Organisation string
	Agent        string // "" = unassigned
	Status       string // status code
	Metric       string // "first_response" | "resolution" (breaches, at risk)
	Over         string // breaches: business time beyond the target
	Late         bool   // breaches: the clock is stopped (answered/resolved late)
	Remaining    string // at risk: business time left
	Due          string // at risk: the due time
	Age          string // oldest: business time since it was opened
	Created      string
}

// DigestReason counts deferred or rejected tickets by reason code.
type DigestReason struct {
	Status, Reason, Clause string
	N                      int
}

// DigestAgent is one agent's load; Agent "" = unassigned.
type DigestAgent struct {
	Agent                              string
	Open, Received, Resolved, Breaches int
}

// DigestEvent is a refused staff command or a security event.
type DigestEvent struct {
	Number                  int64 // 0 = not about a ticket
	At, Kind, Actor, Detail string
}

// DigestBounce is an address our mail bounced from.
type DigestBounce struct {
	Address, Status, Diagnostic, Last string
	N                                 int
	Permanent                         bool
}

// DigestGivenUp is an outgoing message the outbox gave up.
type DigestGivenUp struct {
	Number int64  // the ticket, 0 = none
	At     string // when it was given up
	To     string // the recipients, comma-separated
	Reason string // GiveUpRejected or GiveUpExpired
	Detail string // the mail server's last answer, clipped
}

// DroppedFile is an attachment that was not accepted. Reason is a code the
// templates translate ("too_large", "forbidden_type", "too_many") or, for
// anything else, text shown as is.
type DroppedFile struct {
	Name, Size, Reason string
	Limit              string // the limit it broke, formatted ("10 МБ"); "" = not shown
}

// Reason codes for DroppedFile.Reason.
const (
	DropTooLarge      = "too_large"
	DropForbiddenType = "forbidden_type"
	DropTooMany       = "too_many"
	// DropMessageTooLarge: the whole message was over the size limit and
	// only its text was fetched (Limit: the message limit).
	DropMessageTooLarge = "message_too_large"
)

// ReopenedData is the data of "reopened": a reply reopened a closed ticket.
type ReopenedData struct {
	TicketNumber   int64
	Subject        string
	SubjectToken   string
	DeskName       string
	DueResponse    string // "" = not promised
	OutOfHours     bool
	WorkStartsAt   string
	SupportAddress string
	// WasDeferred: the request had been deferred (unclear, maintenance) and
	// the customer's reply takes it up again, rather than a closed one reopened.
	WasDeferred bool
}

// NewAfterClosedData is the data of "new_after_closed": a reply came after
// the reopening window, so a new ticket linked to the old one was opened.
type NewAfterClosedData struct {
	TicketNumber     int64
	OldTicketNumber  int64
	Subject          string
	SubjectToken     string // of the new ticket
	DeskName         string
	DueFirstResponse string
	OutOfHours       bool
	WorkStartsAt     string
	Dropped          []DroppedFile
	SupportAddress   string
}

// TooLargeData is the data of "too_large": the whole message exceeded the
// size limit; the ticket was created from its header and text parts, the
// rest (Dropped) was not received.
type TooLargeData struct {
	TicketNumber     int64
	Subject          string
	SubjectToken     string
	Size, Limit      string // formatted, see FormatSize
	HasText          bool   // the text was received (else the customer is asked to write it again)
	TextCut          bool   // the text itself was cut at the text part limit
	Dropped          []DroppedFile
	DueFirstResponse string // "" = not promised
	OutOfHours       bool
	WorkStartsAt     string
	DeskName         string
	SupportAddress   string
}

// RejectedUnreadableData is the data of "rejected_unreadable": the message
// could not be read at all; no ticket was created.
type RejectedUnreadableData struct {
	Subject        string // "" when even the subject was unreadable
	ReceivedAt     string // "27.12.2024 16:05"
	Reason         string // short explanation in the mail's language, may be ""
	DeskName       string
	SupportAddress string
}

// TmplProtocol is the connection protocol (Приложение 2 of the agreement)
// sent when a connection request has been carried out; data ProtocolData.
const TmplProtocol = "protocol"

// ProtocolData is the data of "protocol": which accounts were given to
// whom, with which rights, and how each access key was handed over.
type ProtocolData struct {
	RequestTicket  int64  // the ticket of the connection request; 0 = none
	Organisation   string // the client organisation
	INN            string
	Date           string // "13.01.2025"
	Rows           []ProtocolRow
	DeskName       string
	SupportAddress string
}

// ProtocolRow is one account of the protocol. KeyChannel says how the
// access key was handed over ("защищённый канал связи", "лично в руки на
// материальном носителе"); "" = not stated.
type ProtocolRow struct {
	FullName, Department, Position, Email, Account, Rights, KeyChannel string
}

// TextTable lays the rows out for the text version of the protocol: a
// heading line, a rule and one or more lines per row, in aligned columns
// (cells longer than 32 characters wrap). The headings come from the
// template, one per column: №, full name, department and position,
// e-mail, account, rights, key channel. Empty cells show as "—".
func (d ProtocolData) TextTable(headings ...string) []string {
	const maxWidth = 32
	table := [][]string{headings}
	for i, r := range d.Rows {
		dept := r.Department
		if dept != "" && r.Position != "" {
			dept += ", "
		}
		table = append(table, []string{fmt.Sprint(i + 1), r.FullName, dept + r.Position, r.Email, r.Account, r.Rights, r.KeyChannel})
	}
	cols := len(headings)
	width := make([]int, cols)
	wrapped := make([][][]string, len(table)) // row -> column -> lines
	for i, row := range table {
		wrapped[i] = make([][]string, cols)
		for j := 0; j < cols; j++ {
			cell := ""
			if j < len(row) {
				cell = strings.Join(strings.Fields(row[j]), " ")
			}
			if cell == "" && i > 0 {
				cell = "—"
			}
			wrapped[i][j] = wrapCell(cell, maxWidth)
			for _, l := range wrapped[i][j] {
				width[j] = max(width[j], len([]rune(l)))
			}
		}
	}
	var out []string
	for i, row := range wrapped {
		height := 1
		for _, c := range row {
			height = max(height, len(c))
		}
		for k := 0; k < height; k++ {
			parts := make([]string, cols)
			for j, c := range row {
				l := ""
				if k < len(c) {
					l = c[k]
				}
				parts[j] = l + strings.Repeat(" ", width[j]-len([]rune(l)))
			}
			out = append(out, strings.TrimRight(strings.Join(parts, " | "), " "))
		}
		if i == 0 {
			rule := make([]string, cols)
			for j := range rule {
				rule[j] = strings.Repeat("-", width[j])
			}
			out = append(out, strings.Join(rule, "-+-"))
		}
	}
	return out
}

// RowNumber is the 1-based number of the row at index i, for the
// templates' "№ п/п" column.
func (d ProtocolData) RowNumber(i int) int { return i + 1 }

// wrapCell splits s into lines of at most n runes at spaces (a longer word
// stays whole).
func wrapCell(s string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= n:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}

// zeroData returns the zero data value of a known template, used to check
// templates (including overrides) at load time.
func zeroData(name string) (any, bool) {
	if d, ok := zeroDataKB(name); ok {
		return d, true
	}
	if d, ok := zeroDataMorning(name); ok {
		return d, true
	}
	switch name {
	case TmplWebSignIn:
		return WebSignInData{}, true
	case TmplAck:
		return AckData{}, true
	case TmplReopened:
		return ReopenedData{}, true
	case TmplNewAfterClosed:
		return NewAfterClosedData{}, true
	case TmplTooLarge:
		return TooLargeData{}, true
	case TmplRejectedUnreadable:
		return RejectedUnreadableData{}, true
	case TmplIdentify, TmplBlocked, TmplOffensive, TmplMaintenance, TmplUnclear, TmplUnidentifiedClosed:
		return NoticeData{}, true
	case TmplIncidentAlert:
		return IncidentData{}, true
	case TmplProtocol:
		return ProtocolData{}, true
	case TmplDigest:
		return DigestData{}, true
	}
	return zeroDataStaff(name)
}

// TicketToken formats the subject token of a ticket: "[#123]".
func TicketToken(n int64) string { return fmt.Sprintf("[#%d]", n) }

// FormatSize formats a byte count for people: "12,4 МБ" in Russian,
// "12.4 MB" in English.
func FormatSize(n int64, lang string) string {
	units := []string{"Б", "КБ", "МБ", "ГБ", "ТБ"}
	if lang == "en" {
		units = []string{"B", "KB", "MB", "GB", "TB"}
	}
	if n < 1024 {
		return fmt.Sprintf("%d %s", n, units[0])
	}
	v := float64(n)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + units[i]
}
