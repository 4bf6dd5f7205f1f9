package directory

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// WarnHead: the signatory of the request (its «Руководитель», the
	// signature) is a person of its table, who becomes the organisation's
	// head on approval. Args: the address, the name as the form gives it.
	// Allowed unless the operator declined (registration edit --no-head,
	// #approve --no-head).
	WarnHead WarningCode = "head"
	// WarnHeadNotListed: the request names its signatory, who is not among
	// its people: nobody becomes the head. Args: the name.
	WarnHeadNotListed WarningCode = "head_not_listed"
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
	switch {
	case w.Code == WarnHead && !w.Allowed:
		advice = mailout.M(mailout.RegAdviceHeadDeclined)
	case w.Code == WarnHead || w.Code == WarnHeadNotListed:
	case w.Allowed && advice.Key != mailout.RegAdviceCheckAuthority:
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
	case WarnHead:
		return mailout.M(mailout.RegWarnHead, arg(0), arg(1)), mailout.M(mailout.RegAdviceHead, ticket)
	case WarnHeadNotListed:
		return mailout.M(mailout.RegWarnHeadNotListed, arg(0)), mailout.M(mailout.RegAdviceHeadNotListed, ticket)
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
	// NoHead: the operator declined making the signatory the head.
	NoHead bool
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
	if _, w, ok := f.Head(); ok {
		out = append(out, w)
	}
	return append(domains, out...)
}

// Head is the person of the request who signed it (Organisation.Head, as
// regform reads it from «Руководитель: …» or the signature line) and the
// warning about making them the organisation's head: WarnHead with their
// address (Allowed unless the operator declined), or WarnHeadNotListed when
// no person of the table (to add or update, with an address) bears that
// name, or several do. ok is false when the request names no signatory or
// the signatory is already the organisation's head.
func (f RegistrationFacts) Head() (email string, w Warning, ok bool) {
	head := strings.TrimSpace(f.Request.Organisation.Head)
	if head == "" {
		return "", Warning{}, false
	}
	// The name as written first; then in the genitive («в лице директора
	// Соколовой Н.В.»), when nobody bears it as written.
	for _, same := range []func(string, string) bool{SameSignatory, sameSignatoryInflected} {
		n := 0
		for _, p := range f.Request.People {
			e, err := match.NormalizeEmail(p.Email)
			if err != nil || p.Action == regform.ActionRemove || !same(head, p.FullName) || e == email {
				continue
			}
			email, n = e, n+1
		}
		if n > 1 { // two people of that name: nobody is chosen
			email = ""
		}
		if n > 0 {
			break
		}
	}
	if email == "" {
		return "", Warning{Code: WarnHeadNotListed, Args: []string{head}}, true
	}
	if u := f.Users[email]; u != nil && f.isMember(u) && u.Role == store.RoleHead {
		return email, Warning{}, false
	}
	return email, Warning{Code: WarnHead, Args: []string{email, head}, Allowed: !f.NoHead}, true
}

// SameSignatory tells whether a signatory's name as a form writes it
// («Н.В. Соколова», «Соколова Н. В.», «Соколова Надежда Викторовна») names
// the person of fullName («Соколова Надежда Викторовна»): the same surname
// and the same initials (or the same full names). Case and ё are folded; a
// name in another grammatical case («директора Соколовой Н.В.») does not
// match (sameSignatoryInflected).
func SameSignatory(signatory, fullName string) bool {
	same := func(a, b string) bool { return a == b }
	return sameSignatory(signatory, fullName, same, same)
}

// sameSignatoryInflected is SameSignatory for a signatory's name in the
// genitive, as «в лице …» and «от …» write it: «Соколовой Надежды
// Викторовны» is «Соколова Надежда Викторовна», «Кузнецова Сергея
// Петровича» «Кузнецов Сергей Петрович». With initials only, a surname
// that may be a woman's in the nominative («Лебедева Н.В.») is not taken for
// a man's in the genitive.
func sameSignatoryInflected(signatory, fullName string) bool {
	return sameSignatory(signatory, fullName, func(g, nom string) bool { return genitiveOf(g, nom, true) },
		func(g, nom string) bool { return genitiveOf(g, nom, false) })
}

// genitiveEndings turn a nominative ending into its genitive one for the
// usual Russian surnames, first names and patronymics.
var genitiveEndings = [][2]string{{"ова", "овой"}, {"ева", "евой"}, {"ина", "иной"}, {"ская", "ской"}, {"цкая", "цкой"},
	{"ий", "ого"}, {"ой", "ого"}, {"ый", "ого"}, {"ич", "ича"}, {"на", "ны"}, {"ей", "ея"}, {"ай", "ая"}, {"ия", "ии"},
	{"ья", "ьи"}, {"а", "ы"}, {"я", "и"}, {"ь", "и"}, {"ка", "ки"}, {"га", "ги"}, {"ха", "хи"}, {"жа", "жи"}, {"ша", "ши"}, {"ча", "чи"}}

// genitiveOf tells whether g is the word nom (folded) or its genitive;
// consonants whether a word ending in a consonant may take «а».
func genitiveOf(g, nom string, consonants bool) bool {
	if g == nom {
		return true
	}
	for _, e := range genitiveEndings {
		if strings.HasSuffix(nom, e[0]) && g == strings.TrimSuffix(nom, e[0])+e[1] {
			return true
		}
	}
	// A consonant ending takes «а» (Кузнецов → Кузнецова, Иван → Ивана).
	r, _ := utf8.DecodeLastRuneInString(nom)
	return consonants && !strings.ContainsRune("аеёиоуыэюяйь", r) && g == nom+"а"
}

// sameSignatory compares full names word by word with eq, and a surname
// with initials with eqSurname.
func sameSignatory(signatory, fullName string, eq, eqSurname func(sig, person string) bool) bool {
	sw, si := nameParts(signatory)
	pw, _ := nameParts(fullName)
	if len(sw) == 0 || len(pw) == 0 {
		return false
	}
	if len(sw) > 1 { // full names: the same words, in any order
		if len(sw) != len(pw) {
			return false
		}
		used := make([]bool, len(pw))
		for _, w := range sw {
			i := slices.IndexFunc(pw, func(p string) bool { return eq(w, p) })
			for i >= 0 && used[i] {
				j := slices.IndexFunc(pw[i+1:], func(p string) bool { return eq(w, p) })
				if j < 0 {
					i = -1
					break
				}
				i += 1 + j
			}
			if i < 0 {
				return false
			}
			used[i] = true
		}
		return true
	}
	initials := func(words []string) string {
		var b strings.Builder
		for _, w := range words {
			r := []rune(w)
			b.WriteRune(r[0])
		}
		return b.String()
	}
	want := strings.Join(si, "")
	for i, w := range pw { // the surname first («Соколова Надежда …») or last
		if (i == 0 || i == len(pw)-1) && eqSurname(sw[0], w) {
			rest := slices.Delete(slices.Clone(pw), i, i+1)
			if strings.HasPrefix(initials(rest), want) {
				return true
			}
		}
	}
	return false
}

// nameParts splits a name into its whole words and its initials (single
// letters), folded.
func nameParts(s string) (words, initials []string) {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		if utf8.RuneCountInString(strings.Trim(w, "-")) <= 1 {
			if t := strings.Trim(w, "-"); t != "" {
				initials = append(initials, t)
			}
			continue
		}
		words = append(words, w)
	}
	return words, initials
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
