package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/directory"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

const registrationUsage = "registration list [--json] | show N [--json] | " +
	"edit N [--file REQUEST.json] [--org ID | --new-org | --auto-org] [--move-users[=false]] [--authority-document[=false]] " +
	"[--key-channel TEXT] [--account TEXT] [--row N] [--add-domain DOMAIN]... [--allow-person EMAIL]... [--allow-role-change[=false]] | " +
	"[--no-head[=false]] | approve N [--key-channel TEXT] [--no-head] | reject N REASON"

// registrationFlags are the flags of every registration subcommand.
type registrationFlags struct {
	cfg, file, keyChannel, account *string
	asJSON, newOrg, autoOrg        *bool
	moveUsers, authority           *bool
	allowRoleChange, noHead        *bool
	org, row                       *int64
	addDomains, allowPeople        *listFlag
	given                          map[string]bool
}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func cmdRegistration(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("usage: otvet %s", registrationUsage)
	}
	fs := newFlags(e, "registration "+args[0], registrationUsage)
	f := registrationFlags{
		cfg:       configFlag(fs),
		asJSON:    fs.Bool("json", false, "JSON output"),
		file:      fs.String("file", "", "edit: the corrected request, as the \"request\" object of 'registration show N --json'"),
		org:       fs.Int64("org", 0, "edit: register into this existing organisation"),
		newOrg:    fs.Bool("new-org", false, "edit: register a new organisation, even if one matches"),
		autoOrg:   fs.Bool("auto-org", false, "edit: forget --org/--new-org (the requester's organisation, else the form's)"),
		moveUsers: fs.Bool("move-users", false, "edit: users of another organisation listed in the request may be moved"),
		authority: fs.Bool("authority-document", false, "edit: the document confirming the signatory's authority was received"),
		keyChannel: fs.String("key-channel", "", "edit, approve: how the access key is handed over (every person, or --row N); "+
			"never an open channel such as e-mail"),
		account: fs.String("account", "", "edit: the account in the system of the person of --row N"),
		row:     fs.Int64("row", 0, "edit: the person (row number) --key-channel or --account is about"),
		allowRoleChange: fs.Bool("allow-role-change", false,
			"edit: existing users' access rights may change (kept as they are otherwise)"),
		noHead: fs.Bool("no-head", false, "edit, approve: the signatory does not become the organisation's head "+
			"(shown among the warnings; approval makes them the head otherwise)"),
		addDomains:  &listFlag{},
		allowPeople: &listFlag{},
		given:       map[string]bool{},
	}
	fs.Var(f.addDomains, "add-domain", "edit: add this mail domain to the organisation on approval (repeatable; approval adds no other)")
	fs.Var(f.allowPeople, "allow-person", "edit: register this address although it is on a public mail service or "+
		"off the organisation's domains (repeatable)")
	if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
		return err
	}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	switch args[0] {
	case "list":
		return registrationList(ctx, e, f)
	case "edit":
		n, err := ticketArg(fs, "edit")
		if err != nil {
			return err
		}
		return registrationEdit(ctx, e, f, n)
	case "show":
		n, err := ticketArg(fs, "show")
		if err != nil {
			return err
		}
		return registrationShow(ctx, e, f, n)
	case "approve", "reject":
		n, err := ticketArg(fs, args[0])
		if err != nil {
			return err
		}
		reason := ""
		if args[0] == "reject" {
			if fs.NArg() < 2 {
				return usagef("registration reject: give the reason code, e.g. insufficient_info")
			}
			reason = fs.Arg(1)
		}
		for name := range f.given {
			if name != "config" && (args[0] == "reject" || name != "key-channel" && name != "no-head") {
				return usagef("registration %s: --%s is not a flag of %s (edit N sets it before the decision)", args[0], name, args[0])
			}
		}
		return registrationDecide(ctx, e, *f.cfg, n, args[0] == "approve", reason,
			helpdesk.Approval{KeyChannel: *f.keyChannel, NoHead: *f.noHead})
	}
	return usagef("registration: unknown subcommand %q; usage: otvet %s", args[0], registrationUsage)
}

func ticketArg(fs *flag.FlagSet, sub string) (int64, error) {
	if fs.NArg() < 1 {
		return 0, usagef("registration %s: give the ticket number", sub)
	}
	n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || n <= 0 {
		return 0, usagef("registration %s: %q is not a ticket number", sub, fs.Arg(0))
	}
	return n, nil
}

func registrationList(ctx context.Context, e *env, f registrationFlags) error {
	db, err := openDB(ctx, e, *f.cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := db.ListRegistrations(ctx)
	if err != nil {
		return err
	}
	type rj struct {
		Ticket       int64  `json:"ticket"`
		State        string `json:"state"`
		Organisation string `json:"organisation"`
		INN          string `json:"inn,omitempty"`
		People       int    `json:"people"`
		Authority    bool   `json:"authority_document"`
	}
	out := []rj{}
	for _, r := range rs {
		var req regform.Request
		_ = json.Unmarshal([]byte(r.Request), &req)
		out = append(out, rj{r.TicketID, r.State, req.Organisation.Name, req.Organisation.INN, len(req.People), req.HasAuthorityDocument})
	}
	if *f.asJSON {
		return writeJSON(e.Stdout, out)
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSTATE\tORGANISATION\tINN\tPEOPLE\tAUTHORITY DOC")
	for _, r := range out {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%v\n", r.Ticket, r.State, r.Organisation, r.INN, r.People, r.Authority)
	}
	return tw.Flush()
}

// orgChoice describes the operator's choice of organisation.
func orgChoice(r *store.Registration) string {
	switch {
	case r.NewOrg:
		return "new organisation"
	case r.TargetOrgID.Valid:
		return fmt.Sprintf("organisation #%d", r.TargetOrgID.Int64)
	}
	return "automatic (the requester's organisation, else the one the form names)"
}

func registrationShow(ctx context.Context, e *env, f registrationFlags, n int64) error {
	db, err := openDB(ctx, e, *f.cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.Registration(ctx, n)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("ticket #%d is not a connection request", n)
	} else if err != nil {
		return err
	}
	var req regform.Request
	if err := json.Unmarshal([]byte(r.Request), &req); err != nil {
		return err
	}
	type warningJSON struct {
		directory.Warning
		Text string `json:"text"`
	}
	warnings, lang := []warningJSON{}, "ru"
	if r.State == store.RegPending {
		a, err := openApp(ctx, e, *f.cfg, app.Options{})
		if err != nil {
			return err
		}
		ws, l, err := a.Service.RegistrationWarnings(ctx, n)
		a.Close()
		if err != nil {
			return err
		}
		lang = l
		for _, w := range ws {
			warnings = append(warnings, warningJSON{w, w.Text(lang, n)})
		}
	}
	if *f.asJSON {
		j := map[string]any{"ticket": n, "state": r.State, "request": toRequestJSON(req), "new_org": r.NewOrg, "move_users": r.MoveUsers,
			"add_domains": nonNil(r.AddDomains), "allow_people": nonNil(r.AllowPeople), "allow_role_change": r.AllowRoleChange,
			"warnings": warnings}
		if r.TargetOrgID.Valid {
			j["target_org"] = r.TargetOrgID.Int64
		}
		if r.OrgID.Valid {
			j["org"] = r.OrgID.Int64
		}
		return writeJSON(e.Stdout, j)
	}
	fmt.Fprintf(e.Stdout, "Connection request #%d [%s]\n%s\nAuthority document: %v\nOrganisation: %s\nMove users of other organisations: %v\n",
		n, r.State, orgDetails(req.Organisation), req.HasAuthorityDocument, orgChoice(r), r.MoveUsers)
	fmt.Fprintf(e.Stdout, "Domains to add: %s\nAddresses allowed off the organisation's domains: %s\nRole changes allowed: %v\n",
		dash(strings.Join(r.AddDomains, ", ")), dash(strings.Join(r.AllowPeople, ", ")), r.AllowRoleChange)
	if h := req.Organisation.Head; h != "" {
		becomes := "becomes the organisation's head on approval when a person of the table (edit --no-head: not)"
		if req.NoHead {
			becomes = "does not become the head (edit --no-head=false: does)"
		}
		fmt.Fprintf(e.Stdout, "Signatory: %s — %s\n", h, becomes)
	}
	fmt.Fprintln(e.Stdout)
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "№\tFULL NAME\tDEPARTMENT\tPOSITION\tSYSTEMS\tRIGHTS\tE-MAIL\tPHONE\tACCOUNT\tKEY CHANNEL\tACTION")
	for _, p := range req.People {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Row, p.FullName, dash(p.Department), dash(p.Position),
			dash(p.Systems), dash(p.Rights), dash(p.Email), dash(p.Phone), dash(p.Account), dash(p.KeyChannel), p.Action)
	}
	tw.Flush()
	for _, pr := range req.Problems {
		fmt.Fprintln(e.Stdout, "! "+pr)
	}
	if len(warnings) > 0 {
		fmt.Fprintln(e.Stdout, "\n"+mailout.Text(lang, mailout.RegWarnings))
		for _, w := range warnings {
			fmt.Fprintln(e.Stdout, "! "+w.Text)
		}
	}
	return nil
}

// orgDetails is the organisation of a request as the form gives it: the
// name with the registration numbers it has, and the address on a line of
// its own; what the form lacks is left out.
func orgDetails(o regform.Organisation) string {
	var ids []string
	for _, id := range [][2]string{{"ИНН", o.INN}, {"ОГРН", o.OGRN}, {"КПП", o.KPP}} {
		if strings.TrimSpace(id[1]) != "" {
			ids = append(ids, id[0]+" "+id[1])
		}
	}
	line := cmpOr(o.Name, "(no organisation name)")
	if len(ids) > 0 {
		line += " (" + strings.Join(ids, ", ") + ")"
	}
	if o.Address != "" {
		line += "\n" + o.Address
	}
	return line
}

// requestJSON is a connection request in the JSON of 'registration show
// --json' and of 'registration edit --file': snake_case names like the rest
// of the command line's JSON.
type requestJSON struct {
	Organisation         orgFormJSON  `json:"organisation"`
	People               []personJSON `json:"people"`
	Source               string       `json:"source,omitempty"`
	HasAuthorityDocument bool         `json:"has_authority_document"`
	Problems             []string     `json:"problems"`
	Cuts                 []string     `json:"cuts,omitempty"`
	NoHead               bool         `json:"no_head,omitempty"`
}

type orgFormJSON struct {
	Name    string `json:"name"`
	INN     string `json:"inn"`
	OGRN    string `json:"ogrn"`
	KPP     string `json:"kpp"`
	Address string `json:"address"`
	Head    string `json:"head"`
}

type personJSON struct {
	Row        int    `json:"row"`
	FullName   string `json:"full_name"`
	Department string `json:"department"`
	Position   string `json:"position"`
	Systems    string `json:"systems"`
	Rights     string `json:"rights"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Action     string `json:"action"`
	Account    string `json:"account,omitempty"`
	KeyChannel string `json:"key_channel,omitempty"`
}

func toRequestJSON(r regform.Request) requestJSON {
	o := r.Organisation
	j := requestJSON{Organisation: orgFormJSON{o.Name, o.INN, o.OGRN, o.KPP, o.Address, o.Head},
		People: []personJSON{}, Source: r.Source, HasAuthorityDocument: r.HasAuthorityDocument,
		Problems: nonNil(r.Problems), Cuts: r.Cuts, NoHead: r.NoHead}
	for _, p := range r.People {
		j.People = append(j.People, personJSON{Row: p.Row, FullName: p.FullName, Department: p.Department, Position: p.Position,
			Systems: p.Systems, Rights: p.Rights, Email: p.Email, Phone: p.Phone, Action: p.Action, Account: p.Account, KeyChannel: p.KeyChannel})
	}
	return j
}

func (j requestJSON) request() *regform.Request {
	o := j.Organisation
	r := &regform.Request{Organisation: regform.Organisation{Name: o.Name, INN: o.INN, OGRN: o.OGRN, KPP: o.KPP, Address: o.Address, Head: o.Head},
		Source: j.Source, HasAuthorityDocument: j.HasAuthorityDocument, Problems: j.Problems, Cuts: j.Cuts, NoHead: j.NoHead}
	for _, p := range j.People {
		r.People = append(r.People, regform.Person{Row: p.Row, FullName: p.FullName, Department: p.Department, Position: p.Position,
			Systems: p.Systems, Rights: p.Rights, Email: p.Email, Phone: p.Phone, Action: p.Action, Account: p.Account, KeyChannel: p.KeyChannel})
	}
	return r
}

// decodeRequestFile reads the request of 'registration edit --file': the
// "request" object of 'registration show N --json' (snake_case); a file
// in the older form with Go's names (FullName, People) is still read.
func decodeRequestFile(b []byte) (*regform.Request, error) {
	var j requestJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(&j)
	if err == nil {
		return j.request(), nil
	}
	var old regform.Request
	dec = json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if dec.Decode(&old) == nil {
		return &old, nil
	}
	return nil, err
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// registrationEdit applies the operator's corrections to a pending request:
// a whole new request (--file), the organisation to register into, moving
// users, the authority document, and people's account and key channel.
func registrationEdit(ctx context.Context, e *env, f registrationFlags, n int64) error {
	g := f.given
	if len(g) == 0 || len(g) == 1 && g["config"] {
		return usagef("registration edit: nothing to change; usage: otvet %s", registrationUsage)
	}
	if (g["org"] && (g["new-org"] || g["auto-org"])) || (g["new-org"] && g["auto-org"]) {
		return usagef("registration edit: give one of --org, --new-org and --auto-org")
	}
	if g["org"] && *f.org <= 0 {
		return usagef("registration edit: --org: %d is not an organisation id", *f.org)
	}
	if g["row"] && *f.row <= 0 {
		return usagef("registration edit: --row: %d is not a row number", *f.row)
	}
	if g["account"] && !g["row"] {
		return usagef("registration edit: --account needs --row N")
	}
	if g["row"] && !g["account"] && !g["key-channel"] {
		return usagef("registration edit: --row goes with --account or --key-channel")
	}
	edit := helpdesk.RegistrationEdit{Row: *f.row, Actor: actorName(e)}
	if *f.file != "" {
		b, err := os.ReadFile(*f.file)
		if err != nil {
			return err
		}
		req, err := decodeRequestFile(b)
		if err != nil {
			return fmt.Errorf("%s: %w", *f.file, err)
		}
		edit.Request = req
	}
	if g["authority-document"] {
		edit.Authority = f.authority
	}
	if g["key-channel"] {
		edit.KeyChannel = f.keyChannel
	}
	if g["account"] {
		edit.Account = f.account
	}
	switch {
	case g["org"]:
		edit.Org, edit.OrgID = helpdesk.OrgExisting, *f.org
	case g["new-org"] && *f.newOrg:
		edit.Org = helpdesk.OrgNew
	case g["auto-org"] && *f.autoOrg, g["new-org"]:
		edit.Org = helpdesk.OrgAuto
	}
	if g["move-users"] {
		edit.MoveUsers = f.moveUsers
	}
	edit.AddDomains, edit.AllowPeople = *f.addDomains, *f.allowPeople
	if g["allow-role-change"] {
		edit.AllowRoleChange = f.allowRoleChange
	}
	if g["no-head"] {
		edit.NoHead = f.noHead
	}
	a, err := openApp(ctx, e, *f.cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	req, changed, err := a.Service.EditRegistration(ctx, n, edit)
	switch {
	case errors.Is(err, helpdesk.ErrBadEdit):
		return usagef("registration edit: %v", err)
	case errors.Is(err, helpdesk.ErrUnknownOrg):
		return fmt.Errorf("%w (see otvet org list)", err)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("ticket #%d is not a connection request", n)
	case err != nil:
		return err
	}
	fmt.Fprintf(e.Stdout, "connection request #%d updated: %d people; %s\n", n, len(req.People), strings.Join(changed, "; "))
	return nil
}

func registrationDecide(ctx context.Context, e *env, cfgPath string, n int64, approve bool, reason string, choice helpdesk.Approval) error {
	a, err := openApp(ctx, e, cfgPath, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	var summary string
	if approve {
		summary, err = a.Service.ApproveRegistration(ctx, n, choice, actorName(e))
	} else {
		summary, err = a.Service.DecideRegistration(ctx, n, false, reason, actorName(e))
	}
	if err != nil {
		return err
	}
	if _, err := a.Outbox.Drain(ctx); err != nil {
		e.Log.Warn("the mail stays in the outbox", "err", err)
	}
	verb := "rejected"
	if approve {
		verb = "approved"
	}
	fmt.Fprintf(e.Stdout, "connection request #%d %s: %s\n", n, verb, summary)
	return nil
}

func actorName(e *env) string {
	if u := e.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}
