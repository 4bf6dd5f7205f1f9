package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
)

// decideRef is Decide as it was before it was split into Analyze and
// DecideWith (one function, the message's text work inline): the reference
// the split is compared with.
func decideRef(in Input, cfg Config) Decision {
	m := in.Msg
	if m == nil {
		m = &mailmsg.Message{}
	}
	// One step per rule: blocked, offensive, identification, maintenance,
	// unclear, quality, out of scope, incident, hours.
	d := Decision{Outcome: OutcomeOpen, Priority: PriorityNormal, Trail: make([]Step, 0, 9)}
	sp := splitBody(m.Text)
	subject := cleanSubject(m.Subject)
	// The subject and the sender's own text are tokenised once; every rule
	// that matches words or phrases reads tw: the words of the subject, a
	// newline and the own text (the own text's words follow the subject's,
	// as the newline always separates words).
	ws := appendNormWords(make([]string, 0, (len(subject)+len(sp.own))/12+4), subject)
	nSubj := len(ws)
	tw := newTextWords(appendNormWords(ws, sp.own))
	subjWords, ownWords := tw.ws[:nSubj:nSubj], tw.ws[nSubj:]

	id := extractIdentity(sp.ownAgain())
	if id.FullName == "" && m.From != nil && m.From.Name != "" {
		id.FullName = findName(m.From.Name, false, false)
	}
	if !id.Empty() {
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
	} else if ws := offensiveIn(cfg.OffensiveExtraWords, cfg.OffensiveExceptions, subject, sp.own); len(ws) > 0 {
		d.Offensive = ws
		step(RuleOffensive, ResultFired, "offensive words: "+strings.Join(ws, ", "))
		decide(OutcomeReject, ReasonOffensive, RuleOffensive)
	} else {
		step(RuleOffensive, ResultPassed, "no obscene or insulting words in the subject or the sender's own text")
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
		missing := identificationMissing(id, in.SenderOrg)
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
		if w := activeWindow(in.Maintenance, in.Now, tw); w != nil {
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
		if ok, why := unclear(m, &sp); ok {
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
		if q := quality(m, subject, subjWords, sp.own, ownWords); len(q) > 0 {
			d.Missing = q
			step(RuleQuality, ResultFired, "missing: "+strings.Join(q, ", "))
		} else {
			step(RuleQuality, ResultPassed, "question, steps, screenshot and contacts all given")
		}
	}

	// out of scope (§2.2, §4.6.5): a hint
	if cfg.OutOfScope.Disabled {
		step(RuleOutOfScope, ResultDisabled, "")
	} else if cats := matchOutOfScope(tw, cfg.OutOfScopePhrases); len(cats) > 0 {
		d.OutOfScope = cats
		step(RuleOutOfScope, ResultFired, "possibly out of scope: "+strings.Join(cats, ", "))
	} else {
		step(RuleOutOfScope, ResultPassed, "")
	}

	// incident: priority, whatever the outcome
	if cfg.Incident.Disabled {
		step(RuleIncident, ResultDisabled, "")
	} else if p, ok := incidentPhrase(tw, cfg.IncidentPhrases); ok {
		d.Priority = PriorityIncident
		step(RuleIncident, ResultFired, "security incident: «"+p+"»")
	} else {
		step(RuleIncident, ResultPassed, "")
	}

	d.Question = consultation(subject, subjWords, sp.own, ownWords)

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
