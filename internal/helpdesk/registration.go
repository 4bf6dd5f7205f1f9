package helpdesk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/otvet/otvet/internal/directory"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/staffcmd"
	"github.com/otvet/otvet/internal/store"
)

// registration opens a ticket of kind registration for a connection request
// (triage found its table).
func (in *intake) registration(ctx context.Context, req *regform.Request) (Outcome, error) {
	m, d := in.msg, in.desk
	subject := strings.TrimSpace(subjectToken.ReplaceAllString(m.Subject, ""))
	t := &store.Ticket{
		Desk: d.Name, Status: store.StatusOpen, Channel: "email", Subject: subject, RequesterEmail: strings.ToLower(m.From.Email),
		RequesterName: m.From.Name, SupportLevel: d.Level, Priority: store.PriorityNormal, CreatedAt: in.now, UpdatedAt: in.now,
	}
	if !req.HasAuthorityDocument {
		t.Status, t.Reason, t.Missing = store.StatusDeferred, "insufficient_info", "authority_document"
	}
	if err := in.lc().startClocks(t, Targets{d.FirstResponse, d.Resolution}); err != nil {
		return Outcome{}, err
	}
	if err := in.tx.CreateTicket(ctx, t); err != nil {
		return Outcome{}, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return Outcome{}, err
	}
	if err := in.tx.InsertRegistration(ctx, &store.Registration{TicketID: t.ID, Request: string(body)}); err != nil {
		return Outcome{}, err
	}
	t.Kind = store.KindRegistration
	p, err := in.tx.AddParticipant(ctx, t.ID, m.From.Email, m.From.Name, "requester", in.now)
	if err != nil {
		return Outcome{}, err
	}
	if err := in.storeMessage(ctx, t.ID); err != nil {
		return Outcome{}, err
	}
	if err := in.event(ctx, t.ID, "registration_received",
		fmt.Sprintf("%s: %d people from %s; authority document %v", req.Organisation.Name, len(req.People), req.Source, req.HasAuthorityDocument)); err != nil {
		return Outcome{}, err
	}
	data := mailout.RegistrationData{TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
		Organisation: req.Organisation.Name, People: len(req.People), Problems: req.Problems, NeedsAuthority: !req.HasAuthorityDocument,
		DeskName: d.DisplayName, SupportAddress: d.SupportAddress}
	if err := in.autoReply(ctx, t, p, mailout.TmplRegistrationReceived, data); err != nil {
		return Outcome{}, err
	}
	if t.Status == store.StatusDeferred {
		if err := in.lc().changeClocks(ctx, t, sla.EventPause, "authority document missing"); err != nil {
			return Outcome{}, err
		}
	}
	warnings, err := in.registrationWarnings(ctx, t, &store.Registration{TicketID: t.ID}, req)
	if err != nil {
		return Outcome{}, err
	}
	summary := registrationSummary(req, in.desk.Language, directory.WarningsText(warnings, in.desk.Language, t.ID))
	if err := in.notifyAgents(ctx, t, mailout.NotifyNew, t.RequesterEmail, summary); err != nil {
		return Outcome{}, err
	}
	return Outcome{Disposition: store.DispTicket, TicketID: t.ID, Note: "registration"}, nil
}

// registrationSummary is the request as agents read it in the notification,
// in the desk's language, with the warnings (directory.WarningsText) about
// the directory changes it asks for.
func registrationSummary(req *regform.Request, lang, warnings string) string {
	var b strings.Builder
	o := req.Organisation
	b.WriteString(mailout.Text(lang, mailout.RegSummaryTitle, o.Name, o.INN, o.OGRN) + "\n")
	for _, p := range req.People {
		fmt.Fprintf(&b, "%d. %s — %s; %s; %s %s [%s]\n", p.Row, p.FullName, p.Position, p.Systems, p.Email, p.Phone, p.Action)
	}
	if !req.HasAuthorityDocument {
		b.WriteString(mailout.Text(lang, mailout.RegSummaryNoAuthority) + "\n")
	}
	for _, pr := range req.Problems {
		b.WriteString("! " + pr + "\n")
	}
	if warnings != "" {
		b.WriteString("\n" + warnings + "\n")
	}
	b.WriteString("\n" + mailout.Text(lang, mailout.RegSummaryCommands))
	return b.String()
}

// RegistrationRefused is why a connection request cannot be approved as it
// stands: the operator has to correct it (otvet registration edit) or wait
// for a document. It wraps errNotRegistration, so a caller that only knows
// that error still refuses. Why is a text of the message catalogue; Error
// is in English.
type RegistrationRefused struct {
	Why mailout.Msg
}

// Text says why in lang ("ru" or "en").
func (e *RegistrationRefused) Text(lang string) string { return e.Why.In(lang) }

func (e *RegistrationRefused) Error() string { return e.Text("en") }
func (e *RegistrationRefused) Unwrap() error { return errNotRegistration }

func refuse(key mailout.Key, args ...any) error {
	return &RegistrationRefused{Why: mailout.M(key, args...)}
}

// removedByRequest starts the block reason of a person a connection request
// removed; a later request adding them again lifts that block (and no other).
const removedByRequest = "исключён по заявке #"

// personPlan is what approval will do about one row of the request.
type personPlan struct {
	p          regform.Person
	email      string      // normalised
	cur        *store.User // the existing user (nil: a new one)
	renameFrom string      // the old address of a user whose address changed
	remove     bool
	unblock    bool   // removed by an earlier request: unblocked
	blocked    string // blocked for another reason: stays blocked, not in the protocol
	keepRights bool   // a change of the access rights the operator did not allow
}

// approvalPlan is everything approval will write, worked out before any
// write so that a refusal changes nothing.
type approvalPlan struct {
	org      *store.Org // the existing organisation, or nil
	create   *store.Org // the organisation to create
	details  []store.Org
	people   []personPlan
	skipped  []string
	authDocs bool // the authority document arrived later
	// withheld are the addresses not registered because they are on a public
	// mail service or off the organisation's domains and the operator did
	// not allow them; warnings what the request asks for (shown in the
	// approval's confirmation).
	withheld []string
	warnings []directory.Warning
	// head is the address of the signatory who becomes the organisation's
	// head (directory.RegistrationFacts.Head), "" for nobody.
	head string
}

// Approval is what the operator says when approving a connection request
// (#approve by mail, otvet registration approve): the key channel for
// everyone (overriding the rows'; "" keeps them, else the desk's default),
// and that the signatory is not to become the organisation's head.
type Approval struct {
	KeyChannel string
	NoHead     bool
}

// approvalOf reads an Approval from #approve: --no-head, then the key
// channel as the rest of the line.
func approvalOf(c staffcmd.Command) Approval {
	return Approval{KeyChannel: c.Text, NoHead: slices.Contains(c.Args, staffcmd.ArgNoHead)}
}

// approveRegistration registers the organisation and the people of a pending
// connection request and mails the connection protocol to the requester. It
// refuses (RegistrationRefused) when the request would move people of another
// organisation, names another organisation than the requester's, or lacks the
// authority document; nothing is written then.
func (in *deskTx) approveRegistration(ctx context.Context, t *store.Ticket, actor string, a Approval) (string, error) {
	a.KeyChannel = strings.TrimSpace(a.KeyChannel)
	if w, open := regform.OpenKeyChannel(a.KeyChannel); open {
		return "", refuse(mailout.RegOpenKeyChannel, a.KeyChannel, w)
	}
	reg, err := in.tx.Registration(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", errNotRegistration
	}
	if err != nil {
		return "", err
	}
	if reg.State != store.RegPending {
		return "", fmt.Errorf("%w: already %s", errNotRegistration, reg.State)
	}
	var req regform.Request
	if err := json.Unmarshal([]byte(reg.Request), &req); err != nil {
		return "", fmt.Errorf("connection request #%d: %w", t.ID, err)
	}
	req.NoHead = req.NoHead || a.NoHead
	plan, err := in.planApproval(ctx, t, reg, &req)
	if err != nil {
		return "", err
	}
	if plan.authDocs {
		req.HasAuthorityDocument = true
		if err := in.saveRequest(ctx, t.ID, &req); err != nil {
			return "", err
		}
		if err := in.event(ctx, t.ID, "registration_authority_received", "the authority document came in a later message"); err != nil {
			return "", err
		}
	}
	org, err := in.applyOrg(ctx, plan, actor)
	if err != nil {
		return "", err
	}
	var opts []store.UpsertOption
	if reg.MoveUsers {
		opts = append(opts, store.MoveOrg)
	}
	var rows []mailout.ProtocolRow
	added, removed := 0, 0
	notes := plan.skipped
	for _, pp := range plan.people {
		p := pp.p
		if pp.remove {
			if err := in.tx.SetUserBlocked(ctx, pp.cur.Email, true, fmt.Sprintf("%s%d", removedByRequest, t.ID), actor, in.now); err != nil {
				return "", err
			}
			removed++
			continue
		}
		if pp.renameFrom != "" {
			if err := in.tx.ChangeUserEmail(ctx, pp.renameFrom, pp.email, actor, in.now); err != nil {
				return "", fmt.Errorf("register %s: %w", pp.email, err)
			}
		}
		u := &store.User{Email: pp.email, FullName: p.FullName, Position: p.Position, Phone: p.Phone, Department: p.Department,
			Systems: p.Systems, Rights: p.Rights, Account: p.Account, OrgID: sql.NullInt64{Int64: org.ID, Valid: true}, Confirmed: true}
		if pp.cur != nil {
			c := pp.cur
			if pp.keepRights {
				u.Rights = c.Rights
			}
			keep(&u.Position, c.Position)
			keep(&u.Phone, c.Phone)
			keep(&u.Department, c.Department)
			keep(&u.Systems, c.Systems)
			keep(&u.Rights, c.Rights)
			keep(&u.Account, c.Account)
		} else {
			u.Role = store.RoleUser
		}
		keep(&u.Account, pp.email)
		uopts := opts
		if pp.email == plan.head && pp.blocked == "" {
			// Shown in the notification and the approval request, not
			// declined: approval is the operator's confirmation.
			u.Role, uopts = store.RoleHead, append(slices.Clone(opts), store.SetRole)
			notes = append(notes, in.text(mailout.RegApprovedHead, u.FullName+" <"+u.Email+">"))
		}
		if _, err := in.tx.UpsertUser(ctx, u, actor, in.now, uopts...); err != nil {
			return "", fmt.Errorf("register %s: %w", pp.email, err)
		}
		if pp.unblock {
			if err := in.tx.SetUserBlocked(ctx, u.Email, false, "", actor, in.now); err != nil {
				return "", err
			}
		}
		if pp.blocked != "" {
			notes = append(notes, fmt.Sprintf("%s is blocked (%s): not in the protocol", u.Email, pp.blocked))
			continue
		}
		channel := a.KeyChannel
		keep(&channel, p.KeyChannel)
		keep(&channel, in.desk.KeyChannel)
		keep(&channel, in.text(mailout.KeyChannelDefault))
		rows = append(rows, mailout.ProtocolRow{FullName: u.FullName, Department: u.Department, Position: u.Position,
			Email: u.Email, Account: u.Account, Rights: rightsCell(u.Systems, u.Rights), KeyChannel: channel})
		added++
	}
	summary := fmt.Sprintf("%s: %d registered, %d removed", org.Name, added, removed)
	if len(notes) > 0 {
		summary += "; " + strings.Join(notes, "; ")
	}
	if len(plan.withheld) > 0 {
		summary += "; " + in.text(mailout.RegApprovedSkipped, strings.Join(plan.withheld, ", "))
	}
	orgID := sql.NullInt64{Int64: org.ID, Valid: true}
	if err := in.tx.DecideRegistrationNote(ctx, t.ID, store.RegApproved, orgID, actor, in.now,
		fmt.Sprintf("organisation #%d %s", org.ID, summary)); err != nil {
		return "", err
	}
	if w := directory.WarningsText(plan.warnings, in.desk.Language, t.ID); w != "" {
		summary += "\n" + w
	}
	if err := in.tx.SetTicketRequester(ctx, t.ID, t.RequesterName, orgID, in.now); err != nil {
		return "", err
	}
	data := mailout.ProtocolData{RequestTicket: t.ID, Organisation: org.Name, INN: org.INN,
		Date: in.now.In(in.desk.Location).Format("02.01.2006"), Rows: rows, DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
	p, err := in.tx.Participant(ctx, t.ID, t.RequesterEmail)
	if err != nil {
		return "", err
	}
	reply, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID, p.TokenEpoch)
	if err != nil {
		return "", err
	}
	if err := in.compose(ctx, t, mailout.Address{Name: p.Name, Email: p.Email}, reply, mailout.TmplProtocol, data,
		sendOpts{autoSubmitted: "auto-generated", record: true}); err != nil {
		return "", err
	}
	return summary, nil
}

// keep sets *field to v when it is empty.
func keep(field *string, v string) {
	if strings.TrimSpace(*field) == "" {
		*field = v
	}
}

// rightsCell is the protocol's «Права доступа к данным»: the systems and the
// rights in them.
func rightsCell(systems, rights string) string {
	switch {
	case systems != "" && rights != "" && systems != rights:
		return systems + " — " + rights
	case rights != "":
		return rights
	}
	return systems
}

func (in *deskTx) saveRequest(ctx context.Context, ticketID int64, req *regform.Request) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	return in.tx.UpdateRegistrationRequest(ctx, ticketID, string(body))
}

// planApproval reads what approval needs and decides everything, writing
// nothing: the organisation, its missing details and the domains the
// operator chose, and each person's fate. A person on a public mail service
// or off the organisation's domains is withheld unless the operator allowed
// them, and an existing user's access rights change only when the operator
// allowed role changes (directory.RegistrationFacts.Person).
func (in *deskTx) planApproval(ctx context.Context, t *store.Ticket, reg *store.Registration, req *regform.Request) (*approvalPlan, error) {
	plan := &approvalPlan{}
	if !req.HasAuthorityDocument {
		arrived, err := in.authorityArrived(ctx, t)
		if err != nil {
			return nil, err
		}
		if !arrived {
			return nil, refuse(mailout.RegNoAuthorityDocument, t.ID)
		}
		plan.authDocs = true
	}
	org, err := in.resolveOrg(ctx, t, reg, req)
	if err != nil {
		return nil, err
	}
	plan.org = org
	if org == nil {
		name := req.Organisation.Name
		if name == "" {
			name = in.text(mailout.RegOrgFromRequest, t.ID)
		}
		ro := req.Organisation
		plan.create = &store.Org{Name: name, INN: ro.INN, OGRN: ro.OGRN, Address: ro.Address, SupportLevel: in.desk.Level}
	}
	facts, err := in.registrationFacts(ctx, t, reg, req, org)
	if err != nil {
		return nil, err
	}
	plan.warnings = directory.RegistrationWarnings(facts)
	if email, w, ok := facts.Head(); ok && w.Code == directory.WarnHead && w.Allowed {
		plan.head = email
	}
	var problems []string
	for _, p := range req.People {
		w, warned := facts.Person(p)
		if warned && !w.Allowed && (w.Code == directory.WarnPublicMail || w.Code == directory.WarnOffDomain) {
			// Never enrolled as a side effect: the operator allows the
			// address (--allow-person) or adds the domain (--add-domain).
			plan.withheld = append(plan.withheld, w.Args[0])
			continue
		}
		pp, skip, problem, err := in.planPerson(ctx, reg, org, p)
		if err != nil {
			return nil, err
		}
		pp.keepRights = warned && !w.Allowed && w.Code == directory.WarnRoleChange
		switch {
		case problem != "":
			problems = append(problems, problem)
		case skip != "":
			plan.skipped = append(plan.skipped, skip)
		default:
			plan.people = append(plan.people, pp)
		}
	}
	domains, more, err := in.chosenDomains(ctx, reg, org)
	if err != nil {
		return nil, err
	}
	problems = append(problems, more...)
	if len(problems) > 0 {
		return nil, refuse(mailout.RegProblems, t.ID, strings.Join(problems, "; "))
	}
	if plan.create != nil {
		plan.create.Domains = domains
		return plan, nil
	}
	// An existing organisation gets the details it lacks and the domains the
	// operator chose, one change (and one audit event) at a time.
	ro, cur := req.Organisation, *org
	if ro.INN != "" {
		if other, err := in.tx.OrgByINN(ctx, ro.INN); err == nil && other.ID != org.ID {
			plan.skipped = append(plan.skipped, fmt.Sprintf("INN %s belongs to organisation #%d: not copied", ro.INN, other.ID))
			ro.INN = ""
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	for _, f := range []struct {
		field *string
		v     string
	}{{&cur.INN, ro.INN}, {&cur.OGRN, ro.OGRN}, {&cur.Address, ro.Address}} {
		if *f.field == "" && f.v != "" {
			*f.field = f.v
			plan.details = append(plan.details, cur)
		}
	}
	for _, d := range domains {
		cur.Domains = append(slices.Clone(cur.Domains), d)
		plan.details = append(plan.details, cur)
	}
	return plan, nil
}

// planPerson decides about one row. skip says why the row is left out
// (harmless); problem why the request cannot be approved as it stands.
func (in *deskTx) planPerson(ctx context.Context, reg *store.Registration, org *store.Org, p regform.Person) (pp personPlan, skip, problem string, err error) {
	pp.p = p
	orgID := int64(0)
	if org != nil {
		orgID = org.ID
	}
	who := p.FullName
	if p.Email != "" {
		who += " <" + p.Email + ">"
	}
	if p.Email != "" {
		if pp.email, err = store.NormalizeEmail(p.Email); err != nil {
			return pp, fmt.Sprintf("row %d: %q is not an e-mail address", p.Row, p.Email), "", nil
		}
		pp.cur, err = in.tx.UserByEmail(ctx, pp.email)
		if errors.Is(err, store.ErrNotFound) {
			pp.cur, err = nil, nil
		} else if err != nil {
			return pp, "", "", err
		}
	}
	byName := func() (*store.User, string, error) {
		if orgID == 0 || strings.TrimSpace(p.FullName) == "" {
			return nil, "", nil
		}
		us, err := in.tx.UsersNamed(ctx, orgID, p.FullName)
		if err != nil || len(us) == 0 {
			return nil, "", err
		}
		if len(us) > 1 {
			return nil, fmt.Sprintf("row %d: %d users of the organisation are called %s", p.Row, len(us), p.FullName), nil
		}
		return &us[0], "", nil
	}
	if p.Action == regform.ActionRemove {
		pp.remove = true
		if pp.cur == nil {
			u, problem, err := byName()
			if err != nil || problem != "" {
				return pp, "", problem, err
			}
			if u == nil {
				return pp, fmt.Sprintf("%s is not registered: nothing to remove", who), "", nil
			}
			pp.cur = u
		}
		if !pp.cur.OrgID.Valid || pp.cur.OrgID.Int64 != orgID {
			return pp, "", fmt.Sprintf("row %d: %s is not a user of this organisation and cannot be removed by its request", p.Row, who), nil
		}
		return pp, "", "", nil
	}
	if pp.email == "" {
		return pp, fmt.Sprintf("row %d (%s): no e-mail address", p.Row, p.FullName), "", nil
	}
	if pp.cur == nil && p.Action == regform.ActionUpdate {
		// A changed address: the person is known by name in the organisation.
		u, problem, err := byName()
		if err != nil || problem != "" {
			return pp, "", problem, err
		}
		if u != nil {
			pp.cur, pp.renameFrom = u, u.Email
		}
	}
	if c := pp.cur; c != nil {
		if c.OrgID.Valid && c.OrgID.Int64 != orgID && !reg.MoveUsers {
			name := fmt.Sprintf("#%d", c.OrgID.Int64)
			if o, err := in.tx.OrgByID(ctx, c.OrgID.Int64); err == nil {
				name += " «" + o.Name + "»"
			}
			return pp, "", fmt.Sprintf("row %d: %s belongs to organisation %s", p.Row, who, name), nil
		}
	} else if !reg.MoveUsers {
		// A new person on another organisation's mail domain: a form must
		// not enrol someone else's staff (their tickets would follow).
		_, dorg, err := in.tx.SenderOf(ctx, pp.email)
		if err != nil {
			return pp, "", "", err
		}
		if dorg != nil && dorg.ID != orgID {
			return pp, "", fmt.Sprintf("row %d: %s is on the mail domain of organisation #%d «%s»", p.Row, who, dorg.ID, dorg.Name), nil
		}
	}
	if c := pp.cur; c != nil {
		if c.Blocked {
			if strings.HasPrefix(c.BlockReason, removedByRequest) {
				pp.unblock = true
			} else {
				pp.blocked = c.BlockReason
			}
		}
	}
	return pp, "", "", nil
}

// resolveOrg finds the organisation the request is about: the operator's
// choice first (otvet registration edit --org / --new-org); else the
// requester's own organisation (as a user, or by the mail domain), which the
// form's INN or name must not contradict; else the organisation the form
// names (by INN, then by name with quotes and case folded) when the operator
// confirms it; nil when a new one is to be created.
func (in *deskTx) resolveOrg(ctx context.Context, t *store.Ticket, reg *store.Registration, req *regform.Request) (*store.Org, error) {
	switch {
	case reg.NewOrg:
		return nil, nil
	case reg.TargetOrgID.Valid:
		return in.tx.OrgByID(ctx, reg.TargetOrgID.Int64)
	}
	_, known, err := in.tx.SenderOf(ctx, t.RequesterEmail)
	if err != nil {
		return nil, err
	}
	named, ambiguous, err := in.namedOrg(ctx, req.Organisation)
	if err != nil {
		return nil, err
	}
	describe := func(o *store.Org) string { return fmt.Sprintf("#%d «%s»", o.ID, o.Name) }
	switch {
	case known != nil && named != nil && named.ID != known.ID:
		return nil, refuse(mailout.RegOrgConflict, t.RequesterEmail, describe(known), t.ID, describe(named))
	case known != nil:
		return known, nil
	case named != nil:
		return nil, refuse(mailout.RegConfirmNamedOrg, t.RequesterEmail, t.ID, describe(named), named.ID)
	case ambiguous:
		return nil, refuse(mailout.RegAmbiguousOrg, req.Organisation.Name, t.ID)
	}
	return nil, nil
}

// namedOrg finds the organisation the form names: by INN, else by name
// (folded) among organisations without an INN or with the form's.
func (in *deskTx) namedOrg(ctx context.Context, ro regform.Organisation) (org *store.Org, ambiguous bool, err error) {
	o, err := directory.MatchOrg(ctx, in.tx, ro.INN, ro.Name) // the directory import's rule too
	var amb *directory.AmbiguousError
	if errors.As(err, &amb) {
		return nil, true, nil
	}
	return o, false, err
}

// chosenDomains lists the mail domains the operator chose to add to the
// organisation (otvet registration edit --add-domain) that it lacks:
// approval adds no other. A chosen domain that cannot be an organisation's
// or that another organisation owns is a problem.
func (in *deskTx) chosenDomains(ctx context.Context, reg *store.Registration, org *store.Org) (domains, problems []string, err error) {
	for _, d := range reg.AddDomains {
		od, err := store.OrgDomain(d)
		if err != nil {
			problems = append(problems, fmt.Sprintf("domain %s: %v", d, err))
			continue
		}
		if org != nil && slices.Contains(org.Domains, od) || slices.Contains(domains, od) {
			continue
		}
		other, err := in.tx.OrgByDomain(ctx, od)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
		if other != nil && (org == nil || other.ID != org.ID) {
			problems = append(problems, fmt.Sprintf("domain %s belongs to organisation #%d «%s»", od, other.ID, other.Name))
			continue
		}
		domains = append(domains, od)
	}
	return domains, problems, nil
}

// registrationFacts reads from the directory what
// directory.RegistrationWarnings needs about a request registering into org
// (nil: a new organisation).
func (in *deskTx) registrationFacts(ctx context.Context, t *store.Ticket, reg *store.Registration, req *regform.Request, org *store.Org) (directory.RegistrationFacts, error) {
	f := directory.RegistrationFacts{Org: org, Request: req, Requester: t.RequesterEmail,
		Users: map[string]*store.User{}, UserOrgs: map[int64]*store.Org{}, DomainOrgs: map[string]*store.Org{},
		AddDomains: reg.AddDomains, AllowPeople: reg.AllowPeople, MoveUsers: reg.MoveUsers, AllowRoleChange: reg.AllowRoleChange,
		NoHead: req.NoHead}
	emails := []string{t.RequesterEmail}
	for _, p := range req.People {
		emails = append(emails, p.Email)
	}
	for _, e := range emails {
		n, err := store.NormalizeEmail(e)
		if err != nil {
			continue
		}
		if _, done := f.Users[n]; !done {
			u, err := in.tx.UserByEmail(ctx, n)
			if errors.Is(err, store.ErrNotFound) {
				u, err = nil, nil
			}
			if err != nil {
				return f, err
			}
			f.Users[n] = u
			if u != nil && u.OrgID.Valid && f.UserOrgs[u.OrgID.Int64] == nil {
				if f.UserOrgs[u.OrgID.Int64], err = in.tx.OrgByID(ctx, u.OrgID.Int64); err != nil {
					return f, err
				}
			}
		}
		_, d, _ := strings.Cut(n, "@")
		if _, done := f.DomainOrgs[d]; !done {
			o, err := in.tx.OrgByDomain(ctx, d)
			if errors.Is(err, store.ErrNotFound) {
				o, err = nil, nil
			}
			if err != nil {
				return f, err
			}
			f.DomainOrgs[d] = o
		}
	}
	for n, u := range f.Users {
		if u == nil {
			delete(f.Users, n)
		}
	}
	return f, nil
}

// registrationWarnings are the warnings about a request as it stands: the
// organisation is the one approval would choose, or when approval would be
// refused for the choice of organisation, the requester's own (if any).
func (in *deskTx) registrationWarnings(ctx context.Context, t *store.Ticket, reg *store.Registration, req *regform.Request) ([]directory.Warning, error) {
	org, err := in.resolveOrg(ctx, t, reg, req)
	var refused *RegistrationRefused
	if errors.As(err, &refused) {
		_, org, err = in.tx.SenderOf(ctx, t.RequesterEmail)
	}
	if err != nil {
		return nil, err
	}
	f, err := in.registrationFacts(ctx, t, reg, req, org)
	if err != nil {
		return nil, err
	}
	return directory.RegistrationWarnings(f), nil
}

// applyOrg creates the organisation or writes its missing details and new
// domains, one audit event per change.
func (in *deskTx) applyOrg(ctx context.Context, plan *approvalPlan, actor string) (*store.Org, error) {
	if plan.create != nil {
		o := plan.create
		if err := in.tx.CreateOrg(ctx, o, actor, in.now); err != nil {
			return nil, fmt.Errorf("register organisation %q: %w", o.Name, err)
		}
		return o, nil
	}
	for i := range plan.details {
		o := plan.details[i]
		if err := in.tx.UpdateOrg(ctx, &o, actor, in.now); err != nil {
			return nil, fmt.Errorf("update organisation #%d: %w", o.ID, err)
		}
	}
	return in.tx.OrgByID(ctx, plan.org.ID)
}

// authorityArrived tells whether a later message of the requester's side on
// the ticket brought the authority document (see regform.AuthorityDocument).
// Messages from outside the requester's organisation do not count.
func (in *deskTx) authorityArrived(ctx context.Context, t *store.Ticket) (bool, error) {
	files, err := in.tx.FollowUpFiles(ctx, t.ID)
	if err != nil || len(files) == 0 {
		return false, err
	}
	ps, err := in.tx.ParticipantsOf(ctx, t.ID)
	if err != nil {
		return false, err
	}
	ours := map[string]bool{}
	for _, p := range ps {
		if p.Role != "agent" {
			ours[strings.ToLower(p.Email)] = true
		}
	}
	msgs := map[int64]*mailmsg.Message{}
	var order []int64
	for _, f := range files {
		if !ours[strings.ToLower(f.FromAddr)] {
			continue
		}
		m := msgs[f.MessageID]
		if m == nil {
			m = &mailmsg.Message{Text: string(f.Text)}
			msgs[f.MessageID] = m
			order = append(order, f.MessageID)
		}
		m.Attachments = append(m.Attachments, mailmsg.Attachment{Filename: f.Filename, ContentType: f.ContentType,
			ContentID: f.ContentID, Inline: f.Inline})
	}
	for _, id := range order {
		if regform.AuthorityDocument(msgs[id]) {
			return true, nil
		}
	}
	return false, nil
}

// registrationFollowUp records that a reply on a pending connection request
// brought the authority document the request lacked (intake.reply calls it
// after storing the message); approval checks the ticket's later files in
// any case (authorityArrived).
func (in *intake) registrationFollowUp(ctx context.Context, t *store.Ticket) error {
	if t.Kind != store.KindRegistration || in.msg == nil || !regform.AuthorityDocument(in.msg) {
		return nil
	}
	if _, err := in.tx.Participant(ctx, t.ID, in.msg.From.Email); errors.Is(err, store.ErrNotFound) {
		return nil // a stranger's document does not count
	} else if err != nil {
		return err
	}
	reg, err := in.tx.Registration(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if reg.State != store.RegPending {
		return nil
	}
	var req regform.Request
	if err := json.Unmarshal([]byte(reg.Request), &req); err != nil || req.HasAuthorityDocument {
		return err
	}
	req.HasAuthorityDocument = true
	if err := in.saveRequest(ctx, t.ID, &req); err != nil {
		return err
	}
	return in.event(ctx, t.ID, "registration_authority_received", "from "+strings.ToLower(in.msg.From.Email))
}

var errNotRegistration = errors.New("not a pending connection request")

// DecideRegistration approves or rejects a connection request from the command
// line (`otvet registration approve|reject N`), as #approve and #reject do by mail.
func (s *Service) DecideRegistration(ctx context.Context, ticketID int64, approve bool, reason, actor string) (string, error) {
	return s.decideRegistration(ctx, ticketID, approve, reason, actor, Approval{})
}

// ApproveRegistration approves a connection request with the operator's
// choices (`otvet registration approve N --key-channel … --no-head`).
func (s *Service) ApproveRegistration(ctx context.Context, ticketID int64, a Approval, actor string) (string, error) {
	return s.decideRegistration(ctx, ticketID, true, "", actor, a)
}

func (s *Service) decideRegistration(ctx context.Context, ticketID int64, approve bool, reason, actor string, a Approval) (string, error) {
	var summary string
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		d, err := s.desk(t.Desk)
		if err != nil {
			return err
		}
		in := s.deskTx(tx, d, s.now().UTC())
		if !approve {
			reg, err := tx.Registration(ctx, t.ID)
			if err != nil || reg.State != store.RegPending {
				return errNotRegistration
			}
			if err := in.lc().apply(ctx, t, Change{Event: EvRejected, Reason: reason, Actor: actor, Via: ViaCLI, Note: "connection request rejected"}); err != nil {
				return err
			}
			if err := tx.DecideRegistration(ctx, t.ID, store.RegRejected, sql.NullInt64{}, actor, in.now); err != nil {
				return err
			}
			summary = "rejected"
			return in.noticeRequester(ctx, t, mailout.TmplRejected, mailout.NoticeData{Reason: reason})
		}
		if summary, err = in.approveRegistration(ctx, t, actor, a); err != nil {
			return err
		}
		return in.lc().apply(ctx, t, Change{Event: EvResolved, Actor: actor, Via: ViaCLI, Note: "connection request approved"})
	})
	if err != nil {
		return "", err
	}
	s.queued()
	return summary, nil
}
