package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/directory/match"
)

// Org is a client organisation.
type Org struct {
	ID           int64  `db:"id"`
	Name         string `db:"name"`
	INN          string `db:"inn"`
	OGRN         string `db:"ogrn"`
	Address      string `db:"address"`
	SupportLevel string `db:"support_level"`
	Blocked      bool   `db:"blocked"`
	BlockReason  string `db:"block_reason"`
	// Domains are the organisation's mail domains (lower-case, IDNs in
	// punycode), filled by reads and written by CreateOrg and UpdateOrg.
	Domains   []string  `db:"-"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// User roles.
const (
	RoleUser = match.RoleUser
	RoleHead = match.RoleHead // the head of an organisation: may speak for it
)

// User is a registered person who may write to support.
type User struct {
	ID       int64  `db:"id"`
	Email    string `db:"email"`
	FullName string `db:"full_name"`
	Position string `db:"position"`
	Phone    string `db:"phone"`
	// Department, Systems, Rights and Account: what the person was given
	// access to, from the connection request that registered them.
	Department  string        `db:"department"`
	Systems     string        `db:"systems"`
	Rights      string        `db:"rights"`
	Account     string        `db:"account"`
	OrgID       sql.NullInt64 `db:"org_id"`
	Role        string        `db:"role"`
	Blocked     bool          `db:"blocked"`
	BlockReason string        `db:"block_reason"`
	// SelfIdentified: the person introduced themselves by mail; Confirmed:
	// the operator vouches for them. Users the operator adds are confirmed.
	SelfIdentified bool      `db:"self_identified"`
	Confirmed      bool      `db:"confirmed"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

// ErrConflict is returned when a change would break a uniqueness rule of the
// directory (an INN, a domain or an e-mail address taken by another row).
var ErrConflict = errors.New("conflict")

const orgCols = `id, name, inn, ogrn, address, support_level, blocked, block_reason, created_at, updated_at`

const userCols = `id, email, full_name, position, phone, department, systems, rights, account, org_id, role, blocked, block_reason,
	self_identified, confirmed, created_at, updated_at`

// Settings keys of the "block everyone" switch.
const (
	settingAllBlocked       = "all_blocked"
	settingAllBlockedReason = "all_blocked_reason"
)

// normalizeOrg checks and canonicalises an organisation's fields.
func normalizeOrg(o *Org) error {
	o.Name = strings.TrimSpace(o.Name)
	o.INN = strings.TrimSpace(o.INN)
	o.OGRN = strings.TrimSpace(o.OGRN)
	o.Address = strings.TrimSpace(o.Address)
	o.SupportLevel = strings.TrimSpace(o.SupportLevel)
	var errs []error
	if o.Name == "" {
		errs = append(errs, errors.New("name: empty"))
	}
	if err := ValidINN(o.INN); err != nil {
		errs = append(errs, fmt.Errorf("inn: %w", err))
	}
	if err := ValidOGRN(o.OGRN); err != nil {
		errs = append(errs, fmt.Errorf("ogrn: %w", err))
	}
	var ds []string
	for _, d := range o.Domains {
		n, err := OrgDomain(d)
		if err != nil {
			errs = append(errs, fmt.Errorf("domain: %w", err))
			continue
		}
		ds = append(ds, n)
	}
	slices.Sort(ds)
	o.Domains = slices.Compact(ds)
	return errors.Join(errs...)
}

// checkOrgUnique refuses an INN or a domain that another organisation holds.
func (t *Tx) checkOrgUnique(ctx context.Context, o *Org) error {
	if o.INN != "" {
		var other int64
		err := t.get(ctx, &other, `SELECT id FROM organisations WHERE inn = ? AND inn <> '' AND id <> ?`, o.INN, o.ID)
		if err == nil {
			return fmt.Errorf("%w: INN %s belongs to organisation #%d", ErrConflict, o.INN, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	for _, d := range o.Domains {
		var other int64
		err := t.get(ctx, &other, `SELECT org_id FROM org_domains WHERE domain = ?`, d)
		if err == nil && other != o.ID {
			return fmt.Errorf("%w: domain %s belongs to organisation #%d", ErrConflict, d, other)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return nil
}

// CreateOrg inserts an organisation with its domains, sets o.ID and records org_added.
func (t *Tx) CreateOrg(ctx context.Context, o *Org, actor string, now time.Time) error {
	if err := normalizeOrg(o); err != nil {
		return fmt.Errorf("create organisation: %w", err)
	}
	o.ID = 0
	if err := t.checkOrgUnique(ctx, o); err != nil {
		return fmt.Errorf("create organisation: %w", err)
	}
	now = now.UTC()
	id, err := t.insertID(ctx, `INSERT INTO organisations (name, inn, ogrn, address, support_level, blocked, block_reason,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.Name, o.INN, o.OGRN, o.Address, o.SupportLevel, o.Blocked, o.BlockReason, now, now)
	if err != nil {
		return fmt.Errorf("create organisation: %w", err)
	}
	o.ID, o.CreatedAt, o.UpdatedAt = id, now, now
	for _, d := range o.Domains {
		if _, err := t.exec(ctx, `INSERT INTO org_domains (domain, org_id) VALUES (?, ?)`, d, id); err != nil {
			return fmt.Errorf("create organisation: domain %s: %w", d, err)
		}
	}
	return t.audit(ctx, now, "org_added", actor, map[string]any{
		"org": id, "name": o.Name, "inn": o.INN, "ogrn": o.OGRN, "address": o.Address,
		"support_level": o.SupportLevel, "domains": o.Domains,
	})
}

// UpdateOrg replaces the organisation's fields and domain list with o's
// (blocking is left to SetOrgBlocked) and records org_updated with what
// changed. Nothing is written when nothing changed.
func (t *Tx) UpdateOrg(ctx context.Context, o *Org, actor string, now time.Time) error {
	if err := normalizeOrg(o); err != nil {
		return fmt.Errorf("update organisation #%d: %w", o.ID, err)
	}
	cur, err := t.OrgByID(ctx, o.ID)
	if err != nil {
		return fmt.Errorf("update organisation #%d: %w", o.ID, err)
	}
	if err := t.checkOrgUnique(ctx, o); err != nil {
		return fmt.Errorf("update organisation #%d: %w", o.ID, err)
	}
	ch := changes{}
	ch.add("name", cur.Name, o.Name)
	ch.add("inn", cur.INN, o.INN)
	ch.add("ogrn", cur.OGRN, o.OGRN)
	ch.add("address", cur.Address, o.Address)
	ch.add("support_level", cur.SupportLevel, o.SupportLevel)
	if !slices.Equal(cur.Domains, o.Domains) {
		ch["domains"] = [2]any{cur.Domains, o.Domains}
	}
	o.Blocked, o.BlockReason, o.CreatedAt, o.UpdatedAt = cur.Blocked, cur.BlockReason, cur.CreatedAt, cur.UpdatedAt
	if len(ch) == 0 {
		return nil
	}
	now = now.UTC()
	if _, err := t.exec(ctx, `UPDATE organisations SET name = ?, inn = ?, ogrn = ?, address = ?, support_level = ?,
		updated_at = ? WHERE id = ?`, o.Name, o.INN, o.OGRN, o.Address, o.SupportLevel, now, o.ID); err != nil {
		return fmt.Errorf("update organisation #%d: %w", o.ID, err)
	}
	o.UpdatedAt = now
	for _, d := range cur.Domains {
		if !slices.Contains(o.Domains, d) {
			if _, err := t.exec(ctx, `DELETE FROM org_domains WHERE domain = ?`, d); err != nil {
				return fmt.Errorf("update organisation #%d: %w", o.ID, err)
			}
		}
	}
	for _, d := range o.Domains {
		if !slices.Contains(cur.Domains, d) {
			if _, err := t.exec(ctx, `INSERT INTO org_domains (domain, org_id) VALUES (?, ?)`, d, o.ID); err != nil {
				return fmt.Errorf("update organisation #%d: domain %s: %w", o.ID, d, err)
			}
		}
	}
	return t.audit(ctx, now, "org_updated", actor, map[string]any{"org": o.ID, "name": o.Name, "changes": ch})
}

// SetOrgBlocked blocks (with a reason) or unblocks an organisation: mail from
// its people is refused. Setting the state it already has is a no-op.
func (t *Tx) SetOrgBlocked(ctx context.Context, id int64, blocked bool, reason, actor string, now time.Time) error {
	cur, err := t.OrgByID(ctx, id)
	if err != nil {
		return fmt.Errorf("organisation #%d: %w", id, err)
	}
	reason = strings.TrimSpace(reason)
	if !blocked {
		reason = ""
	}
	if cur.Blocked == blocked && cur.BlockReason == reason {
		return nil
	}
	now = now.UTC()
	if _, err := t.exec(ctx, `UPDATE organisations SET blocked = ?, block_reason = ?, updated_at = ? WHERE id = ?`,
		blocked, reason, now, id); err != nil {
		return fmt.Errorf("block organisation #%d: %w", id, err)
	}
	kind := "org_unblocked"
	if blocked {
		kind = "org_blocked"
	}
	return t.audit(ctx, now, kind, actor, map[string]any{"org": id, "name": cur.Name, "reason": reason})
}

// OrgByID reads an organisation with its domains.
func (t *Tx) OrgByID(ctx context.Context, id int64) (*Org, error) {
	var o Org
	if err := t.get(ctx, &o, `SELECT `+orgCols+` FROM organisations WHERE id = ?`, id); err != nil {
		return nil, notFound(err)
	}
	if err := t.sel(ctx, &o.Domains, `SELECT domain FROM org_domains WHERE org_id = ? ORDER BY domain`, id); err != nil {
		return nil, err
	}
	return &o, nil
}

// OrgByINN finds an organisation by its INN.
func (t *Tx) OrgByINN(ctx context.Context, inn string) (*Org, error) {
	var id int64
	inn = strings.TrimSpace(inn)
	if inn == "" {
		return nil, ErrNotFound
	}
	if err := t.get(ctx, &id, `SELECT id FROM organisations WHERE inn = ? AND inn <> ''`, inn); err != nil {
		return nil, notFound(err)
	}
	return t.OrgByID(ctx, id)
}

// OrgIDsByName lists the organisations called exactly name (names need not be unique).
func (t *Tx) OrgIDsByName(ctx context.Context, name string) ([]int64, error) {
	var ids []int64
	err := t.sel(ctx, &ids, `SELECT id FROM organisations WHERE name = ? ORDER BY id`, strings.TrimSpace(name))
	return ids, err
}

// OrgByDomain finds the organisation of a mail domain: the domain itself or,
// failing that, the nearest registered parent ("mail.school3.kgo66.ru" finds
// "school3.kgo66.ru"), never going above the registrable domain (so a public
// suffix such as "ru" or "com.ru" never matches).
func (t *Tx) OrgByDomain(ctx context.Context, domain string) (*Org, error) {
	cands := match.DomainCandidates(domain)
	if len(cands) == 0 {
		return nil, ErrNotFound
	}
	q, args, err := inQuery(`SELECT domain, org_id FROM org_domains WHERE domain IN (?)`, cands)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Domain string `db:"domain"`
		OrgID  int64  `db:"org_id"`
	}
	if err := t.sel(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("organisation by domain: %w", err)
	}
	best, bestLen := int64(0), -1
	for _, r := range rows {
		if len(r.Domain) > bestLen {
			best, bestLen = r.OrgID, len(r.Domain)
		}
	}
	if best == 0 {
		return nil, ErrNotFound
	}
	return t.OrgByID(ctx, best)
}

// UpsertOption widens what UpsertUser may change about an existing user.
type UpsertOption int

const (
	// MoveOrg lets an update move an existing user to another organisation.
	MoveOrg UpsertOption = iota + 1
	// SetRole lets an update change an existing user's role.
	SetRole
)

// ErrExplicitChoice is returned (wrapping ErrConflict) when an update would
// move a user to another organisation or change their role without the
// operator saying so (MoveOrg, SetRole).
var ErrExplicitChoice = fmt.Errorf("%w: needs the operator's explicit choice", ErrConflict)

// UpsertUser creates the user of u.Email or updates their name, position,
// phone, department, systems, rights and account (the blocking state is left
// to SetUserBlocked). An existing user keeps their organisation and role
// unless opts say otherwise: a different u.OrgID (for a user who already has
// an organisation) without MoveOrg, or a different non-empty u.Role without
// SetRole, is refused with ErrExplicitChoice; an empty u.Role keeps the
// stored one. A user without an organisation may be given one. On update a
// confirmed u confirms the stored user; an unconfirmed u never withdraws a
// confirmation. created reports an insert; u is filled from the stored row.
// An update that changes nothing writes nothing.
func (t *Tx) UpsertUser(ctx context.Context, u *User, actor string, now time.Time, opts ...UpsertOption) (created bool, err error) {
	email, err := NormalizeEmail(u.Email)
	if err != nil {
		return false, fmt.Errorf("user: %w", err)
	}
	u.Email = email
	u.FullName = strings.Join(strings.Fields(u.FullName), " ")
	u.Position, u.Phone = strings.TrimSpace(u.Position), strings.TrimSpace(u.Phone)
	u.Department, u.Systems = strings.TrimSpace(u.Department), strings.TrimSpace(u.Systems)
	u.Rights, u.Account = strings.TrimSpace(u.Rights), strings.TrimSpace(u.Account)
	if u.FullName == "" {
		return false, fmt.Errorf("user %s: full name: empty", email)
	}
	if u.Role != "" {
		if err := ValidRole(u.Role); err != nil {
			return false, fmt.Errorf("user %s: %w", email, err)
		}
	}
	if u.OrgID.Valid {
		if _, err := t.OrgByID(ctx, u.OrgID.Int64); err != nil {
			return false, fmt.Errorf("user %s: organisation #%d: %w", email, u.OrgID.Int64, err)
		}
	}
	now = now.UTC()
	cur, err := t.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		if u.Role == "" {
			u.Role = RoleUser
		}
		id, err := t.insertID(ctx, `INSERT INTO users (email, full_name, position, phone, department, systems, rights, account,
			org_id, role, blocked, block_reason, self_identified, confirmed, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Email, u.FullName, u.Position, u.Phone, u.Department, u.Systems, u.Rights, u.Account,
			u.OrgID, u.Role, u.Blocked, u.BlockReason, u.SelfIdentified, u.Confirmed, now, now)
		if err != nil {
			return false, fmt.Errorf("create user %s: %w", email, err)
		}
		u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
		detail := map[string]any{
			"user": id, "email": u.Email, "full_name": u.FullName, "position": u.Position, "phone": u.Phone,
			"org": nullable(u.OrgID), "role": u.Role, "self_identified": u.SelfIdentified, "confirmed": u.Confirmed,
		}
		for k, v := range map[string]string{"department": u.Department, "systems": u.Systems, "rights": u.Rights, "account": u.Account} {
			if v != "" {
				detail[k] = v
			}
		}
		return true, t.audit(ctx, now, "user_added", actor, detail)
	}
	if err != nil {
		return false, err
	}
	if u.Role == "" {
		u.Role = cur.Role
	}
	if cur.OrgID.Valid && u.OrgID != cur.OrgID && !slices.Contains(opts, MoveOrg) {
		return false, fmt.Errorf("user %s belongs to organisation #%d: moving them %w", email, cur.OrgID.Int64, ErrExplicitChoice)
	}
	if u.Role != cur.Role && !slices.Contains(opts, SetRole) {
		return false, fmt.Errorf("user %s is %s: changing the role to %s %w", email, cur.Role, u.Role, ErrExplicitChoice)
	}
	selfIdentified, confirmed := cur.SelfIdentified, cur.Confirmed
	if u.Confirmed {
		selfIdentified, confirmed = false, true
	}
	ch := changes{}
	ch.add("full_name", cur.FullName, u.FullName)
	ch.add("position", cur.Position, u.Position)
	ch.add("phone", cur.Phone, u.Phone)
	ch.add("department", cur.Department, u.Department)
	ch.add("systems", cur.Systems, u.Systems)
	ch.add("rights", cur.Rights, u.Rights)
	ch.add("account", cur.Account, u.Account)
	if cur.OrgID != u.OrgID {
		ch["org"] = [2]any{nullable(cur.OrgID), nullable(u.OrgID)}
	}
	ch.add("role", cur.Role, u.Role)
	if selfIdentified != cur.SelfIdentified || confirmed != cur.Confirmed {
		ch["confirmed"] = [2]any{cur.Confirmed, confirmed}
	}
	u.ID, u.Blocked, u.BlockReason, u.CreatedAt, u.UpdatedAt = cur.ID, cur.Blocked, cur.BlockReason, cur.CreatedAt, cur.UpdatedAt
	u.SelfIdentified, u.Confirmed = selfIdentified, confirmed
	if len(ch) == 0 {
		return false, nil
	}
	if _, err := t.exec(ctx, `UPDATE users SET full_name = ?, position = ?, phone = ?, department = ?, systems = ?, rights = ?,
		account = ?, org_id = ?, role = ?, self_identified = ?, confirmed = ?, updated_at = ? WHERE id = ?`,
		u.FullName, u.Position, u.Phone, u.Department, u.Systems, u.Rights, u.Account, u.OrgID, u.Role,
		selfIdentified, confirmed, now, cur.ID); err != nil {
		return false, fmt.Errorf("update user %s: %w", email, err)
	}
	u.UpdatedAt = now
	return false, t.audit(ctx, now, "user_updated", actor, map[string]any{"user": cur.ID, "email": email, "changes": ch})
}

// ChangeUserEmail gives an existing user a new address (a person's mailbox
// was renamed) and records user_email_changed. The new address must be free.
func (t *Tx) ChangeUserEmail(ctx context.Context, oldEmail, newEmail, actor string, now time.Time) error {
	cur, err := t.UserByEmail(ctx, oldEmail)
	if err != nil {
		return fmt.Errorf("user %s: %w", oldEmail, err)
	}
	n, err := NormalizeEmail(newEmail)
	if err != nil {
		return fmt.Errorf("user %s: %w", cur.Email, err)
	}
	if n == cur.Email {
		return nil
	}
	if other, err := t.UserByEmail(ctx, n); err == nil {
		return fmt.Errorf("%w: %s is already user #%d", ErrConflict, n, other.ID)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	now = now.UTC()
	if _, err := t.exec(ctx, `UPDATE users SET email = ?, updated_at = ? WHERE id = ?`, n, now, cur.ID); err != nil {
		return fmt.Errorf("change the address of user %s: %w", cur.Email, err)
	}
	return t.audit(ctx, now, "user_email_changed", actor, map[string]any{"user": cur.ID, "email": n, "old_email": cur.Email})
}

// UsersNamed lists the users of an organisation whose full name is name
// (compared with case, spaces and ё folded).
func (t *Tx) UsersNamed(ctx context.Context, orgID int64, name string) ([]User, error) {
	var us []User
	if err := t.sel(ctx, &us, `SELECT `+userCols+` FROM users WHERE org_id = ? ORDER BY id`, orgID); err != nil {
		return nil, fmt.Errorf("users named %q: %w", name, err)
	}
	want := FoldName(name)
	out := us[:0]
	for _, u := range us {
		if FoldName(u.FullName) == want {
			out = append(out, u)
		}
	}
	return out, nil
}

// FoldName is match.FoldName: the rule lives in internal/directory/match.
func FoldName(s string) string { return match.FoldName(s) }

// OrgIDsByFoldedName lists the organisations whose name folds (FoldName) to
// the same as name: «МБДОУ «Детский сад № 7»» finds «МБДОУ Детский сад №7».
func (t *Tx) OrgIDsByFoldedName(ctx context.Context, name string) ([]int64, error) {
	want := FoldName(name)
	if want == "" {
		return nil, nil
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := t.sel(ctx, &rows, `SELECT id, name FROM organisations ORDER BY id`); err != nil {
		return nil, fmt.Errorf("organisations by name: %w", err)
	}
	var ids []int64
	for _, r := range rows {
		if FoldName(r.Name) == want {
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}

// UserByEmail finds a user by address, ignoring case (and IDN spelling).
func (t *Tx) UserByEmail(ctx context.Context, email string) (*User, error) {
	n, err := NormalizeEmail(email)
	if err != nil {
		return nil, ErrNotFound
	}
	return one[User](ctx, t, `SELECT `+userCols+` FROM users WHERE email = ?`, n)
}

// SetUserBlocked blocks (with a reason) or unblocks a user. Setting the state
// they already have is a no-op.
func (t *Tx) SetUserBlocked(ctx context.Context, email string, blocked bool, reason, actor string, now time.Time) error {
	cur, err := t.UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("user %s: %w", email, err)
	}
	reason = strings.TrimSpace(reason)
	if !blocked {
		reason = ""
	}
	if cur.Blocked == blocked && cur.BlockReason == reason {
		return nil
	}
	now = now.UTC()
	if _, err := t.exec(ctx, `UPDATE users SET blocked = ?, block_reason = ?, updated_at = ? WHERE id = ?`,
		blocked, reason, now, cur.ID); err != nil {
		return fmt.Errorf("block user %s: %w", cur.Email, err)
	}
	kind := "user_unblocked"
	if blocked {
		kind = "user_blocked"
	}
	return t.audit(ctx, now, kind, actor, map[string]any{"user": cur.ID, "email": cur.Email, "reason": reason})
}

// ConfirmUser marks a (self-identified) user as vouched for by the operator.
func (t *Tx) ConfirmUser(ctx context.Context, email, actor string, now time.Time) error {
	cur, err := t.UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("user %s: %w", email, err)
	}
	if cur.Confirmed && !cur.SelfIdentified {
		return nil
	}
	now = now.UTC()
	if _, err := t.exec(ctx, `UPDATE users SET self_identified = ?, confirmed = ?, updated_at = ? WHERE id = ?`,
		false, true, now, cur.ID); err != nil {
		return fmt.Errorf("confirm user %s: %w", cur.Email, err)
	}
	return t.audit(ctx, now, "user_confirmed", actor, map[string]any{"user": cur.ID, "email": cur.Email})
}

// SetAllBlocked turns the operator's "refuse everyone" switch on (with a
// reason) or off. Setting the state it already has is a no-op.
func (t *Tx) SetAllBlocked(ctx context.Context, blocked bool, reason, actor string, now time.Time) error {
	cur, curReason, err := t.AllBlocked(ctx)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if !blocked {
		reason = ""
	}
	if cur == blocked && curReason == reason {
		return nil
	}
	v := "0"
	if blocked {
		v = "1"
	}
	for k, val := range map[string]string{settingAllBlocked: v, settingAllBlockedReason: reason} {
		if _, err := t.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, val); err != nil {
			return fmt.Errorf("block everyone: %w", err)
		}
	}
	kind := "all_unblocked"
	if blocked {
		kind = "all_blocked"
	}
	return t.audit(ctx, now.UTC(), kind, actor, map[string]any{"reason": reason})
}

// AllBlocked reports whether the operator refuses everyone, and why.
func (t *Tx) AllBlocked(ctx context.Context) (bool, string, error) {
	var rows []struct {
		Key   string `db:"key"`
		Value string `db:"value"`
	}
	if err := t.sel(ctx, &rows, `SELECT key, value FROM settings WHERE key IN (?, ?)`,
		settingAllBlocked, settingAllBlockedReason); err != nil {
		return false, "", fmt.Errorf("read settings: %w", err)
	}
	var blocked bool
	var reason string
	for _, r := range rows {
		switch r.Key {
		case settingAllBlocked:
			blocked = r.Value == "1"
		case settingAllBlockedReason:
			reason = r.Value
		}
	}
	if !blocked {
		reason = ""
	}
	return blocked, reason, nil
}

// Block scopes: why mail from an address is refused.
const (
	BlockNone = ""
	BlockAll  = "all"
	BlockOrg  = "organisation"
	BlockUser = "user"
)

// Block is the blocking verdict for a sender.
type Block struct {
	Scope  string // BlockNone, BlockAll, BlockOrg or BlockUser
	Reason string
}

// SenderBlock tells whether mail from email is refused: everyone blocked,
// then the user, then their organisation (see SenderOf).
func (t *Tx) SenderBlock(ctx context.Context, email string) (Block, error) {
	all, reason, err := t.AllBlocked(ctx)
	if err != nil {
		return Block{}, err
	}
	u, o, err := t.SenderOf(ctx, email)
	if err != nil {
		return Block{}, err
	}
	return BlockOf(all, reason, u, o), nil
}

// SenderOf finds who an address belongs to: the registered user (nil when
// unknown) and their organisation — the user's, or for an unknown user or one
// without an organisation, the organisation owning the address's domain (nil
// when none).
func (t *Tx) SenderOf(ctx context.Context, email string) (*User, *Org, error) {
	u, err := t.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		u = nil
	} else if err != nil {
		return nil, nil, err
	}
	var o *Org
	if u != nil && u.OrgID.Valid {
		o, err = t.OrgByID(ctx, u.OrgID.Int64)
	} else if at := strings.LastIndexByte(email, '@'); at >= 0 {
		o, err = t.OrgByDomain(ctx, email[at+1:])
	}
	if errors.Is(err, ErrNotFound) {
		o = nil
	} else if err != nil {
		return nil, nil, err
	}
	return u, o, nil
}

// BlockOf is the blocking verdict for a sender whose user and organisation
// are known (either may be nil): everyone, then the user, then the organisation.
func BlockOf(all bool, allReason string, u *User, o *Org) Block {
	switch {
	case all:
		return Block{Scope: BlockAll, Reason: allReason}
	case u != nil && u.Blocked:
		return Block{Scope: BlockUser, Reason: u.BlockReason}
	case o != nil && o.Blocked:
		return Block{Scope: BlockOrg, Reason: o.BlockReason}
	}
	return Block{}
}

// ListOrgs lists every organisation with its domains, by name.
func (db *DB) ListOrgs(ctx context.Context) ([]Org, error) {
	var os []Org
	if err := db.sel(ctx, &os, `SELECT `+orgCols+` FROM organisations ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	var ds []struct {
		Domain string `db:"domain"`
		OrgID  int64  `db:"org_id"`
	}
	if err := db.sel(ctx, &ds, `SELECT domain, org_id FROM org_domains ORDER BY domain`); err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	idx := make(map[int64]int, len(os))
	for i := range os {
		idx[os[i].ID] = i
	}
	for _, d := range ds {
		if i, ok := idx[d.OrgID]; ok {
			os[i].Domains = append(os[i].Domains, d.Domain)
		}
	}
	return os, nil
}

// ListUsers lists the users of an organisation (0: everyone), by address.
func (db *DB) ListUsers(ctx context.Context, orgID int64) ([]User, error) {
	var us []User
	var err error
	if orgID == 0 {
		err = db.sel(ctx, &us, `SELECT `+userCols+` FROM users ORDER BY email`)
	} else {
		err = db.sel(ctx, &us, `SELECT `+userCols+` FROM users WHERE org_id = ? ORDER BY email`, orgID)
	}
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// OrgByID reads an organisation with its domains.
func (db *DB) OrgByID(ctx context.Context, id int64) (o *Org, err error) {
	err = db.Tx(ctx, func(tx *Tx) error { o, err = tx.OrgByID(ctx, id); return err })
	return o, err
}

// OrgByINN finds an organisation by its INN.
func (db *DB) OrgByINN(ctx context.Context, inn string) (o *Org, err error) {
	err = db.Tx(ctx, func(tx *Tx) error { o, err = tx.OrgByINN(ctx, inn); return err })
	return o, err
}

// UserByEmail finds a user by address, ignoring case.
func (db *DB) UserByEmail(ctx context.Context, email string) (u *User, err error) {
	err = db.Tx(ctx, func(tx *Tx) error { u, err = tx.UserByEmail(ctx, email); return err })
	return u, err
}

// AuditKindsOnTickets are the events of a ticket that belong to the audit
// trail too: decisions about connection requests.
var AuditKindsOnTickets = []string{"registration_approved", "registration_rejected", "registration_edited"}

// AuditEvents lists the audit trail at or after since, oldest first: the
// events that are not about a ticket (the directory's changes) and the
// decisions about connection requests (AuditKindsOnTickets).
func (db *DB) AuditEvents(ctx context.Context, since time.Time) ([]Event, error) {
	var es []Event
	q, args, err := inQuery(`SELECT id, ticket_id, at, kind, actor, detail FROM events
		WHERE (ticket_id IS NULL OR kind IN (?)) AND at >= ? ORDER BY id`, AuditKindsOnTickets, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	err = db.sel(ctx, &es, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	return es, nil
}

// changes maps a field to its [old, new] values for an audit record.
type changes map[string]any

func (c changes) add(field, old, new string) {
	if old != new {
		c[field] = [2]string{old, new}
	}
}

func nullable(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}

// audit records a directory change (an event without a ticket).
func (t *Tx) audit(ctx context.Context, at time.Time, kind, actor string, detail map[string]any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", kind, err)
	}
	return t.AddEvent(ctx, 0, at, kind, actor, string(b))
}

// The pure rules of the directory live in internal/directory/match; these
// names are kept for the store's callers.

// NormalizeDomain is match.NormalizeDomain.
func NormalizeDomain(s string) (string, error) { return match.NormalizeDomain(s) }

// OrgDomain is match.OrgDomain: a domain an organisation may own.
func OrgDomain(s string) (string, error) { return match.OrgDomain(s) }

// PublicMailService is match.PublicMailService.
func PublicMailService(d string) bool { return match.PublicMailService(d) }

// NormalizeEmail is match.NormalizeEmail.
func NormalizeEmail(s string) (string, error) { return match.NormalizeEmail(s) }

// ValidINN is match.ValidINN.
func ValidINN(s string) error { return match.ValidINN(s) }

// ValidOGRN is match.ValidOGRN.
func ValidOGRN(s string) error { return match.ValidOGRN(s) }

// ValidRole is match.ValidRole.
func ValidRole(s string) error { return match.ValidRole(s) }
