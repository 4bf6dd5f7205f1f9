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

// DigestAnnouncement is a notice or a maintenance mailing sent in the period
// (DigestData.Announcements).
type DigestAnnouncement struct {
	At string
	// Subject is the notice's subject ("" for a maintenance mailing).
	Subject string
	// Maintenance is "added", "changed", "cancelled" or "over" for the
	// mailing of a maintenance window of System; "" for a notice.
	Maintenance, System string
	// Audience is "all", "org" (AudienceName: the organisation), "system"
	// (the system), "level" (the support level); "" when unknown.
	Audience, AudienceName string
	// People is how many people it went to; in an organisation's digest, how
	// many of its people.
	People int
}

// DigestKB is what the knowledge base's suggestions did in the period
// (DigestData.KB).
type DigestKB struct {
	// Suggested: requests that got a suggestion in the period; of them,
	// SelfServed were resolved or closed with no staff answer.
	Suggested, SelfServed int
	Share                 string // SelfServed of Suggested, "25 %"
	// Articles are the articles suggested most often (up to five).
	Articles []DigestKBArticle
}

// DigestKBArticle is an article and how many requests it was suggested to.
type DigestKBArticle struct {
	Number int64
	Title  string // "" when the article has since been removed
	N      int
}
