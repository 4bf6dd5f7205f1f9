// Package digest builds SLA digests and reports for managers: figures in
// business time computed from the tickets' stored SLA clocks, rendered as a
// mail (HTML with an inline chart, text, a CSV of the tickets) or as a
// report (text, JSON, CSV), and sent on a schedule of the production
// calendar. See docs/digest.md.
package digest

import (
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/workcal"
)

// Setup is what reports need of the desks' settings (assembled once from the
// configuration by app.LoadSettings): each desk's calendar, the support
// levels and the clauses of the regulations.
type Setup struct {
	// Calendars by desk name; Default is used for tickets of other desks and
	// for the report's own day boundaries (the first desk's calendar).
	Calendars map[string]*workcal.Calendar
	Default   *workcal.Calendar
	Levels    map[string]sla.Level
	Clauses   map[string]string
	// Desk is the first desk: digests are sent from its address.
	Desk Sender
}

// Sender is the desk digests are sent from.
type Sender struct {
	Name           string // the desk's name: the outbox sends through its relay
	DisplayName    string // the desk's name for people, in the digest
	SupportAddress string
	From           mailout.Address // the From header and envelope sender
}

// DefaultClauses maps reason codes to the clauses of the regulations.
func DefaultClauses() map[string]string { return rules.DefaultClauses() }
