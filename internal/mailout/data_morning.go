package mailout

// TmplMorning is an agent's morning mail at the desk's opening
// (internal/digest/morning.go, docs/digest.md); data MorningData.
const TmplMorning = "morning"

// MorningData is the data of "morning": the agent's day. Times arrive
// formatted in the desk's zone; statuses are codes the template turns into
// words.
type MorningData struct {
	Name  string // the agent's name ("" when unknown)
	Day   string // "10.03.2025" / "2025-03-10"
	Opens string // the desk's opening that day, "09:00"
	// Mine are the agent's active tickets by due time, Unassigned the
	// queue nobody has taken; Visits the day's plan; BreachToday the
	// tickets of either list whose due time passes before the day's closing.
	Mine, Unassigned, Visits, BreachToday []MorningTicket
	// MoreMine and MoreUnassigned count the tickets left out of the lists.
	MoreMine, MoreUnassigned int
	Closes                   string // the day's closing, "18:00"
	// CommandAddress is the agent's signed command address (the Reply-To):
	// a reply with #утро выкл, #очередь or #поиск is a staff command.
	CommandAddress           string
	DeskName, SupportAddress string
}

// MorningTicket is one line of the morning mail.
type MorningTicket struct {
	Number       int64
	Subject      string
	Organisation string // "" none
	Status       string // state code: the template says it in words
	Due          string // "" no due time
	Overdue      bool
	Agent        string // the assignee (visits)
	Link         string // the ticket in the console; "" when none is configured
}

func zeroDataMorning(name string) (any, bool) {
	if name == TmplMorning {
		return MorningData{}, true
	}
	return nil, false
}
