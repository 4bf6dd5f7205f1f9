package mailout

// Templates of third parties (regulation §4.7).
const (
	// TmplContractorRequest goes to a contractor: a ticket passed to it, an
	// agent's further message, or a reminder at its response target.
	TmplContractorRequest = "contractor_request"
	// TmplContractorNotice tells the requester that the request was passed
	// to a contractor, or that the contractor has answered.
	TmplContractorNotice = "contractor_notice"
)

// Kinds of ContractorData.
const (
	ContractorPassed   = "passed"   // request: the ticket passed; notice: the requester told of it
	ContractorMessage  = "message"  // request: an agent's further message (#reply-contractor)
	ContractorReminder = "reminder" // request: the response target has come
	ContractorAnswered = "answered" // notice: the contractor has answered
)

// Notification kinds of agent_notify about contractors.
const (
	NotifyContractorAnswer  = "contractor_answer"  // a contractor answered on the ticket (Text, Author)
	NotifyContractorBreach  = "contractor_breach"  // a contractor's response target has passed (Author: the contractor)
	NotifyContractorUnknown = "contractor_unknown" // a contractor wrote about no known ticket: kept, nothing opened
)

// ContractorData is the data of contractor_request and contractor_notice.
type ContractorData struct {
	Kind                  string // Contractor*
	TicketNumber          int64
	Subject, SubjectToken string
	// Contractor is the contractor's name as the reader sees it; in a
	// notice it is empty when the contractor's name is hidden.
	Contractor string
	Question   string   // the requester's question (the ticket's first message), request only
	Text       string   // the agent's text
	Files      []string // "logs.zip (12 КБ)": attached to the request
	Due        string   // when an answer is expected, in the contractor's terms
	Clause     string   // the regulations' clause on third parties ("4.7")
	DeskName   string
	// SupportAddress is the desk's address (the footer).
	SupportAddress string
}

func zeroDataContractor(name string) (any, bool) {
	switch name {
	case TmplContractorRequest, TmplContractorNotice:
		return ContractorData{}, true
	}
	return nil, false
}
