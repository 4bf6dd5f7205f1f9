package directory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/otvet/otvet/internal/directory/match"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// WarningCode names a directory change a connection request asks for that
// an operator must see before approving it.
type WarningCode string

// The warnings about a connection request.
const (
	// WarnNewDomain: a mail domain (of the requester or of a person to add)
	// the organisation does not have. Args: the domain. Approval adds it only
	// when the operator chose it (registration edit --add-domain).
	WarnNewDomain WarningCode = "new_domain"
	// WarnPublicMail: a person on a public mail service. Args: the address.
	// Registered only when the operator allows the address (--allow-person).
	WarnPublicMail WarningCode = "public_mail"
	// WarnOffDomain: a person on a domain that is not the organisation's.
	// Args: the address, the domain. Registered only when the operator allows
	// the address (--allow-person) or chose to add the domain (--add-domain).
	WarnOffDomain WarningCode = "off_domain"
	// WarnForeignDomain: a new person on the mail domain of another
	// organisation. Args: the address, the organisation. Approval is
	// refused unless the operator allows moves (--move-users).
	WarnForeignDomain WarningCode = "foreign_domain"
	// WarnOtherOrg: a user of another organisation. Args: the address, the
	// organisation. Approval is refused unless the operator allows moves.
	WarnOtherOrg WarningCode = "other_org"
	// WarnRoleChange: an existing user's access rights would change. Args:
	// the address, the stored rights, the requested ones. Changed only when
	// the operator allows it (--allow-role-change).
	WarnRoleChange WarningCode = "role_change"
	// WarnRequesterNotHead: the requester is not the organisation's head in
	// the directory. Args: the requester.
	WarnRequesterNotHead WarningCode = "requester_not_head"
	// WarnRequesterOffDomain: the requester's address is not on the
	// organisation's domains. Args: the requester.
	WarnRequesterOffDomain WarningCode = "requester_off_domain"
)

// Warning is one directory change a connection request asks for. Allowed
// says that the operator chose it explicitly, so approval will make it.
type Warning struct {
	Code    WarningCode `json:"code"`
	Args    []string    `json:"args"`
	Allowed bool        `json:"allowed"`
}

// Text is the warning as an operator reads it in lang, with the advice
// (the command that allows the change, for the request of ticket) or
// that the operator allowed it.
func (w Warning) Text(lang string, ticket int64) string {
	what, advice := w.msgs(ticket)
	if w.Allowed && advice.Key != mailout.RegAdviceCheckAuthority {
		advice = mailout.M(mailout.RegAdviceAllowed)
	}
	return what.In(lang) + " — " + advice.In(lang)
}

func (w Warning) msgs(ticket int64) (what, advice mailout.Msg) {
	arg := func(i int) string {
		if i < len(w.Args) {
			return w.Args[i]
		}
		return ""
	}
	switch w.Code {
	case WarnNewDomain:
		return mailout.M(mailout.RegWarnNewDomain, arg(0)), mailout.M(mailout.RegAdviceAddDomain, ticket, arg(0))
	case WarnPublicMail:
		return mailout.M(mailout.RegWarnPublicMail, arg(0)), mailout.M(mailout.RegAdviceAllowPerson, ticket, arg(0))
	case WarnOffDomain:
		return mailout.M(mailout.RegWarnOffDomain, arg(0), arg(1)), mailout.M(mailout.RegAdviceAllowPerson, ticket, arg(0))
	case WarnForeignDomain:
		return mailout.M(mailout.RegWarnForeignDomain, arg(0), arg(1)), mailout.M(mailout.RegAdviceMoveUsers, ticket)
	case WarnOtherOrg:
		return mailout.M(mailout.RegWarnOtherOrg, arg(0), arg(1)), mailout.M(mailout.RegAdviceMoveUsers, ticket)
	case WarnRoleChange:
		return mailout.M(mailout.RegWarnRoleChange, arg(0), arg(1), arg(2)), mailout.M(mailout.RegAdviceRoleChange, ticket)
	case WarnRequesterNotHead:
		return mailout.M(mailout.RegWarnRequesterNotHead, arg(0)), mailout.M(mailout.RegAdviceCheckAuthority)
	case WarnRequesterOffDomain:
		return mailout.M(mailout.RegWarnRequesterOffDomain, arg(0)), mailout.M(mailout.RegAdviceCheckAuthority)
	}
	panic(fmt.Sprintf("directory: unknown warning %q", w.Code))
}

// WarningsText is the warnings under their heading, one per line ("" when
// there are none).
func WarningsText(ws []Warning, lang string, ticket int64) string {
	if len(ws) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(mailout.Text(lang, mailout.RegWarnings))
	for _, w := range ws {
		b.WriteString("\n! " + w.Text(lang, ticket))
	}
	return b.String()
}

// RegistrationFacts is what RegistrationWarnings needs to know, read from
// the directory beforehand.
type RegistrationFacts struct {
	// Org is the organisation the request registers into; nil for a new one.
	Org       *store.Org
	Request   *regform.Request
	Requester string // the requester's address
	// Users are the known users among the requester and the people, by
	// normalised address; UserOrgs the organisations of those users, and
	// DomainOrgs the organisation owning each of their domains (with its
	// parents), by domain — missing when none.
	Users      map[string]*store.User
	UserOrgs   map[int64]*store.Org
	DomainOrgs map[string]*store.Org
	// The operator's choices (otvet registration edit).
	AddDomains      []string
	AllowPeople     []string
	MoveUsers       bool
	AllowRoleChange bool
}

// RegistrationWarnings lists the directory changes a connection request
// asks for that an operator must see: each new mail domain of the
// organisation; each person on a public mail service, on a domain that is
// not the organisation's (nor chosen to be added), or on another
// organisation's domain; each user of another organisation; each change of
// an existing user's access rights; and a requester who is not the
// organisation's head, or whose address is off its domains. It is pure.
func RegistrationWarnings(f RegistrationFacts) []Warning {
	var out, domains []Warning
	seenDomain := map[string]bool{}
	newDomain := func(d string) {
		if d == "" || seenDomain[d] {
			return
		}
		seenDomain[d] = true
		domains = append(domains, Warning{Code: WarnNewDomain, Args: []string{d}, Allowed: slices.Contains(f.AddDomains, d)})
	}
	requester, _ := match.NormalizeEmail(f.Requester)
	if f.Org != nil {
		if u := f.Users[requester]; u == nil || !f.isMember(u) || u.Role != store.RoleHead {
			out = append(out, Warning{Code: WarnRequesterNotHead, Args: []string{requester}})
		}
		if !f.orgDomain(domainOf(requester)) {
			out = append(out, Warning{Code: WarnRequesterOffDomain, Args: []string{requester}})
		}
	}
	if u := f.Users[requester]; u == nil || !f.isMember(u) {
		newDomain(f.freeDomain(domainOf(requester)))
	}
	seen := map[string]bool{}
	for _, p := range f.Request.People {
		email, err := match.NormalizeEmail(p.Email)
		if err != nil || p.Action == regform.ActionRemove || seen[email] {
			continue
		}
		seen[email] = true
		w, ok := f.Person(p)
		if ok {
			out = append(out, w)
		}
		if u := f.Users[email]; u == nil || !u.OrgID.Valid {
			newDomain(f.freeDomain(domainOf(email)))
		}
	}
	for _, d := range f.AddDomains {
		newDomain(d)
	}
	return append(domains, out...)
}

// Person is the warning about one person of the request (ok false when
// there is none): approval applies the row only when the warning is
// Allowed, except for a role change, where it keeps the stored rights.
func (f RegistrationFacts) Person(p regform.Person) (w Warning, ok bool) {
	email, err := match.NormalizeEmail(p.Email)
	if err != nil || p.Action == regform.ActionRemove {
		return Warning{}, false
	}
	u := f.Users[email]
	switch {
	case u != nil && f.isMember(u):
		old, want := strings.TrimSpace(u.Rights), strings.TrimSpace(p.Rights)
		if old != "" && want != "" && match.FoldName(old) != match.FoldName(want) {
			return Warning{Code: WarnRoleChange, Args: []string{email, old, want}, Allowed: f.AllowRoleChange}, true
		}
		return Warning{}, false
	case u != nil && u.OrgID.Valid:
		return Warning{Code: WarnOtherOrg, Args: []string{email, f.describe(f.UserOrgs[u.OrgID.Int64], u.OrgID.Int64)},
			Allowed: f.MoveUsers}, true
	}
	d := domainOf(email)
	allowed := slices.Contains(f.AllowPeople, email)
	switch {
	case match.PublicMailService(d):
		return Warning{Code: WarnPublicMail, Args: []string{email}, Allowed: allowed}, true
	case f.orgDomain(d):
		return Warning{}, false
	}
	if o := f.owner(d); o != nil {
		return Warning{Code: WarnForeignDomain, Args: []string{email, f.describe(o, o.ID)}, Allowed: f.MoveUsers}, true
	}
	if f.Org == nil && d != "" && covered(d, []string{domainOf(f.requester())}) {
		return Warning{}, false // a new organisation: the requester's colleagues
	}
	return Warning{Code: WarnOffDomain, Args: []string{email, d}, Allowed: allowed}, true
}

func (f RegistrationFacts) requester() string {
	r, _ := match.NormalizeEmail(f.Requester)
	return r
}

// isMember tells whether u is a user of the organisation.
func (f RegistrationFacts) isMember(u *store.User) bool {
	return f.Org != nil && u.OrgID.Valid && u.OrgID.Int64 == f.Org.ID
}

// orgDomain tells whether d (or a parent of it) is the organisation's or
// chosen to be added.
func (f RegistrationFacts) orgDomain(d string) bool {
	if f.Org != nil && covered(d, f.Org.Domains) {
		return true
	}
	return covered(d, f.AddDomains)
}

// owner is the organisation owning d, when it is not the one of the request.
func (f RegistrationFacts) owner(d string) *store.Org {
	o := f.DomainOrgs[d]
	if o == nil || f.Org != nil && o.ID == f.Org.ID {
		return nil
	}
	return o
}

// freeDomain is d as an organisation's domain when the organisation lacks
// it and nobody owns it; "" otherwise (public services, public suffixes).
func (f RegistrationFacts) freeDomain(d string) string {
	od, err := match.OrgDomain(d)
	if err != nil || f.Org != nil && covered(od, f.Org.Domains) || f.owner(od) != nil {
		return ""
	}
	return od
}

func (f RegistrationFacts) describe(o *store.Org, id int64) string {
	if o == nil {
		return fmt.Sprintf("#%d", id)
	}
	return fmt.Sprintf("#%d «%s»", o.ID, o.Name)
}

// covered tells whether d or one of its parents is among domains.
func covered(d string, domains []string) bool {
	for _, c := range match.DomainCandidates(d) {
		if slices.Contains(domains, c) {
			return true
		}
	}
	return false
}

func domainOf(email string) string {
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		return email[at+1:]
	}
	return ""
}
