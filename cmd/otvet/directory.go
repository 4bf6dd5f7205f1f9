package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/directory"
	"github.com/otvet/otvet/internal/store"
)

// The directory commands: org, user, directory (import, block-all,
// unblock-all, audit) and audit. Every change is recorded as an event
// without a ticket by the store; the actor is "cli", or "cli:$USER".

// dirCtx is an open directory command: the directory service over the
// configured database.
type dirCtx struct {
	db  *store.DB
	svc *directory.Service
	// loc is the first desk's zone: human output prints times in it and
	// times without an offset are read in it.
	loc *time.Location
}

// openDirectory opens the database for a directory command; only the database
// section of the configuration has to be valid.
func openDirectory(ctx context.Context, e *env, flagValue string) (*dirCtx, error) {
	db, c, err := openDBConfig(ctx, e, flagValue)
	if err != nil {
		return nil, err
	}
	svc := &directory.Service{DB: db, Actor: actorName(e)}
	for _, l := range c.SupportLevels {
		svc.Levels = append(svc.Levels, l.Name)
	}
	for _, m := range c.Staff {
		if m.Disabled() {
			svc.DisabledStaff = append(svc.DisabledStaff, m.Email)
		}
	}
	settings, err := app.LoadSettings(c, e.Log)
	if err != nil {
		db.Close()
		return nil, err
	}
	loc, _ := settings.Location("")
	return &dirCtx{db: db, svc: svc, loc: loc}, nil
}

// dirErr turns the directory's bad-input errors into usage errors (exit 2).
func dirErr(cmd string, err error) error {
	if errors.Is(err, directory.ErrBadInput) {
		return usagef("%s: %v", cmd, err)
	}
	return err
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// flagsFirst moves flags before positional arguments, so `org block 3
// --reason X` parses; it knows which flags of fs take a value.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append([]string{"--"}, append(pos, args[i+1:]...)...)
			break
		}
		if !strings.HasPrefix(a, "-") || len(a) == 1 {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

// orgJSON is the stable JSON form of an organisation.
type orgJSON struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	INN          string     `json:"inn,omitempty"`
	OGRN         string     `json:"ogrn,omitempty"`
	Address      string     `json:"address,omitempty"`
	SupportLevel string     `json:"support_level,omitempty"`
	Domains      []string   `json:"domains"`
	Blocked      bool       `json:"blocked"`
	BlockReason  string     `json:"block_reason,omitempty"`
	CreatedAt    string     `json:"created_at"`
	UpdatedAt    string     `json:"updated_at"`
	Users        []userJSON `json:"users,omitempty"`
}

// userJSON is the stable JSON form of a user.
type userJSON struct {
	ID             int64  `json:"id"`
	Email          string `json:"email"`
	FullName       string `json:"full_name"`
	Position       string `json:"position,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Department     string `json:"department,omitempty"`
	Systems        string `json:"systems,omitempty"`
	Rights         string `json:"rights,omitempty"`
	Account        string `json:"account,omitempty"`
	Org            int64  `json:"org,omitempty"`
	Role           string `json:"role"`
	Blocked        bool   `json:"blocked"`
	BlockReason    string `json:"block_reason,omitempty"`
	SelfIdentified bool   `json:"self_identified"`
	Confirmed      bool   `json:"confirmed"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

func toOrgJSON(o *store.Org) orgJSON {
	ds := o.Domains
	if ds == nil {
		ds = []string{}
	}
	return orgJSON{ID: o.ID, Name: o.Name, INN: o.INN, OGRN: o.OGRN, Address: o.Address, SupportLevel: o.SupportLevel,
		Domains: ds, Blocked: o.Blocked, BlockReason: o.BlockReason, CreatedAt: rfc3339(o.CreatedAt), UpdatedAt: rfc3339(o.UpdatedAt)}
}

func toUserJSON(u *store.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, FullName: u.FullName, Position: u.Position, Phone: u.Phone,
		Department: u.Department, Systems: u.Systems, Rights: u.Rights, Account: u.Account, Org: u.OrgID.Int64,
		Role: u.Role, Blocked: u.Blocked, BlockReason: u.BlockReason, SelfIdentified: u.SelfIdentified, Confirmed: u.Confirmed,
		CreatedAt: rfc3339(u.CreatedAt), UpdatedAt: rfc3339(u.UpdatedAt)}
}

func orgState(blocked bool, reason string) string {
	if blocked {
		return "blocked: " + reason
	}
	return "active"
}

func userState(u *store.User) string {
	switch {
	case u.Blocked:
		return "blocked: " + u.BlockReason
	case u.SelfIdentified || !u.Confirmed:
		return "unconfirmed"
	}
	return "active"
}

// ---- org ----

func orgAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "org add", "org add --name NAME [--inn INN] [--ogrn OGRN] [--address TEXT] [--domain D ...] [--level LEVEL]")
	cfg := configFlag(fs)
	var o store.Org
	fs.StringVar(&o.Name, "name", "", "the organisation's name (required)")
	fs.StringVar(&o.INN, "inn", "", "INN, 10 or 12 digits")
	fs.StringVar(&o.OGRN, "ogrn", "", "OGRN, 13 or 15 digits")
	fs.StringVar(&o.Address, "address", "", "postal address")
	fs.StringVar(&o.SupportLevel, "level", "", "support level (see support_levels in the configuration)")
	var domains stringList
	fs.Var(&domains, "domain", "a mail domain of the organisation (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("org add: unexpected argument %q", fs.Arg(0))
	}
	if strings.TrimSpace(o.Name) == "" {
		return usagef("org add: --name is required")
	}
	o.Domains = domains
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	if err := d.svc.AddOrg(ctx, &o); err != nil {
		return dirErr("org add", err)
	}
	fmt.Fprintln(e.Stdout, o.ID)
	return nil
}

func orgList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "org list", "org list [--json] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("org list: unexpected argument %q", fs.Arg(0))
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	orgs, err := d.db.ListOrgs(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]orgJSON, 0, len(orgs))
		for i := range orgs {
			out = append(out, toOrgJSON(&orgs[i]))
		}
		return writeJSON(e.Stdout, out)
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tINN\tLEVEL\tDOMAINS\tSTATE")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", o.ID, clip(o.Name, 50), dash(o.INN), dash(o.SupportLevel),
			dash(strings.Join(o.Domains, ", ")), orgState(o.Blocked, o.BlockReason))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orgShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "org show", "org show ID|INN [--json] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON object")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("org show: give one organisation id or INN, e.g. otvet org show 3")
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	o, err := d.svc.FindOrg(ctx, fs.Arg(0))
	if err != nil {
		return dirErr("org show", err)
	}
	us, err := d.db.ListUsers(ctx, o.ID)
	if err != nil {
		return err
	}
	j := toOrgJSON(o)
	for i := range us {
		j.Users = append(j.Users, toUserJSON(&us[i]))
	}
	if *asJSON {
		return writeJSON(e.Stdout, j)
	}
	w := e.Stdout
	fmt.Fprintf(w, "Organisation #%d %s\n", o.ID, o.Name)
	fmt.Fprintf(w, "INN: %s  OGRN: %s\nAddress: %s\nSupport level: %s\nDomains: %s\nState: %s\n",
		dash(o.INN), dash(o.OGRN), dash(o.Address), dash(o.SupportLevel), dash(strings.Join(o.Domains, ", ")),
		orgState(o.Blocked, o.BlockReason))
	fmt.Fprintf(w, "Users (%d):\n", len(us))
	return printUsers(w, us, false)
}

func printUsers(w io.Writer, us []store.User, withOrg bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if withOrg {
		fmt.Fprintln(tw, "EMAIL\tNAME\tPOSITION\tROLE\tORG\tSTATE")
	} else {
		fmt.Fprintln(tw, "EMAIL\tNAME\tPOSITION\tROLE\tSTATE")
	}
	for i := range us {
		u := &us[i]
		if withOrg {
			org := "-"
			if u.OrgID.Valid {
				org = strconv.FormatInt(u.OrgID.Int64, 10)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.FullName, dash(u.Position), u.Role, org, userState(u))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.FullName, dash(u.Position), u.Role, userState(u))
		}
	}
	return tw.Flush()
}

func orgUpdate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "org update", "org update ID [--name ..] [--inn ..] [--ogrn ..] [--address ..] [--level ..] [--add-domain D ...] [--remove-domain D ...]")
	cfg := configFlag(fs)
	name := fs.String("name", "", "new name")
	inn := fs.String("inn", "", "new INN")
	ogrn := fs.String("ogrn", "", "new OGRN")
	address := fs.String("address", "", "new address")
	level := fs.String("level", "", "new support level")
	var add, remove stringList
	fs.Var(&add, "add-domain", "add a mail domain (repeatable)")
	fs.Var(&remove, "remove-domain", "remove a mail domain (repeatable)")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("org update: give one organisation id or INN, e.g. otvet org update 3 --add-domain school3.ru")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	delete(set, "config")
	if len(set) == 0 {
		return usagef("org update: nothing to change: give --name, --inn, --ogrn, --address, --level, --add-domain or --remove-domain")
	}
	change := directory.OrgChange{AddDomains: add, RemoveDomains: remove}
	for flagName, p := range map[string]struct {
		dst **string
		v   *string
	}{
		"name": {&change.Name, name}, "inn": {&change.INN, inn}, "ogrn": {&change.OGRN, ogrn}, "address": {&change.Address, address},
		"level": {&change.SupportLevel, level},
	} {
		if set[flagName] {
			*p.dst = p.v
		}
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	o, err := d.svc.UpdateOrg(ctx, fs.Arg(0), change)
	if err != nil {
		return dirErr("org update", err)
	}
	fmt.Fprintf(e.Stdout, "organisation #%d updated\n", o.ID)
	return nil
}

func orgBlock(ctx context.Context, e *env, args []string, block bool) error {
	name, usage := "org unblock", "org unblock ID [--config FILE]"
	if block {
		name, usage = "org block", "org block ID --reason TEXT [--config FILE]"
	}
	fs := newFlags(e, name, usage)
	cfg := configFlag(fs)
	reason := fs.String("reason", "", "why (required to block; shown in the audit and to support staff)")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: otvet %s", usage)
	}
	if block && strings.TrimSpace(*reason) == "" {
		return usagef("%s: --reason is required", name)
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	o, err := d.svc.SetOrgBlocked(ctx, fs.Arg(0), block, *reason)
	if err != nil {
		return dirErr(name, err)
	}
	fmt.Fprintf(e.Stdout, "organisation #%d %s\n", o.ID, map[bool]string{true: "blocked", false: "unblocked"}[block])
	return nil
}

// ---- user ----

func userAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user add", `user add --email E --name "Фамилия Имя Отчество" [--position ..] [--phone ..] [--org ID] [--head]`)
	cfg := configFlag(fs)
	var u store.User
	fs.StringVar(&u.Email, "email", "", "e-mail address (required)")
	fs.StringVar(&u.FullName, "name", "", "full name (required)")
	fs.StringVar(&u.Position, "position", "", "position")
	fs.StringVar(&u.Phone, "phone", "", "phone number")
	org := fs.Int64("org", 0, "organisation id")
	head := fs.Bool("head", false, "the head of the organisation")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("user add: unexpected argument %q", fs.Arg(0))
	}
	if strings.TrimSpace(u.FullName) == "" || strings.TrimSpace(u.Email) == "" {
		return usagef("user add: --email and --name are required")
	}
	email, err := store.NormalizeEmail(u.Email)
	if err != nil {
		return usagef("user add: --email: %v", err)
	}
	if *org < 0 {
		return usagef("user add: --org: %d is not an organisation id", *org)
	}
	u.Email, u.OrgID, u.Role, u.Confirmed = email, sql.NullInt64{Int64: *org, Valid: *org > 0}, store.RoleUser, true
	if *head {
		u.Role = store.RoleHead
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	if err := d.svc.AddUser(ctx, &u); err != nil {
		return dirErr("user add", err)
	}
	fmt.Fprintln(e.Stdout, u.ID)
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user list", "user list [--org ID] [--json] [--config FILE]")
	cfg := configFlag(fs)
	org := fs.Int64("org", 0, "only this organisation's users")
	asJSON := fs.Bool("json", false, "one JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("user list: unexpected argument %q", fs.Arg(0))
	}
	if *org < 0 {
		return usagef("user list: --org: %d is not an organisation id", *org)
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	us, err := d.db.ListUsers(ctx, *org)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]userJSON, 0, len(us))
		for i := range us {
			out = append(out, toUserJSON(&us[i]))
		}
		return writeJSON(e.Stdout, out)
	}
	return printUsers(e.Stdout, us, true)
}

// userArg reads the single EMAIL argument of a user subcommand.
func userArg(fs *flag.FlagSet, usage string) (string, error) {
	if fs.NArg() != 1 {
		return "", usagef("usage: otvet %s", usage)
	}
	email, err := store.NormalizeEmail(fs.Arg(0))
	if err != nil {
		return "", usagef("%s: %v", fs.Name(), err)
	}
	return email, nil
}

func userShow(ctx context.Context, e *env, args []string) error {
	usage := "user show EMAIL [--json] [--config FILE]"
	fs := newFlags(e, "user show", usage)
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON object")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	email, err := userArg(fs, usage)
	if err != nil {
		return err
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	u, err := d.db.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user %s does not exist", email)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.Stdout, toUserJSON(u))
	}
	org := "-"
	if u.OrgID.Valid {
		if o, err := d.db.OrgByID(ctx, u.OrgID.Int64); err == nil {
			org = fmt.Sprintf("#%d %s", o.ID, o.Name)
		}
	}
	fmt.Fprintf(e.Stdout, "User #%d %s\nName: %s\nPosition: %s\nDepartment: %s\nPhone: %s\nOrganisation: %s\nRole: %s\n"+
		"Systems: %s\nRights: %s\nAccount: %s\nState: %s\n",
		u.ID, u.Email, u.FullName, dash(u.Position), dash(u.Department), dash(u.Phone), org, u.Role,
		dash(u.Systems), dash(u.Rights), dash(u.Account), userState(u))
	return nil
}

// userUpdate changes a user's address, name, position, phone or systems
// (directory.Service.UpdateUser records the audit events).
func userUpdate(ctx context.Context, e *env, args []string) error {
	usage := "user update " + userUpdateUsage + " [--config FILE]"
	fs := newFlags(e, "user update", usage)
	cfg := configFlag(fs)
	var newEmail, name, position, phone, systems string
	fs.StringVar(&newEmail, "email", "", "the new e-mail address (the person's mailbox was renamed)")
	fs.StringVar(&name, "name", "", "the new full name")
	fs.StringVar(&position, "position", "", "the new position (\"\" clears it)")
	fs.StringVar(&phone, "phone", "", "the new phone number (\"\" clears it)")
	fs.StringVar(&systems, "systems", "", "the information systems the person has access to (\"\" clears them)")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	email, err := userArg(fs, usage)
	if err != nil {
		return err
	}
	var c directory.UserChange
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "email":
			c.Email = &newEmail
		case "name":
			c.FullName = &name
		case "position":
			c.Position = &position
		case "phone":
			c.Phone = &phone
		case "systems":
			c.Systems = &systems
		}
	})
	if c == (directory.UserChange{}) {
		return usagef("user update: nothing to change: give --email, --name, --position, --phone or --systems")
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	u, err := d.svc.UpdateUser(ctx, email, c)
	if err != nil {
		return dirErr("user update", err)
	}
	fmt.Fprintf(e.Stdout, "user #%d %s: %s, %s, %s, systems %s\n", u.ID, u.Email, u.FullName, dash(u.Position), dash(u.Phone), dash(u.Systems))
	return nil
}

func userBlock(ctx context.Context, e *env, args []string, block bool) error {
	name, usage := "user unblock", "user unblock EMAIL [--config FILE]"
	if block {
		name, usage = "user block", "user block EMAIL --reason TEXT [--config FILE]"
	}
	fs := newFlags(e, name, usage)
	cfg := configFlag(fs)
	reason := fs.String("reason", "", "why (required to block)")
	var cat directory.Category
	fs.Int64Var(&cat.Org, "org", 0, "a category instead of EMAIL: every user of this organisation")
	fs.StringVar(&cat.Role, "role", "", "a category: every user with this role (user or head), with --org or alone")
	fs.BoolVar(&cat.Unconfirmed, "unconfirmed", false, "a category: every self-identified user staff have not confirmed")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() == 0 && cat.Any() {
		if block && strings.TrimSpace(*reason) == "" {
			return usagef("%s: --reason is required", name)
		}
		return blockCategory(ctx, e, *cfg, cat, block, *reason)
	}
	email, err := userArg(fs, usage)
	if err != nil {
		return err
	}
	if block && strings.TrimSpace(*reason) == "" {
		return usagef("%s: --reason is required", name)
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	if err := d.svc.SetUserBlocked(ctx, email, block, *reason); err != nil {
		return dirErr(name, err)
	}
	fmt.Fprintf(e.Stdout, "user %s %s\n", email, map[bool]string{true: "blocked", false: "unblocked"}[block])
	return nil
}

func userConfirm(ctx context.Context, e *env, args []string) error {
	usage := "user confirm EMAIL [--config FILE]"
	fs := newFlags(e, "user confirm", usage)
	cfg := configFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	email, err := userArg(fs, usage)
	if err != nil {
		return err
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	if err := d.svc.ConfirmUser(ctx, email); err != nil {
		return dirErr("user confirm", err)
	}
	fmt.Fprintf(e.Stdout, "user %s confirmed\n", email)
	return nil
}

// ---- directory ----

func directoryImport(ctx context.Context, e *env, args []string) error {
	usage := "directory import FILE.yaml [--dry-run] [--config FILE]"
	fs := newFlags(e, "directory import", usage)
	cfg := configFlag(fs)
	dry := fs.Bool("dry-run", false, "check the file against the database and report, write nothing")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: otvet %s", usage)
	}
	file := fs.Arg(0)
	data, err := readLimited(file, directory.MaxImportBytes)
	if err != nil {
		return err
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	sum, err := d.svc.Import(ctx, file, data, *dry)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, sum)
	if *dry {
		fmt.Fprintln(e.Stdout, "dry run: nothing was written")
	}
	return nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, limit>>20)
	}
	return b, nil
}

func directoryBlockAll(ctx context.Context, e *env, args []string, block bool) error {
	name, usage := "directory unblock-all", "directory unblock-all [--config FILE]"
	if block {
		name, usage = "directory block-all", "directory block-all --reason TEXT [--config FILE]"
	}
	fs := newFlags(e, name, usage)
	cfg := configFlag(fs)
	reason := fs.String("reason", "", "why (required to block)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("%s: unexpected argument %q", name, fs.Arg(0))
	}
	if block && strings.TrimSpace(*reason) == "" {
		return usagef("%s: --reason is required", name)
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	if err := d.svc.SetAllBlocked(ctx, block, *reason); err != nil {
		return dirErr(name, err)
	}
	if block {
		fmt.Fprintln(e.Stdout, "everyone is blocked: requests are refused until 'otvet directory unblock-all'")
	} else {
		fmt.Fprintln(e.Stdout, "the block on everyone is lifted")
	}
	return nil
}

func directoryStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "directory status", "directory status [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	st, err := d.svc.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Everyone: %s\nOrganisations: %d (%d blocked)\nUsers: %d (%d blocked)\n",
		orgState(st.AllBlocked, st.AllReason), st.Orgs, st.BlockedOrgs, st.Users, st.BlockedUsers)
	return nil
}

// ---- audit ----

// auditJSON is one audit event for scripts.
type auditJSON struct {
	ID     int64           `json:"id"`
	At     string          `json:"at"`
	Ticket int64           `json:"ticket,omitempty"` // a decision about a connection request
	Kind   string          `json:"kind"`
	Actor  string          `json:"actor"`
	Detail json.RawMessage `json:"detail"`
}

// toAuditJSON turns audit events into their JSON form (never null); a detail
// that is not JSON becomes a JSON string.
func toAuditJSON(es []store.Event) []auditJSON {
	out := make([]auditJSON, 0, len(es))
	for _, ev := range es {
		detail := json.RawMessage(ev.Detail)
		if !json.Valid(detail) {
			detail, _ = json.Marshal(ev.Detail)
		}
		out = append(out, auditJSON{ID: ev.ID, At: rfc3339(ev.At), Ticket: ev.TicketID.Int64, Kind: ev.Kind, Actor: ev.Actor, Detail: detail})
	}
	return out
}

// cmdAudit lists the audit trail (otvet audit, otvet directory audit): the
// directory's changes and the decisions about connection requests
// (registration_approved, registration_rejected, registration_edited).
func cmdAudit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "audit", "audit [--since DATE|DURATION] [--json] [--tz ZONE] [--config FILE]")
	cfg := configFlag(fs)
	sinceFlag := fs.String("since", "", "only events since a date (2025-01-31, RFC 3339) or for a duration back (24h, 7d)")
	asJSON := fs.Bool("json", false, "one JSON array")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("audit: unexpected argument %q", fs.Arg(0))
	}
	out, err := loadTZ(*tz)
	if err != nil {
		return err
	}
	if _, err := parseSince(*sinceFlag, time.Now()); err != nil {
		return usagef("audit: --since: %v", err)
	}
	d, err := openDirectory(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer d.db.Close()
	if out == nil {
		out = d.loc
	}
	since, err := parseSince(*sinceFlag, time.Now().In(d.loc))
	if err != nil {
		return usagef("audit: --since: %v", err)
	}
	es, err := d.db.AuditEvents(ctx, since)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.Stdout, toAuditJSON(es))
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tKIND\tACTOR\tDETAIL")
	for _, ev := range es {
		detail := ev.Detail
		if ev.TicketID.Valid {
			detail = fmt.Sprintf("#%d %s", ev.TicketID.Int64, detail)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ev.At.In(out).Format("2006-01-02 15:04:05 MST"), ev.Kind, dash(ev.Actor), clip(detail, 120))
	}
	return tw.Flush()
}

// parseSince reads a point in time (date, date and time, RFC 3339; local
// time when no zone is given) or a duration back from now (90m, 24h, 7d).
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 && days < 100000 {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if dur, err := time.ParseDuration(s); err == nil && dur >= 0 {
		return now.Add(-dur), nil
	}
	if t, ok := parseInstant(s, now.Location()); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a date (2025-01-31, RFC 3339) nor a duration (24h, 7d)", s)
}
