package mailout

// Templates of staff work by mail.
const (
	// TmplAgentNotify tells agents about a ticket; data AgentNotifyData.
	TmplAgentNotify = "agent_notify"
	// TmplAgentReply carries an agent's public answer to the customer; data AgentReplyData.
	TmplAgentReply = "agent_reply"
	// TmplCommandResult confirms an agent's commands; data CommandResultData.
	TmplCommandResult = "command_result"
	// TmplDeferred and TmplRejected tell the customer of staff's decision citing the clause; data NoticeData.
	TmplDeferred = "deferred"
	TmplRejected = "rejected"
	// TmplResolved tells the customer the request is resolved; data NoticeData (Days: working days to object).
	TmplResolved = "resolved"
	// TmplWaitReminder reminds a customer that support waits for their
	// reply; data NoticeData (Note: what was asked, Days and Until: when the
	// wait closes the ticket).
	TmplWaitReminder = "wait_reminder"
	// TmplWaitClosed tells a customer the ticket closed without their reply; data NoticeData (Days).
	TmplWaitClosed = "wait_closed"
	// TmplMerged tells a customer their ticket was merged into another; data
	// NoticeData (Into, IntoSubject).
	TmplMerged = "merged"
	// TmplQuarantined tells staff that a message did not become a request
	// and waits in quarantine; data QuarantinedData.
	TmplQuarantined = "quarantined"
	// TmplRegistrationReceived acknowledges a connection request; data RegistrationData.
	TmplRegistrationReceived = "registration_received"
)

// RegistrationData is the data of registration_received.
type RegistrationData struct {
	TicketNumber             int64
	Subject, SubjectToken    string
	Organisation             string
	People                   int
	Problems                 []string // in Russian, from the form reader
	NeedsAuthority           bool     // the document confirming the signatory's authority is missing
	DeskName, SupportAddress string
}

// Kinds of AgentNotifyData.
const (
	NotifyNew      = "new"
	NotifyReply    = "reply"
	NotifyNote     = "note"
	NotifyAssigned = "assigned"
	NotifyWarning  = "sla_warning"
	NotifyBreach   = "sla_breach"
	// NotifyUndelivered: mail of the ticket to the customer was given up
	// by the outbox (AgentNotifyData.Undelivered says which and why).
	NotifyUndelivered = "undelivered"
)

// ToStaff reports whether mail of the template goes to the operator's
// staff (notifications, confirmations, alerts, digests) rather than to
// customers: an organisation never sees it, and agents are not told by
// mail when it is given up.
func ToStaff(tmpl string) bool {
	switch tmpl {
	case TmplAgentNotify, TmplCommandResult, TmplIncidentAlert, TmplDigest, TmplQuarantined, TmplWebSignIn, TmplMorning:
		return true
	}
	return false
}

// Why the outbox gave up a message (UndeliveredMail.Reason, DigestGivenUp.Reason).
const (
	GiveUpRejected = "rejected" // the mail server refused the message for good
	GiveUpExpired  = "expired"  // not delivered within outbox.give_up_after
)

// AgentNotifyData is the data of agent_notify.
type AgentNotifyData struct {
	Kind         string // Notify*
	TicketNumber int64
	Subject      string
	SubjectToken string
	Status       string
	Requester    string // "Иванова Мария Петровна <m.ivanova@school3.kgo66.ru>"
	Organisation string
	Level        string
	Priority     string
	Due          string // first-response (or resolution) due, formatted in the desk's zone
	Metric       string // for warnings and breaches: "first_response" or "resolution"
	Author       string // who wrote Text (a customer, or a colleague for notes)
	Text         string
	Attachments  []string // "oshibka.png (69 Б)"
	// Cut says that the message was over the size limit and only its
	// header and text were received (a sentence from the catalogue).
	Cut string
	// Risky are attachments agents are warned about (and which are not
	// attached to the notification); they are not in Attachments.
	Risky []RiskyFile
	// Undelivered is the given-up mail of a NotifyUndelivered.
	Undelivered *UndeliveredMail
	Suggestions []string // out-of-scope categories suggested by the rules
	Missing     []string
	// Articles of the knowledge base suggested to the customer (#статья N sends one).
	Articles                 []ArticleRef
	DeskName, SupportAddress string
}

// RiskyFile is an attachment that may harm whoever opens it.
type RiskyFile struct {
	Name, Size string
	// Kind is mailmsg's risk kind, translated by the templates:
	// "executable", "macro", "archive" or "hidden_name".
	Kind string
	// Inner names the risky file inside an archive ("setup.exe").
	Inner string
}

// UndeliveredMail is an outgoing message the outbox gave up.
type UndeliveredMail struct {
	OutboxID int64
	To       string // the recipients, comma-separated
	Subject  string
	What     string // the template of the mail (TmplAgentReply, TmplAck, ...), translated by the templates
	Reason   string // GiveUpRejected or GiveUpExpired
	Hours    int    // GiveUpExpired: how many hours it was tried (outbox.give_up_after)
	Detail   string // the mail server's last answer, as it said it
}

// AgentReplyData is the data of agent_reply: an agent's answer to the customer.
type AgentReplyData struct {
	TicketNumber             int64
	Subject, SubjectToken    string
	Text                     string
	AgentName                string // the agent who answers: the signature
	DeskName, SupportAddress string
}

// CommandResult is the outcome of one staff command.
type CommandResult struct {
	Command string
	OK      bool
	Message string
}

// CommandResultData is the data of command_result.
type CommandResultData struct {
	TicketNumber             int64
	Subject, SubjectToken    string
	Results                  []CommandResult
	Delivered                bool   // the reply's text went to the customer
	Refused                  bool   // nothing was done: the message was not authenticated
	Reason                   string // why it was refused
	DeskName, SupportAddress string
}

func zeroDataStaff(name string) (any, bool) {
	switch name {
	case TmplAgentNotify:
		return AgentNotifyData{}, true
	case TmplAgentReply:
		return AgentReplyData{}, true
	case TmplCommandResult:
		return CommandResultData{}, true
	case TmplDeferred, TmplRejected, TmplResolved, TmplWaitReminder, TmplWaitClosed, TmplMerged:
		return NoticeData{}, true
	case TmplRegistrationReceived:
		return RegistrationData{}, true
	case TmplQuarantined:
		return QuarantinedData{}, true
	}
	return zeroDataContractor(name)
}

// QuarantinedData is the data of "quarantined", to agents and leads.
type QuarantinedData struct {
	ID                       int64  // the quarantined message (otvet quarantine show ID)
	From, Subject            string // as far as they could be read
	Reason                   string // why, as intake recorded it
	ReceivedAt               string // in the desk's zone
	SenderTold               bool   // the sender got the "could not be read" notice
	DeskName, SupportAddress string
}
