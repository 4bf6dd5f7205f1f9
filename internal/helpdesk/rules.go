package helpdesk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

// Regulations are the intake rules' settings (config `rules`).
type Regulations struct {
	Rules            rules.Config
	Clauses          map[string]string // reason code -> clause cited
	IdentifyWaitDays int               // working days an unidentified request waits; default 3
	IncidentContacts []string
	Incident         Targets // SLA targets of priority "incident"
	Levels           map[string]Targets
	// PauseWithContractor: the support levels whose resolution clock
	// pauses while a contractor works on the ticket (docs/contractors.md).
	PauseWithContractor map[string]bool
	// ContractorAlertAfter: how long after a contractor's missed target
	// (business time on its hours) the agents are alerted; 0: at the target.
	ContractorAlertAfter time.Duration
}

// Targets are SLA targets in business time.
type Targets struct{ FirstResponse, Resolution time.Duration }

// senderContext is what the directory knows about the sender.
type senderContext struct {
	user *store.User
	org  *store.Org
}

// lookupSender finds what the directory knows about an address, once per
// address and message: intake asks about the sender and its colleagues
// several times while deciding.
func (in *deskTx) lookupSender(ctx context.Context, email string) (senderContext, error) {
	key := strings.ToLower(email)
	if sc, ok := in.senders[key]; ok {
		return sc, nil
	}
	u, o, err := in.tx.SenderOf(ctx, email)
	if err != nil {
		return senderContext{}, err
	}
	sc := senderContext{user: u, org: o}
	if in.senders == nil {
		in.senders = map[string]senderContext{}
	}
	in.senders[key] = sc
	return sc, nil
}

// block is the blocking verdict for the message's sender.
func (in *intake) block(ctx context.Context) (store.Block, error) {
	all, reason, err := in.tx.AllBlocked(ctx)
	if err != nil {
		return store.Block{}, err
	}
	sc, err := in.lookupSender(ctx, in.msg.From.Email)
	if err != nil {
		return store.Block{}, err
	}
	return store.BlockOf(all, reason, sc.user, sc.org), nil
}

func (sc senderContext) rulesInput() (*rules.User, *rules.Org) {
	var u *rules.User
	if sc.user != nil {
		u = &rules.User{Email: sc.user.Email, FullName: sc.user.FullName, Position: sc.user.Position, Phone: sc.user.Phone,
			OrgID: sc.user.OrgID.Int64, Blocked: sc.user.Blocked, SelfIdentified: sc.user.SelfIdentified}
	}
	var o *rules.Org
	if sc.org != nil {
		o = &rules.Org{ID: sc.org.ID, Name: sc.org.Name, Domains: sc.org.Domains, Level: sc.org.SupportLevel, Blocked: sc.org.Blocked}
	}
	return u, o
}

// decideRules runs the regulations over a new request.
func (in *intake) decideRules(ctx context.Context, sc senderContext) (rules.Decision, error) {
	return in.decideRulesOn(ctx, sc, false)
}

// decideRulesOn runs the regulations over a new request, or over a reply on
// an existing ticket (then only blocking and offensive language can decide).
func (in *intake) decideRulesOn(ctx context.Context, sc senderContext, isReply bool) (rules.Decision, error) {
	var ws []store.MaintenanceWindow
	if !isReply { // a reply is never deferred for maintenance
		var err error
		if ws, err = in.tx.MaintenanceAt(ctx, in.now); err != nil {
			return rules.Decision{}, fmt.Errorf("maintenance windows: %w", err)
		}
	}
	var windows []rules.Window
	for _, w := range ws {
		windows = append(windows, rules.Window{ID: w.ID, System: w.System, Keywords: splitList(w.Keywords),
			From: w.StartsAt, To: w.EndsAt, Note: w.Note})
	}
	u, o := sc.rulesInput()
	if u == nil && !isReply && o == nil {
		// Operator staff writing a request of their own are known people.
		st, err := in.tx.StaffByEmail(ctx, strings.ToLower(in.msg.From.Email))
		if err == nil && st.Active {
			u = &rules.User{Email: st.Email, FullName: st.Name}
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return rules.Decision{}, err
		}
	}
	cfg := in.s.regs.Rules
	if !in.desk.Identification {
		cfg.Identification.Disabled = true
	}
	var cal rules.Calendar
	if in.desk.Calendar != nil {
		cal = in.desk.Calendar
	}
	input := rules.Input{Msg: in.msg, Now: in.now, Sender: u, SenderOrg: o, Maintenance: windows, Calendar: cal, IsReply: isReply}
	if in.fore != nil && in.fore.rules != nil {
		// The text work was done while the message was parsed (foresight.go);
		// DecideWith checks it was done on this message and these word lists.
		return rules.DecideWith(in.fore.rules, input, cfg), nil
	}
	return rules.Decide(input, cfg), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// recordDecision keeps the rule trail as an event, so every outcome can be explained.
func (in *deskTx) recordDecision(ctx context.Context, ticketID int64, d rules.Decision) error {
	type step struct {
		Rule   string `json:"rule"`
		Result string `json:"result"`
		Detail string `json:"detail,omitempty"`
	}
	trail := make([]step, len(d.Trail))
	for i, s := range d.Trail {
		trail[i] = step{s.Rule, s.Result, s.Detail}
	}
	detail, err := json.Marshal(struct {
		Outcome    rules.Outcome `json:"outcome"`
		Reason     string        `json:"reason,omitempty"`
		Rule       string        `json:"rule,omitempty"`
		Priority   string        `json:"priority,omitempty"`
		Missing    []string      `json:"missing,omitempty"`
		OutOfScope []string      `json:"out_of_scope,omitempty"`
		Trail      []step        `json:"trail"`
	}{d.Outcome, d.Reason, d.Rule, d.Priority, d.Missing, d.OutOfScope, trail})
	if err != nil {
		return err
	}
	return in.event(ctx, ticketID, "rules_decision", string(detail))
}

// targetsOf are the SLA targets of a ticket of a priority and support level:
// incident, the level's, or the desk's.
func (s *Service) targetsOf(d *Desk, priority, level string) Targets {
	if priority == store.PriorityIncident {
		return s.regs.Incident
	}
	if t, ok := s.regs.Levels[level]; ok && level != "" {
		return t
	}
	return Targets{d.FirstResponse, d.Resolution}
}

// targets picks the SLA targets of a ticket: incident, the organisation's level, or the desk's.
func (in *deskTx) targets(priority string, sc senderContext) (string, Targets) {
	if priority == store.PriorityIncident {
		// The incident's own targets; the level stays the organisation's,
		// so reports by level count the ticket where it belongs.
		level := in.desk.Level
		if sc.org != nil && sc.org.SupportLevel != "" {
			level = sc.org.SupportLevel
		}
		return level, in.s.regs.Incident
	}
	if sc.org != nil && sc.org.SupportLevel != "" {
		if t, ok := in.s.regs.Levels[sc.org.SupportLevel]; ok {
			return sc.org.SupportLevel, t
		}
	}
	return in.desk.Level, Targets{in.desk.FirstResponse, in.desk.Resolution}
}

// storeClocks writes clocks and their due times into the ticket row's fields.
func storeClocks(t *store.Ticket, fr, res *sla.Clock) error {
	var err error
	if t.SLAFirstResponse, err = clockJSON(fr); err != nil {
		return err
	}
	if t.SLAResolution, err = clockJSON(res); err != nil {
		return err
	}
	// A paused clock has no due time yet: the last known one stays.
	if d := dueOf(fr); d.Valid {
		t.FirstResponseDue = d
	}
	if d := dueOf(res); d.Valid {
		t.ResolutionDue = d
	}
	return nil
}

func dueOf(c *sla.Clock) sql.NullTime {
	if c == nil {
		return sql.NullTime{}
	}
	due, ok := c.Due()
	return sql.NullTime{Time: due.UTC(), Valid: ok}
}

// loadClocks reads a ticket's clocks (nil when it has none).
func loadClocks(t *store.Ticket, cal Calendar) (fr, res *sla.Clock, err error) {
	for _, p := range []struct {
		raw string
		dst **sla.Clock
	}{{t.SLAFirstResponse, &fr}, {t.SLAResolution, &res}} {
		if p.raw == "" {
			continue
		}
		var bt sla.BusinessTime
		if cal != nil {
			bt = cal
		}
		if *p.dst, err = sla.Decode([]byte(p.raw), bt); err != nil {
			return nil, nil, fmt.Errorf("ticket #%d SLA clock: %w", t.ID, err)
		}
	}
	return fr, res, nil
}

// notice sends a rule outcome's template to the sender, rate-limited like every
// automatic message. t may be nil (a blocked sender gets no ticket).
func (in *intake) notice(ctx context.Context, t *store.Ticket, tmpl string, data mailout.NoticeData) error {
	switch {
	case in.msg != nil && in.msg.Auto:
		return nil
	case in.msg != nil:
		return in.noticeTo(ctx, t, strings.ToLower(in.msg.From.Email), in.msg.From.Name, tmpl, data, in.thread())
	case t != nil: // a change without a message: tell the requester
		return in.noticeTo(ctx, t, t.RequesterEmail, t.RequesterName, tmpl, data, threading{})
	}
	return nil
}

// noticeRequesterScheduled tells a ticket's requester of a scheduled change
// (a wait reminder, a timeout), rate-limited like every automatic message.
func (in *deskTx) noticeScheduled(ctx context.Context, t *store.Ticket, tmpl string, data mailout.NoticeData) error {
	return in.noticeTo(ctx, t, t.RequesterEmail, t.RequesterName, tmpl, data, threading{})
}

// noticeTo sends a notice template to one person: on a ticket through their
// participant row and signed reply address, else (a blocked sender) plainly.
func (in *deskTx) noticeTo(ctx context.Context, t *store.Ticket, to, name, tmpl string, data mailout.NoticeData, th threading) error {
	data.DeskName, data.SupportAddress = in.desk.DisplayName, in.desk.SupportAddress
	if data.Clause == "" {
		data.Clause = in.s.regs.Clauses[data.Reason]
	}
	if t != nil {
		data.TicketNumber, data.SubjectToken = t.ID, mailout.TicketToken(t.ID)
		if data.Subject == "" {
			data.Subject = t.Subject
		}
		p, err := in.tx.Participant(ctx, t.ID, to)
		if err != nil {
			return err
		}
		return in.autoReply(ctx, t, p, tmpl, data, th)
	}
	if limited, err := in.rateLimited(ctx, 0, to); err != nil || limited {
		return err
	}
	return in.queue(ctx, nil, mailout.Address{Name: name, Email: to}, "", tmpl, data, th)
}

// missingIdentity lists what an identity lacks for identification (§4.2).
func missingIdentity(id rules.Identity) []string {
	var m []string
	if id.FullName == "" {
		m = append(m, "full_name")
	}
	if id.Organisation == "" {
		m = append(m, "organisation")
	}
	if id.Phone == "" {
		m = append(m, "phone")
	}
	return m
}

// identifyReply handles a reply to a request waiting for identification: when
// the sender is now known, or the request and the reply together give full
// name, organisation and phone from a registered organisation's domain, the
// ticket opens and its clocks start; otherwise the sender is asked again for
// what is still missing.
func (in *intake) identifyReply(ctx context.Context, t *store.Ticket) error {
	sc, err := in.lookupSender(ctx, in.msg.From.Email)
	if err != nil {
		return err
	}
	name := t.RequesterName
	if sc.user != nil {
		if sc.user.FullName != "" {
			name = sc.user.FullName
		}
	} else {
		first, err := in.tx.FirstMessageText(ctx, t.ID)
		if err != nil {
			return err
		}
		id := rules.ExtractIdentity(first + "\n\n" + in.msg.Text)
		missing := missingIdentity(id)
		if sc.org == nil {
			// Named details cannot identify an address outside every
			// registered organisation's domains: ask for a work address.
			missing = append(missing, rules.MissingOrgDomain)
		}
		if len(missing) > 0 {
			if err := in.event(ctx, t.ID, "identification_incomplete", strings.Join(missing, ",")); err != nil {
				return err
			}
			return in.notice(ctx, t, mailout.TmplIdentify, mailout.NoticeData{Reason: "unidentified", Missing: missing})
		}
		dec := rules.Decision{SelfIdentified: true, Identity: &id}
		if err := in.selfIdentify(ctx, dec, sc, t.ID); err != nil {
			return err
		}
		name = id.FullName
	}
	var org sql.NullInt64
	if sc.org != nil {
		org = sql.NullInt64{Int64: sc.org.ID, Valid: true}
	}
	if err := in.tx.SetTicketRequester(ctx, t.ID, name, org, in.now); err != nil {
		return err
	}
	t.RequesterName, t.OrgID = name, org
	var tg Targets
	t.SupportLevel, tg = in.targets(t.Priority, sc)
	if err := in.lc().apply(ctx, t, Change{Event: EvIdentified, Targets: &tg, Via: ViaMail, Note: in.msg.From.Email}); err != nil {
		return err
	}
	p, err := in.tx.Participant(ctx, t.ID, in.msg.From.Email)
	if err != nil {
		return err
	}
	kind, data := in.ackData(t, 0, nil)
	if err := in.autoReply(ctx, t, p, kind, data); err != nil {
		return err
	}
	// Support sees the request only now that it is open.
	first, err := in.tx.FirstMessageText(ctx, t.ID)
	if err != nil {
		return err
	}
	return in.notifyAgents(ctx, t, mailout.NotifyNew, t.RequesterName, first+"\n\n"+in.msg.Text)
}

// alertIncident tells the security contacts at once, working hours or not;
// t is nil when no ticket is opened (the sender is blocked): an incident
// passes every block.
func (in *intake) alertIncident(ctx context.Context, t *store.Ticket, sc senderContext) error {
	org := ""
	if sc.org != nil {
		org = sc.org.Name
	}
	var ticketID int64
	subject := strings.TrimSpace(subjectToken.ReplaceAllString(in.msg.Subject, ""))
	if t != nil {
		ticketID, subject = t.ID, t.Subject
	}
	data := mailout.IncidentData{
		TicketNumber: ticketID, Subject: subject, From: in.named(ctx, in.msg.From.Name+" <"+in.msg.From.Email+">"), Organisation: org,
		ReceivedAt: FormatLocal(in.now, in.desk.Location, in.desk.Language), Text: in.msg.Text,
		DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress,
	}
	for _, c := range in.s.regs.IncidentContacts {
		if err := in.queueInternal(ctx, t, mailout.Address{Email: c}, mailout.TmplIncidentAlert, data); err != nil {
			return err
		}
	}
	return in.event(ctx, ticketID, "incident_alerted", strings.Join(in.s.regs.IncidentContacts, ", "))
}

// selfIdentify registers a sender who introduced themselves in the message and
// writes from a registered organisation's domain: staff confirm them later.
func (in *intake) selfIdentify(ctx context.Context, d rules.Decision, sc senderContext, ticketID int64) error {
	if !d.SelfIdentified || d.Identity == nil || sc.org == nil || sc.user != nil {
		return nil
	}
	u := &store.User{
		Email: strings.ToLower(in.msg.From.Email), FullName: d.Identity.FullName, Position: d.Identity.Position,
		Phone: d.Identity.Phone, OrgID: sql.NullInt64{Int64: sc.org.ID, Valid: true}, Role: store.RoleUser,
		SelfIdentified: true, Confirmed: false,
	}
	if _, err := in.tx.UpsertUser(ctx, u, "intake", in.now); err != nil {
		return fmt.Errorf("register self-identified sender: %w", err)
	}
	return in.event(ctx, ticketID, "user_self_identified",
		fmt.Sprintf("%s: %s, %s, %s — to be confirmed by staff", u.Email, u.FullName, sc.org.Name, u.Phone))
}
