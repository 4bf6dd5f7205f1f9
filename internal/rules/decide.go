package rules

import (
	"fmt"
	"strings"
	"time"
)

// Decide applies the regulations to one incoming message. The blocking
// rules are evaluated in precedence order — blocked > offensive >
// identification > maintenance > unclear — and the first that fires
// decides; the later ones are still evaluated so that the trail shows
// everything. Quality, out-of-scope, incident and out-of-hours never block.
//
// Decide is DecideWith(Analyze(in.Msg, cfg), in, cfg), except that it
// analyses only what this input needs (a reply is never checked for an
// unclear request, say).
func Decide(in Input, cfg Config) Decision {
	var a Analysis // the parts are worked out as the input needs them
	a.fill(in.Msg, cfg, 0)
	return DecideWith(&a, in, cfg)
}

// DecideWith is Decide on an Analysis of the message made beforehand,
// possibly on another goroutine: it adds what depends on the input besides
// the message (the sender, the organisation, blocking, maintenance windows,
// IsReply, the time and calendar) and on cfg's switches, which is cheap.
// When a.For(in.Msg, cfg) it returns exactly Decide(in, cfg); otherwise (a
// nil Analysis, or one of another message or other word lists) it analyses
// in.Msg itself, so the result is Decide's in every case. The decision
// shares nothing with a.
func DecideWith(a *Analysis, in Input, cfg Config) Decision {
	if !a.For(in.Msg, cfg) {
		a = &Analysis{}
		a.fill(in.Msg, cfg, 0)
	}
	// One step per rule: blocked, offensive, identification, maintenance,
	// unclear, quality, out of scope, incident, hours.
	d := Decision{Outcome: OutcomeOpen, Priority: PriorityNormal, Trail: make([]Step, 0, 9)}
	// tw: a's words for the rules that look phrases up now (has and builtin
	// fill caches, so a shared analysis lends a copy).
	var tw *textWords
	words := func() *textWords {
		if tw == nil {
			if tw = a.tw; a.shared {
				tw = a.words()
			}
		}
		return tw
	}

	if !a.id.Empty() {
		id := a.id
		d.Identity = &id
	}

	decide := func(o Outcome, reason, rule string) {
		if d.Rule == "" {
			d.Outcome, d.Reason, d.Rule = o, reason, rule
		}
	}
	step := func(rule, result, detail string) {
		d.Trail = append(d.Trail, Step{Rule: rule, Result: result, Detail: detail})
	}

	// blocked
	switch {
	case cfg.Blocked.Disabled:
		step(RuleBlocked, ResultDisabled, "")
	case in.AllBlocked:
		step(RuleBlocked, ResultFired, "the operator blocked all intake")
		decide(OutcomeReject, ReasonBlocked, RuleBlocked)
	case in.Sender != nil && in.Sender.Blocked:
		step(RuleBlocked, ResultFired, "the user "+in.Sender.Email+" is blocked")
		decide(OutcomeReject, ReasonBlocked, RuleBlocked)
	case in.SenderOrg != nil && in.SenderOrg.Blocked:
		step(RuleBlocked, ResultFired, "the organisation "+orgName(in.SenderOrg)+" is blocked")
		decide(OutcomeReject, ReasonBlocked, RuleBlocked)
	default:
		step(RuleBlocked, ResultPassed, "neither the sender, the organisation nor intake is blocked")
	}

	// offensive (§4.6.3)
	if cfg.Offensive.Disabled {
		step(RuleOffensive, ResultDisabled, "")
	} else {
		ws, detail := a.offensive, a.offDetail
		if a.done&partOffensive == 0 {
			ws, detail = a.offensiveOf()
		}
		if len(ws) > 0 {
			d.Offensive = a.own(ws)
			step(RuleOffensive, ResultFired, detail)
			decide(OutcomeReject, ReasonOffensive, RuleOffensive)
		} else {
			step(RuleOffensive, ResultPassed, "no obscene or insulting words in the subject or the sender's own text")
		}
	}

	// identification (§4.2)
	switch {
	case cfg.Identification.Disabled:
		step(RuleIdentification, ResultDisabled, "")
	case in.IsReply:
		step(RuleIdentification, ResultSkipped, "a reply on an existing ticket")
	case in.Sender != nil:
		step(RuleIdentification, ResultPassed, "registered user "+in.Sender.Email)
	default:
		missing := identificationMissing(a.id, in.SenderOrg)
		if len(missing) == 0 {
			d.SelfIdentified = d.Rule == "" // only meaningful when the message goes on
			step(RuleIdentification, ResultPassed, "self-identified: full name, organisation and phone in the message, address on a domain of "+orgName(in.SenderOrg)+" (staff must confirm)")
		} else {
			step(RuleIdentification, ResultFired, "unknown sender; missing: "+strings.Join(missing, ", "))
			if d.Rule == "" {
				d.Missing = missing
			}
			decide(OutcomeUnidentified, ReasonUnidentified, RuleIdentification)
		}
	}

	// maintenance (§4.6.6)
	switch {
	case cfg.Maintenance.Disabled:
		step(RuleMaintenance, ResultDisabled, "")
	case in.IsReply:
		step(RuleMaintenance, ResultSkipped, "a reply on an existing ticket")
	default:
		var w *Window
		if len(in.Maintenance) > 0 {
			w = activeWindow(in.Maintenance, in.Now, words())
		}
		if w != nil {
			step(RuleMaintenance, ResultFired, windowDetail(w))
			if d.Rule == "" {
				wc := *w
				d.Window = &wc
			}
			decide(OutcomeDefer, ReasonMaintenance, RuleMaintenance)
		} else {
			step(RuleMaintenance, ResultPassed, fmt.Sprintf("no maintenance window covers this message (%d known)", len(in.Maintenance)))
		}
	}

	// unclear (§4.6.1)
	switch {
	case cfg.Unclear.Disabled:
		step(RuleUnclear, ResultDisabled, "")
	case in.IsReply:
		step(RuleUnclear, ResultSkipped, "a reply on an existing ticket")
	default:
		ok, why := a.unclear, a.unclearWhy
		if a.done&partUnclear == 0 {
			ok, why = unclear(a.m, &a.sp)
		}
		if ok {
			step(RuleUnclear, ResultFired, why)
			decide(OutcomeDefer, ReasonUnclear, RuleUnclear)
		} else {
			step(RuleUnclear, ResultPassed, "the subject, text or attachments state a request")
		}
	}

	// quality (§4.4, §4.6.2): only for tickets that open
	switch {
	case cfg.Quality.Disabled:
		step(RuleQuality, ResultDisabled, "")
	case in.IsReply:
		step(RuleQuality, ResultSkipped, "a reply on an existing ticket")
	case d.Outcome != OutcomeOpen:
		step(RuleQuality, ResultSkipped, "the ticket does not open")
	default:
		q, detail := a.quality, a.qualDetail
		if a.done&partQuality == 0 {
			q, detail = a.qualityOf()
		}
		if len(q) > 0 {
			d.Missing = a.own(q)
			step(RuleQuality, ResultFired, detail)
		} else {
			step(RuleQuality, ResultPassed, "question, steps, screenshot and contacts all given")
		}
	}

	// out of scope (§2.2, §4.6.5): a hint
	if cfg.OutOfScope.Disabled {
		step(RuleOutOfScope, ResultDisabled, "")
	} else {
		cats, detail := a.scope, a.scopeDet
		if a.done&partScope == 0 {
			cats, detail = scopeOf(words(), a.lists.scope)
		}
		if len(cats) > 0 {
			d.OutOfScope = a.own(cats)
			step(RuleOutOfScope, ResultFired, detail)
		} else {
			step(RuleOutOfScope, ResultPassed, "")
		}
	}

	// incident: priority, whatever the outcome
	if cfg.Incident.Disabled {
		step(RuleIncident, ResultDisabled, "")
	} else {
		p, ok := a.incident, a.incidentOK
		if a.done&partIncident == 0 {
			p, ok = incidentPhrase(words(), a.lists.incident)
		}
		if ok {
			d.Priority = PriorityIncident
			step(RuleIncident, ResultFired, "security incident: «"+p+"»")
		} else {
			step(RuleIncident, ResultPassed, "")
		}
	}

	d.Question = a.question

	// working hours (§3.1)
	if in.Calendar == nil {
		step(RuleHours, ResultSkipped, "no calendar")
	} else if !in.Calendar.IsOpen(in.Now) {
		d.OutOfHours = true
		d.WorkStartsAt = in.Calendar.NextOpen(in.Now)
		step(RuleHours, ResultFired, "received outside working hours; work starts "+d.WorkStartsAt.Format(time.RFC3339))
	} else {
		step(RuleHours, ResultPassed, "received during working hours")
	}
	return d
}

func orgName(o *Org) string {
	if o == nil {
		return ""
	}
	if o.Name != "" {
		return o.Name
	}
	return fmt.Sprintf("#%d", o.ID)
}

// identificationMissing lists what an unregistered sender still has to
// give: full name, organisation and phone in the message, and an address on
// a registered organisation's domain.
func identificationMissing(id Identity, org *Org) []string {
	var missing []string
	if id.FullName == "" {
		missing = append(missing, MissingFullName)
	}
	if id.Organisation == "" {
		missing = append(missing, MissingOrganisation)
	}
	if id.Phone == "" {
		missing = append(missing, MissingPhone)
	}
	if org == nil {
		missing = append(missing, MissingOrgDomain)
	}
	return missing
}

// activeWindow returns the first window that contains now and covers the
// message (desk-wide, or its system or a keyword is mentioned).
func activeWindow(ws []Window, now time.Time, words *textWords) *Window {
	for i := range ws {
		w := &ws[i]
		if !w.From.IsZero() && now.Before(w.From) || !w.To.IsZero() && !now.Before(w.To) {
			continue
		}
		if strings.TrimSpace(w.System) == "" && len(w.Keywords) == 0 {
			return w
		}
		for _, k := range append([]string{w.System}, w.Keywords...) {
			if p := normPhrase(k); p != "" && words.has(p) {
				return w
			}
		}
	}
	return nil
}

func windowDetail(w *Window) string {
	var b strings.Builder
	b.WriteString("maintenance")
	if w.System != "" {
		b.WriteString(" of " + w.System)
	}
	if !w.From.IsZero() {
		b.WriteString(" from " + w.From.Format(time.RFC3339))
	}
	if !w.To.IsZero() {
		b.WriteString(" until " + w.To.Format(time.RFC3339))
	}
	if w.Note != "" {
		b.WriteString(": " + w.Note)
	}
	return b.String()
}
