// Package rules turns the support regulations into pure decisions about an
// incoming message: reject (blocked sender, offensive language), ask the
// sender to identify, defer (announced maintenance, unclear request) or open
// a ticket, and in every case the side facts staff need: incident priority,
// out-of-hours, a quality checklist and out-of-scope hints.
//
// Everything here is pure: no database, no I/O and no clock reads. The time
// of the decision comes in Input.Now, the working-time calendar through the
// small Calendar interface.
package rules

import (
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
)

// Org is a registered organisation.
type Org struct {
	ID      int64
	Name    string
	Domains []string
	Level   string
	Blocked bool
}

// User is a registered user.
type User struct {
	Email, FullName, Position, Phone string
	OrgID                            int64
	Blocked                          bool
	SelfIdentified                   bool
}

// Window is an announced maintenance window. A window with neither System
// nor Keywords covers every message; otherwise a message is covered when
// its subject or own text mentions the system or one of the keywords. A zero
// From means "since always", a zero To "until further notice".
type Window struct {
	ID       int64
	System   string
	Keywords []string
	From, To time.Time
	Note     string
}

// Calendar is the desk's working-time calendar (workcal.Calendar satisfies it).
type Calendar interface {
	IsOpen(time.Time) bool
	NextOpen(time.Time) time.Time
	Add(time.Time, time.Duration) time.Time
}

// Input is everything Decide looks at.
type Input struct {
	Msg         *mailmsg.Message // parsed message; a nil Msg is treated as an empty one
	Now         time.Time
	Sender      *User // the registered user with this address, nil if unknown
	SenderOrg   *Org  // Sender's organisation, or the one owning the address's domain
	AllBlocked  bool  // the operator blocked everyone
	Maintenance []Window
	Calendar    Calendar // nil: out-of-hours is never reported
	// IsReply: the message is a reply on an existing ticket. Identification,
	// maintenance, unclear and the quality checklist are then skipped (the
	// ticket already passed them, and "Спасибо!" is a perfectly good reply);
	// blocked and offensive still apply, and incident, out-of-scope and
	// out-of-hours are still reported.
	IsReply bool
}

// Outcome is what intake should do with the message.
type Outcome string

// Outcomes.
const (
	OutcomeOpen         Outcome = "open"
	OutcomeReject       Outcome = "reject"
	OutcomeDefer        Outcome = "defer"
	OutcomeUnidentified Outcome = "unidentified"
)

// Reason codes (shared with the ticket states and the mail templates).
const (
	ReasonBlocked      = "blocked"
	ReasonOffensive    = "offensive"
	ReasonUnidentified = "unidentified"
	ReasonMaintenance  = "maintenance"
	ReasonUnclear      = "unclear"
)

// Rule names, in evaluation order, as they appear in Decision.Rule and the trail.
const (
	RuleBlocked        = "blocked"
	RuleOffensive      = "offensive"
	RuleIdentification = "identification"
	RuleMaintenance    = "maintenance"
	RuleUnclear        = "unclear"
	RuleQuality        = "quality"
	RuleOutOfScope     = "out_of_scope"
	RuleIncident       = "incident"
	RuleHours          = "hours"
)

// Step results in the trail.
const (
	ResultFired    = "fired"    // the rule matched (for blocking rules: it decided, or would have)
	ResultPassed   = "passed"   // the rule was evaluated and did not match
	ResultSkipped  = "skipped"  // the rule does not apply to this input (Detail says why)
	ResultDisabled = "disabled" // switched off in Config
)

// Priorities.
const (
	PriorityNormal   = "normal"
	PriorityIncident = "incident"
)

// Identification items that can be missing (Decision.Missing when the
// outcome is unidentified).
const (
	MissingFullName     = "full_name"
	MissingOrganisation = "organisation"
	MissingPhone        = "phone"
	// MissingOrgDomain: the address is not on a domain of a registered
	// organisation, so the message alone cannot identify the sender.
	MissingOrgDomain = "org_domain"
)

// Quality checklist items (§4.4; Decision.Missing when the outcome is open).
const (
	CheckQuestion   = "question"
	CheckSteps      = "steps"
	CheckScreenshot = "screenshot"
	CheckContacts   = "contacts"
)

// Out-of-scope categories (§2.2).
const (
	ScopeLegislation  = "legislation"
	ScopeThirdParties = "third_parties"
	ScopeUserDuties   = "user_duties"
)

// Step is one line of the trail: a rule, what it concluded and why.
type Step struct{ Rule, Result, Detail string }

// Identity is what the message itself says about its sender.
type Identity struct{ FullName, Organisation, Phone, Position string }

// Empty reports whether nothing was found.
func (id Identity) Empty() bool {
	return id.FullName == "" && id.Organisation == "" && id.Phone == "" && id.Position == ""
}

// Decision is the result of Decide.
type Decision struct {
	Outcome  Outcome
	Reason   string // reason code; "" for open
	Rule     string // the deciding rule; "" for open
	Trail    []Step
	Priority string // PriorityNormal or PriorityIncident
	// Missing: for unidentified, the identification items missing; for open
	// (new tickets only), the quality checklist items missing; else nil.
	Missing        []string
	Identity       *Identity // nil when the message says nothing about its sender
	SelfIdentified bool      // identified by the message plus a registered org's domain (staff must confirm)
	OutOfScope     []string  // suggestion only, never a rejection
	Offensive      []string  // the normalised words that fired the offensive rule
	Window         *Window   // the maintenance window that deferred it
	OutOfHours     bool
	WorkStartsAt   time.Time // when OutOfHours: the next opening
	// Question: the request asks a question without reporting a failure,
	// Consultation's answer for the message, read from the words Decide
	// tokenised anyway. Not part of the trail (nor of its JSON).
	Question bool `json:"-"`
}

// RuleSwitch turns a rule off. The zero value is "on".
type RuleSwitch struct{ Disabled bool }

// Config tunes the rules. The zero value means every rule on with the
// built-in word and phrase lists.
type Config struct {
	Blocked, Offensive, Identification, Maintenance, Unclear, Quality, OutOfScope, Incident RuleSwitch

	// OffensiveExtraWords are operator additions: stems matched at the start
	// of a normalised word ("*stem" matches anywhere inside a word).
	OffensiveExtraWords []string
	// OffensiveExceptions are whole words (normalised) that never fire.
	OffensiveExceptions []string
	// OutOfScopePhrases: category -> phrases added to the built-in ones.
	OutOfScopePhrases map[string][]string
	// IncidentPhrases are added to the built-in incident phrases.
	IncidentPhrases []string
}
