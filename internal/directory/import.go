package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/otvet/otvet/internal/directory/match"
	"github.com/otvet/otvet/internal/store"
)

// MaxImportBytes bounds a directory file: a region's register is a few MiB.
const MaxImportBytes = 32 << 20

// importOrg is one organisation of a directory file, validated and normalised.
type importOrg struct {
	line, nameLine                         int
	path                                   string
	name, inn, ogrn, address, supportLevel string
	domains                                []string
	domainLines                            map[string]int
	users                                  []importUser
}

type importUser struct {
	line                                   int
	path                                   string
	email, fullName, position, phone, role string
}

// Problem is one thing wrong with a directory file.
type Problem struct {
	line  int
	field string
	msg   string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.line)
	}
	if p.field != "" {
		b.WriteString(p.field + ": ")
	}
	b.WriteString(p.msg)
	return b.String()
}

// importParser walks the YAML tree, collecting every problem instead of
// stopping at the first.
type importParser struct {
	levels   []string
	problems []Problem
}

func (p *importParser) addf(n *yaml.Node, field, format string, a ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.problems = append(p.problems, Problem{line: line, field: field, msg: fmt.Sprintf(format, a...)})
}

// parseFile reads and validates a directory file without touching the
// database. levels are the known support levels (nil: any).
func parseFile(data []byte, levels []string) (orgs []importOrg, problems []Problem) {
	p := &importParser{levels: levels}
	defer func() {
		if r := recover(); r != nil { // the YAML library must never take the command down
			orgs, problems = nil, append(p.problems, Problem{msg: fmt.Sprintf("cannot read the file: %v", r)})
		}
	}()
	if len(data) > MaxImportBytes {
		p.addf(nil, "", "the file is larger than %d MiB", MaxImportBytes>>20)
		return nil, p.problems
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.addf(nil, "", "not valid YAML: %v", err)
		return nil, p.problems
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.addf(nil, "", "the file is empty: expected a mapping with 'organisations'")
		return nil, p.problems
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.addf(root, "", "expected a mapping with 'organisations' at the top")
		return nil, p.problems
	}
	var list *yaml.Node
	p.fields(root, "", []string{"organisations", "contractors"}, func(key string, v *yaml.Node) {
		if key == "organisations" {
			list = v
		}
	})
	if list == nil {
		p.addf(root, "organisations", "missing")
		return nil, p.problems
	}
	if list.Kind != yaml.SequenceNode {
		p.addf(list, "organisations", "expected a list of organisations")
		return nil, p.problems
	}
	for i, n := range list.Content {
		if o, ok := p.org(n, fmt.Sprintf("organisations[%d]", i)); ok {
			orgs = append(orgs, o)
		}
	}
	// Cross-checks run over every organisation, valid or not, so that one
	// run reports everything.
	p.crossCheck(orgs)
	slices.SortStableFunc(p.problems, func(a, b Problem) int { return a.line - b.line })
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	if len(orgs) == 0 {
		p.addf(list, "organisations", "the list is empty")
	}
	return orgs, p.problems
}

// fields calls f for each key of a mapping, reporting unknown and repeated keys.
func (p *importParser) fields(n *yaml.Node, path string, known []string, f func(key string, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := join(path, k.Value)
		switch {
		case k.Kind != yaml.ScalarNode:
			p.addf(k, path, "a key must be a plain name")
		case !slices.Contains(known, k.Value):
			p.addf(k, field, "unknown field (known: %s)", strings.Join(known, ", "))
		case seen[k.Value]:
			p.addf(k, field, "given twice")
		default:
			seen[k.Value] = true
			f(k.Value, v)
		}
	}
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// scalar reads a text value; null is "".
func (p *importParser) scalar(n *yaml.Node, field string) (string, bool) {
	if n.Kind == yaml.AliasNode && n.Alias != nil && n.Alias.Kind == yaml.ScalarNode {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		p.addf(n, field, "expected text")
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return strings.TrimSpace(n.Value), true
}

// org reads one organisation; ok is false when it is not even a mapping.
func (p *importParser) org(n *yaml.Node, path string) (o importOrg, ok bool) {
	o = importOrg{line: n.Line, nameLine: n.Line, path: path, domainLines: map[string]int{}}
	if n.Kind != yaml.MappingNode {
		p.addf(n, path, "expected an organisation (name, inn, domains, users, ...)")
		return o, false
	}
	p.fields(n, path, []string{"name", "inn", "ogrn", "address", "support_level", "domains", "users"}, func(key string, v *yaml.Node) {
		field := join(path, key)
		switch key {
		case "domains":
			p.domains(&o, v, field)
		case "users":
			p.users(&o, v, field)
		default:
			s, ok := p.scalar(v, field)
			if !ok {
				return
			}
			switch key {
			case "name":
				o.name, o.nameLine = strings.Join(strings.Fields(s), " "), v.Line
			case "inn":
				o.inn = s
				if err := match.ValidINN(s); err != nil {
					p.addf(v, field, "%v", err)
				}
			case "ogrn":
				o.ogrn = s
				if err := match.ValidOGRN(s); err != nil {
					p.addf(v, field, "%v", err)
				}
			case "address":
				o.address = s
			case "support_level":
				o.supportLevel = s
				if s != "" && p.levels != nil && !slices.Contains(p.levels, s) {
					p.addf(v, field, "unknown support level %q (configured: %s)", s, strings.Join(p.levels, ", "))
				}
			}
		}
	})
	if o.name == "" {
		p.addf(n, join(path, "name"), "missing: every organisation needs a name")
	}
	return o, true
}

func (p *importParser) domains(o *importOrg, v *yaml.Node, field string) {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for i, n := range items {
		f := field
		if v.Kind == yaml.SequenceNode {
			f = fmt.Sprintf("%s[%d]", field, i)
		}
		s, ok := p.scalar(n, f)
		if !ok || s == "" && v.Kind != yaml.SequenceNode {
			continue
		}
		d, err := match.OrgDomain(s)
		if err != nil {
			p.addf(n, f, "%v", err)
			continue
		}
		if _, dup := o.domainLines[d]; !dup {
			o.domains = append(o.domains, d)
			o.domainLines[d] = n.Line
		}
	}
}

func (p *importParser) users(o *importOrg, v *yaml.Node, field string) {
	if v.Kind != yaml.SequenceNode {
		p.addf(v, field, "expected a list of users")
		return
	}
	for i, n := range v.Content {
		path := fmt.Sprintf("%s[%d]", field, i)
		if n.Kind != yaml.MappingNode {
			p.addf(n, path, "expected a user (email, full_name, position, phone, role)")
			continue
		}
		u := importUser{line: n.Line, path: path}
		p.fields(n, path, []string{"email", "full_name", "position", "phone", "role"}, func(key string, v *yaml.Node) {
			f := join(path, key)
			s, ok := p.scalar(v, f)
			if !ok {
				return
			}
			switch key {
			case "email":
				if s == "" {
					return
				}
				e, err := match.NormalizeEmail(s)
				if err != nil {
					p.addf(v, f, "%v", err)
				}
				u.email = e
			case "full_name":
				u.fullName = strings.Join(strings.Fields(s), " ")
			case "position":
				u.position = s
			case "phone":
				u.phone = s
			case "role":
				u.role = s
				if err := match.ValidRole(s); err != nil {
					p.addf(v, f, "%v", err)
				}
			}
		})
		if u.email == "" && !p.reported(join(path, "email")) {
			p.addf(n, join(path, "email"), "missing")
		}
		if u.fullName == "" {
			p.addf(n, join(path, "full_name"), "missing: the regulations require the person's full name")
		}
		o.users = append(o.users, u)
	}
}

// reported tells whether a problem with field was already noted (to not
// report a bad e-mail address again as a missing one).
func (p *importParser) reported(field string) bool {
	for _, q := range p.problems {
		if q.field == field {
			return true
		}
	}
	return false
}

// crossCheck finds what is wrong only across organisations: the same INN,
// name, domain or user twice.
func (p *importParser) crossCheck(orgs []importOrg) {
	inns, names, domains, emails := map[string]importOrg{}, map[string]importOrg{}, map[string]importOrg{}, map[string]importUser{}
	for _, o := range orgs {
		if o.inn != "" {
			if prev, dup := inns[o.inn]; dup {
				p.problems = append(p.problems, Problem{o.line, join(o.path, "inn"),
					fmt.Sprintf("INN %s is also given for %s (line %d)", o.inn, prev.path, prev.line)})
			}
			inns[o.inn] = o
		} else if o.name != "" {
			if prev, dup := names[o.name]; dup {
				p.problems = append(p.problems, Problem{o.nameLine, join(o.path, "name"),
					fmt.Sprintf("%q is also listed as %s (line %d); give each an inn to tell them apart", o.name, prev.path, prev.line)})
			}
			names[o.name] = o
		}
		for _, d := range o.domains {
			if prev, dup := domains[d]; dup {
				p.problems = append(p.problems, Problem{o.domainLines[d], join(o.path, "domains"),
					fmt.Sprintf("domain %s is also listed for %s (line %d): a domain belongs to one organisation", d, prev.path, prev.domainLines[d])})
				continue
			}
			domains[d] = o
		}
		for _, u := range o.users {
			if u.email == "" {
				continue
			}
			if prev, dup := emails[u.email]; dup {
				p.problems = append(p.problems, Problem{u.line, join(u.path, "email"),
					fmt.Sprintf("%s is also listed as %s (line %d)", u.email, prev.path, prev.line)})
				continue
			}
			emails[u.email] = u
		}
	}
}

// ImportSummary counts what an import did.
type ImportSummary struct {
	OrgsCreated    int `json:"organisations_created"`
	OrgsUpdated    int `json:"organisations_updated"`
	OrgsUnchanged  int `json:"organisations_unchanged"`
	UsersCreated   int `json:"users_created"`
	UsersUpdated   int `json:"users_updated"`
	UsersUnchanged int `json:"users_unchanged"`
	// Contractors (the file's contractors: list, contractors.go).
	ContractorsCreated int `json:"contractors_created"`
	ContractorsUpdated int `json:"contractors_updated"`
}

func (s ImportSummary) String() string {
	return fmt.Sprintf("organisations: %d created, %d updated, %d unchanged; users: %d created, %d updated, %d unchanged",
		s.OrgsCreated, s.OrgsUpdated, s.OrgsUnchanged, s.UsersCreated, s.UsersUpdated, s.UsersUnchanged) +
		contractorSummary(s)
}

func contractorSummary(s ImportSummary) string {
	if s.ContractorsCreated+s.ContractorsUpdated == 0 {
		return ""
	}
	return fmt.Sprintf("; contractors: %d created, %d updated", s.ContractorsCreated, s.ContractorsUpdated)
}

// ProblemsError reports every problem of a file at once.
type ProblemsError struct {
	file     string
	problems []Problem
}

func (e *ProblemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s), nothing imported:", e.file, len(e.problems))
	for _, p := range e.problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// applyDirectory writes validated organisations and their users in tx: an
// organisation is matched by MatchOrg (INN, else folded name); a user by e-mail. Fields the
// file leaves empty keep their stored values; domains are added, never
// removed. Conflicts with the database are all reported before anything is
// written (the caller rolls back on error).
func applyDirectory(ctx context.Context, tx *store.Tx, file string, orgs []importOrg, actor string, now time.Time) (ImportSummary, error) {
	var sum ImportSummary
	targets, problems, err := resolveOrgs(ctx, tx, orgs)
	if err != nil {
		return sum, err
	}
	if len(problems) > 0 {
		return sum, &ProblemsError{file: file, problems: problems}
	}
	for i, o := range orgs {
		id, err := upsertOrg(ctx, tx, o, targets[i], actor, now, &sum)
		if err != nil {
			return sum, fmt.Errorf("%s: line %d: %w", file, o.line, err)
		}
		for _, iu := range o.users {
			if err := upsertImportedUser(ctx, tx, iu, id, actor, now, &sum); err != nil {
				return sum, fmt.Errorf("%s: line %d: %w", file, iu.line, err)
			}
		}
	}
	detail, err := json.Marshal(struct {
		File string `json:"file"`
		ImportSummary
	}{file, sum})
	if err != nil {
		return sum, err
	}
	return sum, tx.AddEvent(ctx, 0, now.UTC(), "directory_imported", actor, string(detail))
}

// keepUnlessGiven overwrites *dst with a value the file gives (not empty).
func keepUnlessGiven(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// resolveOrgs finds the stored organisation of each entry (nil: new) and
// every conflict with what is stored.
func resolveOrgs(ctx context.Context, tx *store.Tx, orgs []importOrg) ([]*store.Org, []Problem, error) {
	targets := make([]*store.Org, len(orgs))
	var problems []Problem
	claimed := map[int64]importOrg{}
	for i, o := range orgs {
		cur, err := MatchOrg(ctx, tx, o.inn, o.name)
		var amb *AmbiguousError
		if errors.As(err, &amb) {
			problems = append(problems, Problem{o.nameLine, join(o.path, "name"), amb.Error()})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if cur != nil {
			if prev, dup := claimed[cur.ID]; dup {
				problems = append(problems, Problem{o.line, o.path,
					fmt.Sprintf("is the same stored organisation #%d as %s (line %d)", cur.ID, prev.path, prev.line)})
			}
			claimed[cur.ID] = o
		}
		targets[i] = cur
		for _, d := range o.domains {
			owner, err := tx.OrgByDomain(ctx, d)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			if slices.Contains(owner.Domains, d) && (cur == nil || owner.ID != cur.ID) {
				problems = append(problems, Problem{o.domainLines[d], join(o.path, "domains"),
					fmt.Sprintf("domain %s already belongs to organisation #%d %q", d, owner.ID, owner.Name)})
			}
		}
	}
	return targets, problems, nil
}

func upsertOrg(ctx context.Context, tx *store.Tx, o importOrg, cur *store.Org, actor string, now time.Time, sum *ImportSummary) (int64, error) {
	if cur == nil {
		n := store.Org{Name: o.name, INN: o.inn, OGRN: o.ogrn, Address: o.address, SupportLevel: o.supportLevel, Domains: o.domains}
		if err := tx.CreateOrg(ctx, &n, actor, now); err != nil {
			return 0, err
		}
		sum.OrgsCreated++
		return n.ID, nil
	}
	m := *cur
	m.Domains = slices.Clone(cur.Domains)
	keepUnlessGiven(&m.Name, o.name)
	keepUnlessGiven(&m.INN, o.inn)
	keepUnlessGiven(&m.OGRN, o.ogrn)
	keepUnlessGiven(&m.Address, o.address)
	keepUnlessGiven(&m.SupportLevel, o.supportLevel)
	for _, d := range o.domains {
		if !slices.Contains(m.Domains, d) {
			m.Domains = append(m.Domains, d)
		}
	}
	slices.Sort(m.Domains)
	if m.Name == cur.Name && m.INN == cur.INN && m.OGRN == cur.OGRN && m.Address == cur.Address &&
		m.SupportLevel == cur.SupportLevel && slices.Equal(m.Domains, cur.Domains) {
		sum.OrgsUnchanged++
		return cur.ID, nil
	}
	if err := tx.UpdateOrg(ctx, &m, actor, now); err != nil {
		return 0, err
	}
	sum.OrgsUpdated++
	return cur.ID, nil
}

func upsertImportedUser(ctx context.Context, tx *store.Tx, iu importUser, orgID int64, actor string, now time.Time, sum *ImportSummary) error {
	org := sql.NullInt64{Int64: orgID, Valid: true}
	cur, err := tx.UserByEmail(ctx, iu.email)
	if errors.Is(err, store.ErrNotFound) {
		u := store.User{Email: iu.email, FullName: iu.fullName, Position: iu.position, Phone: iu.phone,
			OrgID: org, Role: iu.role, Confirmed: true}
		if _, err := tx.UpsertUser(ctx, &u, actor, now); err != nil {
			return err
		}
		sum.UsersCreated++
		return nil
	}
	if err != nil {
		return err
	}
	m := *cur
	keepUnlessGiven(&m.FullName, iu.fullName)
	keepUnlessGiven(&m.Position, iu.position)
	keepUnlessGiven(&m.Phone, iu.phone)
	keepUnlessGiven(&m.Role, iu.role)
	m.OrgID, m.Confirmed = org, true
	if m.FullName == cur.FullName && m.Position == cur.Position && m.Phone == cur.Phone && m.Role == cur.Role &&
		m.OrgID == cur.OrgID && cur.Confirmed && !cur.SelfIdentified {
		sum.UsersUnchanged++
		return nil
	}
	if _, err := tx.UpsertUser(ctx, &m, actor, now, store.MoveOrg, store.SetRole); err != nil {
		return err
	}
	sum.UsersUpdated++
	return nil
}
