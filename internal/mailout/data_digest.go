package mailout

// DigestContractor is one contractor's work in the period (DigestData.ByContractor).
type DigestContractor struct {
	// Name is the contractor's display name ("" in an organisation's digest
	// when the requesters are not told it: the template says "a contractor").
	Name string
	// Handle is what agents write after #escalate (the operator's digest
	// only; "" otherwise).
	Handle string
	// Passed: requests passed in the period; of those, InTime answered within
	// the contractor's target, Late answered late or unanswered past due,
	// Pending neither yet.
	Passed, InTime, Late, Pending int
	Compliance                    string // "50 %", "—" when nothing was decided
	Median                        string // median business time to its answer, "—" when none
	Open                          int    // requests awaiting its answer at the end
	Breaches                      int    // due times passed unanswered during the period
}
