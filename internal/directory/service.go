package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/directory/match"
	"github.com/otvet/otvet/internal/store"
)

// Service runs the directory's operations. Each opens its own store
// transaction; the store records every change as an audit event by Actor.
type Service struct {
	DB *store.DB
	// Levels are the configured support levels. An organisation added or
	// changed needs one of them; an import accepts any level when there are
	// none (nil).
	Levels []string
	// DisabledStaff are the addresses the configuration lists with
	// active: false: they are disabled again at every start.
	DisabledStaff []string
	// Actor names who changes the directory in the audit ("cli", "cli:USER").
	Actor string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// ErrBadInput marks a request that is wrong in itself (a bad address, an
// unknown support level): the command line reports it as a usage error.
var ErrBadInput = errors.New("bad input")

// inputError is an ErrBadInput with its own message.
type inputError struct{ msg string }

func (e inputError) Error() string        { return e.msg }
func (e inputError) Is(target error) bool { return target == ErrBadInput }

func badInput(format string, a ...any) error { return inputError{fmt.Sprintf(format, a...)} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// CheckLevel accepts an empty level or a configured one.
func (s *Service) CheckLevel(level string) error {
	if level == "" || slices.Contains(s.Levels, level) {
		return nil
	}
	return badInput("unknown support level %q (configured: %s)", level, strings.Join(s.Levels, ", "))
}

// ---- import ----

// errDryRun rolls back a dry-run import.
var errDryRun = errors.New("dry run")

// Import reads a directory file (docs/directory.md) and writes it in one
// transaction, or with dryRun checks it against the database and writes
// nothing. Every problem of the file, or of the file against the database,
// is reported at once as a *ProblemsError.
func (s *Service) Import(ctx context.Context, file string, data []byte, dryRun bool) (ImportSummary, error) {
	orgs, problems := parseFile(data, s.Levels)
	if len(problems) > 0 {
		return ImportSummary{}, &ProblemsError{file: file, problems: problems}
	}
	contractors, err := parseContractors(data)
	if err != nil {
		return ImportSummary{}, fmt.Errorf("import %s: %w", file, err)
	}
	var sum ImportSummary
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		sum, err = applyDirectory(ctx, tx, file, orgs, s.Actor, s.now())
		if err == nil {
			sum.ContractorsCreated, sum.ContractorsUpdated, err = s.importContractors(ctx, tx, contractors)
		}
		if err == nil && dryRun {
			return errDryRun
		}
		return err
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return ImportSummary{}, fmt.Errorf("import %s: %w", file, err)
	}
	return sum, nil
}

// ---- organisations ----

// FindOrg reads an organisation by ID or INN ("#3", "3", "6670000004").
func (s *Service) FindOrg(ctx context.Context, ref string) (*store.Org, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	if ref != "" && match.ValidINN(ref) == nil {
		o, err := s.DB.OrgByINN(ctx, ref)
		if !errors.Is(err, store.ErrNotFound) {
			return o, err
		}
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return nil, badInput("%q is neither an organisation id nor an INN", ref)
	}
	o, err := s.DB.OrgByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("organisation %s does not exist", ref)
	}
	return o, err
}

// AddOrg creates an organisation and sets o.ID.
func (s *Service) AddOrg(ctx context.Context, o *store.Org) error {
	if strings.TrimSpace(o.Name) == "" {
		return badInput("the organisation needs a name")
	}
	if err := s.CheckLevel(o.SupportLevel); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *store.Tx) error { return tx.CreateOrg(ctx, o, s.Actor, s.now()) })
}

// OrgChange is what UpdateOrg changes: the fields that are not nil, and
// domains added and removed.
type OrgChange struct {
	Name, INN, OGRN, Address, SupportLevel *string
	AddDomains, RemoveDomains              []string
}

func (c OrgChange) empty() bool {
	return c.Name == nil && c.INN == nil && c.OGRN == nil && c.Address == nil && c.SupportLevel == nil &&
		len(c.AddDomains) == 0 && len(c.RemoveDomains) == 0
}

// UpdateOrg changes the organisation ref names (ID or INN). Removing a
// domain it does not have is an error.
func (s *Service) UpdateOrg(ctx context.Context, ref string, c OrgChange) (*store.Org, error) {
	if c.empty() {
		return nil, badInput("nothing to change")
	}
	if c.SupportLevel != nil {
		if err := s.CheckLevel(*c.SupportLevel); err != nil {
			return nil, err
		}
	}
	o, err := s.FindOrg(ctx, ref)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ dst, v *string }{
		{&o.Name, c.Name}, {&o.INN, c.INN}, {&o.OGRN, c.OGRN}, {&o.Address, c.Address}, {&o.SupportLevel, c.SupportLevel},
	} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	o.Domains = append(o.Domains, c.AddDomains...)
	for _, r := range c.RemoveDomains {
		rd, err := match.NormalizeDomain(r)
		if err != nil {
			return nil, badInput("remove domain: %v", err)
		}
		i := slices.Index(o.Domains, rd)
		if i < 0 {
			return nil, fmt.Errorf("organisation #%d has no domain %s", o.ID, rd)
		}
		o.Domains = slices.Delete(o.Domains, i, i+1)
	}
	if err := s.DB.Tx(ctx, func(tx *store.Tx) error { return tx.UpdateOrg(ctx, o, s.Actor, s.now()) }); err != nil {
		return nil, err
	}
	return o, nil
}

// SetOrgBlocked blocks (with a reason) or unblocks an organisation.
func (s *Service) SetOrgBlocked(ctx context.Context, ref string, block bool, reason string) (*store.Org, error) {
	if block && strings.TrimSpace(reason) == "" {
		return nil, badInput("a block needs a reason")
	}
	o, err := s.FindOrg(ctx, ref)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error { return tx.SetOrgBlocked(ctx, o.ID, block, reason, s.Actor, s.now()) })
	return o, err
}

// ---- users ----

// AddUser creates a confirmed user (an existing address is an error) and sets u.ID.
func (s *Service) AddUser(ctx context.Context, u *store.User) error {
	email, err := match.NormalizeEmail(u.Email)
	if err != nil {
		return badInput("%v", err)
	}
	if strings.TrimSpace(u.FullName) == "" {
		return badInput("the user needs a full name")
	}
	if u.Role == "" {
		u.Role = store.RoleUser
	}
	if err := match.ValidRole(u.Role); err != nil {
		return badInput("%v", err)
	}
	u.Email, u.Confirmed = email, true
	return s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.UserByEmail(ctx, email); err == nil {
			return fmt.Errorf("user %s already exists (see otvet user show %s)", email, email)
		}
		_, err := tx.UpsertUser(ctx, u, s.Actor, s.now())
		return err
	})
}

// UserChange is what UpdateUser changes: the fields that are not nil.
type UserChange struct {
	Email, FullName, Position, Phone, Systems *string
}

func (c UserChange) empty() bool {
	return c.Email == nil && c.FullName == nil && c.Position == nil && c.Phone == nil && c.Systems == nil
}

// UpdateUser changes the user of address email: a new address (the person's
// mailbox was renamed: user_email_changed), full name, position, phone or
// systems (user_updated with the changes), in one transaction. The user's
// organisation, role, confirmation and block stay as they are; tickets keep
// the addresses they were written from.
func (s *Service) UpdateUser(ctx context.Context, email string, c UserChange) (*store.User, error) {
	if c.empty() {
		return nil, badInput("nothing to change")
	}
	old, err := match.NormalizeEmail(email)
	if err != nil {
		return nil, badInput("%v", err)
	}
	newEmail := old
	if c.Email != nil {
		if newEmail, err = match.NormalizeEmail(*c.Email); err != nil {
			return nil, badInput("new address: %v", err)
		}
	}
	if c.FullName != nil && strings.TrimSpace(*c.FullName) == "" {
		return nil, badInput("the user needs a full name")
	}
	var u store.User
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		cur, err := tx.UserByEmail(ctx, old)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user %s does not exist", old)
		} else if err != nil {
			return err
		}
		if newEmail != old {
			if err := tx.ChangeUserEmail(ctx, old, newEmail, s.Actor, s.now()); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return fmt.Errorf("%s is the address of another user (otvet user show %s)", newEmail, newEmail)
				}
				return err
			}
		}
		u = *cur
		u.Email = newEmail
		u.Confirmed = false // keep the confirmation as it is (a confirmed upsert would confirm)
		for _, f := range []struct{ dst, v *string }{
			{&u.FullName, c.FullName}, {&u.Position, c.Position}, {&u.Phone, c.Phone}, {&u.Systems, c.Systems},
		} {
			if f.v != nil {
				*f.dst = *f.v
			}
		}
		_, err = tx.UpsertUser(ctx, &u, s.Actor, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// SetUserBlocked blocks (with a reason) or unblocks a user.
func (s *Service) SetUserBlocked(ctx context.Context, email string, block bool, reason string) error {
	if block && strings.TrimSpace(reason) == "" {
		return badInput("a block needs a reason")
	}
	err := s.DB.Tx(ctx, func(tx *store.Tx) error { return tx.SetUserBlocked(ctx, email, block, reason, s.Actor, s.now()) })
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user %s does not exist", email)
	}
	return err
}

// ConfirmUser marks a self-identified user as vouched for.
func (s *Service) ConfirmUser(ctx context.Context, email string) error {
	err := s.DB.Tx(ctx, func(tx *store.Tx) error { return tx.ConfirmUser(ctx, email, s.Actor, s.now()) })
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user %s does not exist", email)
	}
	return err
}

// Category selects users to block or unblock together (e.g. after
// unauthorised access): of an organisation, with a role, not confirmed;
// the criteria given all apply.
type Category struct {
	Org         int64
	Role        string
	Unconfirmed bool
}

// Any tells whether the category names anything.
func (c Category) Any() bool { return c.Org != 0 || c.Role != "" || c.Unconfirmed }

// Match tells whether u is of the category.
func (c Category) Match(u store.User) bool {
	return (c.Org == 0 || u.OrgID.Int64 == c.Org) && (c.Role == "" || u.Role == c.Role) && (!c.Unconfirmed || !u.Confirmed)
}

// BlockCategory blocks (or unblocks) every user of a category in one
// transaction and returns how many changed.
func (s *Service) BlockCategory(ctx context.Context, c Category, block bool, reason string) (int, error) {
	if c.Role != "" && match.ValidRole(c.Role) != nil {
		return 0, badInput("role %q: use %s or %s", c.Role, store.RoleUser, store.RoleHead)
	}
	if !c.Any() {
		return 0, badInput("no category: give an organisation, a role or unconfirmed")
	}
	if block && strings.TrimSpace(reason) == "" {
		return 0, badInput("a block needs a reason")
	}
	users, err := s.DB.ListUsers(ctx, c.Org)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		n = 0
		for _, u := range users {
			if !c.Match(u) || u.Blocked == block {
				continue
			}
			if err := tx.SetUserBlocked(ctx, u.Email, block, reason, s.Actor, s.now()); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ---- everyone ----

// SetAllBlocked turns "refuse everyone" on (with a reason) or off.
func (s *Service) SetAllBlocked(ctx context.Context, block bool, reason string) error {
	if block && strings.TrimSpace(reason) == "" {
		return badInput("a block needs a reason")
	}
	return s.DB.Tx(ctx, func(tx *store.Tx) error { return tx.SetAllBlocked(ctx, block, reason, s.Actor, s.now()) })
}

// Status counts the directory.
type Status struct {
	AllBlocked          bool
	AllReason           string
	Orgs, BlockedOrgs   int
	Users, BlockedUsers int
}

// Status reports the block on everyone and how many organisations and users
// there are and are blocked.
func (s *Service) Status(ctx context.Context) (Status, error) {
	var st Status
	if err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		st.AllBlocked, st.AllReason, err = tx.AllBlocked(ctx)
		return err
	}); err != nil {
		return st, err
	}
	orgs, err := s.DB.ListOrgs(ctx)
	if err != nil {
		return st, err
	}
	us, err := s.DB.ListUsers(ctx, 0)
	if err != nil {
		return st, err
	}
	st.Orgs, st.Users = len(orgs), len(us)
	for _, o := range orgs {
		if o.Blocked {
			st.BlockedOrgs++
		}
	}
	for _, u := range us {
		if u.Blocked {
			st.BlockedUsers++
		}
	}
	return st, nil
}

// ---- staff ----

// disabledByConfig refuses to activate a member the configuration lists
// with active: false: every start would disable them again.
func (s *Service) disabledByConfig(email string) error {
	for _, d := range s.DisabledStaff {
		if strings.EqualFold(d, strings.TrimSpace(email)) {
			return fmt.Errorf("%s is listed with active: false in the configuration, which disables them at every start: "+
				"remove that line (or set active: true) first", d)
		}
	}
	return nil
}

// AddStaff creates or updates an active staff member.
func (s *Service) AddStaff(ctx context.Context, m *store.Staff) error {
	if strings.TrimSpace(m.Email) == "" {
		return badInput("a staff member needs an e-mail address")
	}
	if err := s.disabledByConfig(m.Email); err != nil {
		return err
	}
	m.Active = true
	return s.DB.Tx(ctx, func(tx *store.Tx) error { return tx.UpsertStaff(ctx, m, "cli", s.now()) })
}

// RevokeStaffTokens invalidates every reply token issued to a staff member
// so far (a lost laptop, a leaked mailbox): a reply to any notification they
// received before is refused as a security event, while their account is
// unchanged, so an active agent goes on with the next notification on each
// ticket (signed with a fresh token epoch). It returns the number of tickets
// whose tokens were revoked and records a staff_tokens_revoked audit event.
func (s *Service) RevokeStaffTokens(ctx context.Context, email string) (int64, error) {
	actor := s.Actor
	if actor == "" {
		actor = "cli"
	}
	var n int64
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		m, err := tx.StaffByEmail(ctx, email)
		if err != nil {
			return err
		}
		now := s.now()
		if n, err = tx.RevokeAgentTokens(ctx, m.Email, now); err != nil {
			return err
		}
		return tx.AddEvent(ctx, 0, now, "staff_tokens_revoked", actor, fmt.Sprintf("%s: reply tokens of %d ticket(s)", m.Email, n))
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, badInput("%s is not a staff member", strings.TrimSpace(email))
	}
	return n, err
}

// SetStaffActive enables or disables a staff member.
func (s *Service) SetStaffActive(ctx context.Context, email string, active bool) (*store.Staff, error) {
	if active {
		if err := s.disabledByConfig(email); err != nil {
			return nil, err
		}
	}
	var m *store.Staff
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		found, err := tx.StaffByEmail(ctx, email)
		if err != nil {
			return err
		}
		m = found
		m.Active = active
		return tx.UpsertStaff(ctx, m, "cli", s.now())
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%s is not a staff member", email)
	}
	return m, err
}
