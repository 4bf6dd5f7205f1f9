package store

import (
	"database/sql"
	"time"
)

// Ticket states (see docs/architecture.md).
const (
	StatusUnidentified = "unidentified"
	StatusOpen         = "open"
	StatusWaiting      = "waiting"
	StatusDeferred     = "deferred"
	StatusPlanned      = "planned"
	StatusResolved     = "resolved"
	StatusRejected     = "rejected"
	StatusClosed       = "closed"
)

// Message directions.
const (
	DirIn   = "in"
	DirOut  = "out"
	DirNote = "note"
)

// Raw message dispositions: what intake did with a message.
const (
	DispTicket      = "ticket"       // opened a ticket
	DispReply       = "reply"        // appended to a ticket
	DispAutoIgnored = "auto_ignored" // automatic mail not about any ticket
	DispLoop        = "loop"         // our own mail came back
	DispBounce      = "bounce"       // a delivery status notification
	DispQuarantine  = "quarantined"  // unusable: kept, logged, not a ticket
	DispBlocked     = "blocked"      // from a blocked sender: refused with a notice
	DispSpam        = "spam"         // marked as spam by the MX, or failing DMARC: kept, never answered
)

// Outbox states.
const (
	OutPending = "pending"
	OutSent    = "sent"
	OutFailed  = "failed"
)

// Ticket is one request.
type Ticket struct {
	ID               int64         `db:"id"`
	Desk             string        `db:"desk"`
	Status           string        `db:"status"`
	Channel          string        `db:"channel"`
	Subject          string        `db:"subject"`
	RequesterEmail   string        `db:"requester_email"`
	RequesterName    string        `db:"requester_name"`
	SupportLevel     string        `db:"support_level"`
	LinkedTicketID   sql.NullInt64 `db:"linked_ticket_id"`
	CreatedAt        time.Time     `db:"created_at"`
	UpdatedAt        time.Time     `db:"updated_at"`
	ClosedAt         sql.NullTime  `db:"closed_at"`
	FirstResponseDue sql.NullTime  `db:"first_response_due"`
	ResolutionDue    sql.NullTime  `db:"resolution_due"`
	FirstResponseAt  sql.NullTime  `db:"first_response_at"`
	// SLA clocks as JSON (internal/sla); "" when the desk has no calendar.
	SLAFirstResponse string `db:"sla_first_response"`
	SLAResolution    string `db:"sla_resolution"`
	// What the intake rules decided (internal/rules).
	Reason      string        `db:"reason"`      // reason code of the current state, "" when open
	Priority    string        `db:"priority"`    // normal | incident | ...
	OrgID       sql.NullInt64 `db:"org_id"`      // the requester's organisation, when known
	Suggestions string        `db:"suggestions"` // out-of-scope categories suggested to staff, comma-separated
	Missing     string        `db:"missing"`     // what the request lacks (checklist or identification), comma-separated
	ResumeAt    sql.NullTime  `db:"resume_at"`   // a deferred ticket resumes by itself then
	// Staff work (migration 00005).
	Assignee   string        `db:"assignee"`    // the agent's e-mail, "" when unassigned
	ResolvedAt sql.NullTime  `db:"resolved_at"` // when support resolved it (kept when it is closed later)
	PlannedFor string        `db:"planned_for"` // YYYY-MM-DD: the working day of a planned visit
	MergedInto sql.NullInt64 `db:"merged_into"`
	Kind       string        `db:"kind"` // KindRequest or KindRegistration
	// Holds (migration 00011): the maintenance window holding a deferred
	// ticket, and when a ticket waiting for the customer was reminded.
	HoldWindowID   sql.NullInt64 `db:"hold_window_id"`
	WaitRemindedAt sql.NullTime  `db:"wait_reminded_at"`
	// System is the information system the request is about (migration
	// 00014): detected at intake, set by staff with #system; "" when unknown.
	System string `db:"system"`
}

// Priorities.
const (
	PriorityNormal   = "normal"
	PriorityIncident = "incident"
)

// MaintenanceWindow is announced work on a system: requests about it are deferred.
type MaintenanceWindow struct {
	ID        int64     `db:"id"`
	System    string    `db:"system"`
	Keywords  string    `db:"keywords"` // comma-separated extra words that name the system
	StartsAt  time.Time `db:"starts_at"`
	EndsAt    time.Time `db:"ends_at"`
	Note      string    `db:"note"`
	CreatedAt time.Time `db:"created_at"`
	CreatedBy string    `db:"created_by"`
}

// Participant is a person taking part in a ticket.
type Participant struct {
	ID       int64  `db:"id"`
	TicketID int64  `db:"ticket_id"`
	Email    string `db:"email"`
	Name     string `db:"name"`
	Role     string `db:"role"`
	// TokenEpoch is the epoch of the participant's reply tokens: reply
	// addresses are signed with it (mailout.Signer.ReplyAddress), and a token
	// of an older epoch has been revoked (RevokeAgentTokens).
	TokenEpoch int64 `db:"token_epoch"`
}

const participantCols = `id, ticket_id, email, name, role, token_epoch`

// RawMessage is an incoming message exactly as fetched.
type RawMessage struct {
	ID          int64         `db:"id"`
	Desk        string        `db:"desk"`
	UIDValidity uint32        `db:"uid_validity"`
	UID         uint32        `db:"uid"`
	MessageID   string        `db:"message_id"`
	SHA256      string        `db:"sha256"`
	ContentKey  string        `db:"content_key"` // SHA-256 without trace header fields (quarantine.go)
	Size        int64         `db:"size"`
	Truncated   bool          `db:"truncated"`
	Disposition string        `db:"disposition"`
	Note        string        `db:"note"`
	TicketID    sql.NullInt64 `db:"ticket_id"`
	Data        RawBytes      `db:"data"` // the message's bytes (stored packed on SQLite: DB.PackRaw)
	ReceivedAt  time.Time     `db:"received_at"`
	// Packed is Data's stored form when worked out beforehand (DB.PackRaw,
	// while the message is parsed); InsertRaw packs Data itself otherwise.
	Packed []byte  `db:"-"`
	Body   RawBody `db:"-"` // instead of Data: a spooled message (raw_stream.go)
}

// Message is one entry of a ticket's conversation.
type Message struct {
	ID        int64         `db:"id"`
	TicketID  int64         `db:"ticket_id"`
	Direction string        `db:"direction"`
	MessageID string        `db:"message_id"`
	FromAddr  string        `db:"from_addr"`
	FromName  string        `db:"from_name"`
	ToAddrs   string        `db:"to_addrs"`
	CcAddrs   string        `db:"cc_addrs"`
	Subject   string        `db:"subject"`
	BodyText  Text          `db:"body_text"`
	BodyHTML  Text          `db:"body_html"`
	Prep      *MessagePrep  `db:"-"` // its text's stored form and terms, worked out beforehand (optional)
	Auto      bool          `db:"auto"`
	RawID     sql.NullInt64 `db:"raw_id"`
	OutboxID  sql.NullInt64 `db:"outbox_id"`
	CreatedAt time.Time     `db:"created_at"`
}

// Attachment is a file of a message; Data is nil when it was dropped.
type Attachment struct {
	ID          int64  `db:"id"`
	MessageID   int64  `db:"message_id"`
	Filename    string `db:"filename"`
	ContentType string `db:"content_type"`
	ContentID   string `db:"content_id"`
	Inline      bool   `db:"inline"`
	Size        int64  `db:"size"`
	Dropped     bool   `db:"dropped"`
	DropReason  string `db:"drop_reason"`
	Data        []byte `db:"data"`
	// InRaw, when set (FindInRaw), is where Data lies in the raw message of
	// the message it is inserted under: InsertAttachment then stores no
	// copy (attach_raw.go).
	InRaw RawPart `db:"-"`
}

// Event is one line of a ticket's audit trail.
type Event struct {
	ID       int64         `db:"id"`
	TicketID sql.NullInt64 `db:"ticket_id"`
	At       time.Time     `db:"at"`
	Kind     string        `db:"kind"`
	Actor    string        `db:"actor"`
	Detail   string        `db:"detail"`
}

// Outgoing is one outbox row: a composed message waiting to be sent.
type Outgoing struct {
	ID            int64         `db:"id"`
	Desk          string        `db:"desk"`
	TicketID      sql.NullInt64 `db:"ticket_id"`
	Kind          string        `db:"kind"`
	MessageID     string        `db:"message_id"`
	EnvelopeFrom  string        `db:"envelope_from"`
	Recipients    string        `db:"recipients"` // newline-separated
	RcptKey       string        `db:"rcpt_key"`
	Auto          bool          `db:"auto"`
	Subject       string        `db:"subject"`
	Raw           MessageBytes  `db:"raw"` // as read: the whole message (with its shared body, outbox_bodies.go)
	State         string        `db:"state"`
	Attempts      int           `db:"attempts"`
	NextAttemptAt time.Time     `db:"next_attempt_at"`
	LastError     string        `db:"last_error"`
	CreatedAt     time.Time     `db:"created_at"`
	SentAt        sql.NullTime  `db:"sent_at"`
	// Delivery bookkeeping (internal/store/outbox.go explains each).
	ClaimedUntil sql.NullTime `db:"claimed_until"`
	RelayDown    bool         `db:"relay_down"`
	GivenUpAt    sql.NullTime `db:"given_up_at"`
	RequeuedAt   sql.NullTime `db:"requeued_at"`
	// BodyID is the shared body (outbox_bodies.go) stored after Raw's head;
	// rows read back carry the whole message in Raw all the same.
	BodyID sql.NullInt64 `db:"body_id"`
	// Packed is Raw as stored, when packed beforehand (DB.Pack): InsertOutgoing writes it instead of packing Raw.
	Packed []byte `db:"-"`
}

// Bounce records a delivery failure reported back to us.
type Bounce struct {
	ID         int64         `db:"id"`
	TicketID   sql.NullInt64 `db:"ticket_id"`
	OutboxID   sql.NullInt64 `db:"outbox_id"`
	Recipient  string        `db:"recipient"`
	Status     string        `db:"status"`
	Diagnostic string        `db:"diagnostic"`
	Permanent  bool          `db:"permanent"`
	At         time.Time     `db:"at"`
}
