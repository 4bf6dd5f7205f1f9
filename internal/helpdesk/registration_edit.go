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
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// OrgChoice is the operator's choice of the organisation a connection
// request registers into.
type OrgChoice int

// The choices of RegistrationEdit.Org.
const (
	OrgKeep     OrgChoice = iota // leave the choice as it is
	OrgExisting                  // register into RegistrationEdit.OrgID
	OrgNew                       // register a new organisation, even if one matches
	OrgAuto                      // the requester's organisation, else the one the form names
)

// RegistrationEdit is the operator's corrections to a pending connection
// request (`otvet registration edit N`). Nil and zero fields change nothing.
type RegistrationEdit struct {
	// Request replaces the whole request (the corrected form).
	Request *regform.Request
	// Authority says whether the document confirming the signatory's
	// authority was received.
	Authority *bool
	// KeyChannel (how the access key is handed over) and Account (the
	// account in the system) of the person of Row, or of everyone when Row
	// is 0. Account needs a Row.
	KeyChannel, Account *string
	Row                 int64
	// Org and OrgID: the organisation to register into.
	Org   OrgChoice
	OrgID int64
	// MoveUsers: users of another organisation the request lists may be moved.
	MoveUsers *bool
	// AddDomains are mail domains to add to the organisation on approval
	// (approval adds no other); AllowPeople addresses to register although
	// they are on a public mail service or off the organisation's domains.
	// Both add to the choices already made.
	AddDomains, AllowPeople []string
	// AllowRoleChange: existing users' access rights may change.
	AllowRoleChange *bool
	// NoHead: the signatory does not become the organisation's head on
	// approval (false: they do again).
	NoHead *bool
	// Actor is who edits, for the audit event.
	Actor string
}

// ErrBadEdit marks an edit that is wrong in itself or for the request (a row
// it does not have): the command line reports it as a usage error.
var ErrBadEdit = errors.New("bad edit of a connection request")

// ErrUnknownOrg: the organisation chosen does not exist.
var ErrUnknownOrg = errors.New("no such organisation")

// EditRegistration applies the operator's corrections to a pending
// connection request in one transaction and records them as one
// registration_edited audit event. It returns the request as it now stands
// and what changed. A ticket that is not a connection request is
// store.ErrNotFound.
func (s *Service) EditRegistration(ctx context.Context, ticketID int64, e RegistrationEdit) (req regform.Request, changed []string, err error) {
	if err := e.check(); err != nil {
		return regform.Request{}, nil, err
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		req, changed = regform.Request{}, nil
		reg, err := tx.Registration(ctx, ticketID)
		if err != nil {
			return err
		}
		if reg.State != store.RegPending {
			return fmt.Errorf("connection request #%d is already %s", ticketID, reg.State)
		}
		if e.Request != nil {
			req = *e.Request
			changed = append(changed, fmt.Sprintf("request replaced (%d people)", len(req.People)))
		} else if err := json.Unmarshal([]byte(reg.Request), &req); err != nil {
			return fmt.Errorf("connection request #%d: %w", ticketID, err)
		}
		if e.NoHead != nil {
			req.NoHead = *e.NoHead
			changed = append(changed, fmt.Sprintf("signatory not made the head %v", *e.NoHead))
		}
		if e.Authority != nil {
			req.HasAuthorityDocument = *e.Authority
			changed = append(changed, fmt.Sprintf("authority document %v", *e.Authority))
		}
		if e.KeyChannel != nil || e.Account != nil {
			more, err := e.applyPeople(ticketID, &req)
			if err != nil {
				return err
			}
			changed = append(changed, more...)
		}
		for i, p := range req.People {
			if p.Email == "" {
				continue
			}
			if _, err := store.NormalizeEmail(p.Email); err != nil {
				return fmt.Errorf("person %d: %q is not an e-mail address", i+1, p.Email)
			}
		}
		target, newOrg, move := reg.TargetOrgID, reg.NewOrg, reg.MoveUsers
		switch e.Org {
		case OrgExisting:
			target, newOrg = sql.NullInt64{Int64: e.OrgID, Valid: true}, false
			changed = append(changed, fmt.Sprintf("organisation #%d", e.OrgID))
		case OrgNew:
			target, newOrg = sql.NullInt64{}, true
			changed = append(changed, "a new organisation")
		case OrgAuto:
			target, newOrg = sql.NullInt64{}, false
			changed = append(changed, "organisation matched automatically")
		}
		if e.MoveUsers != nil {
			move = *e.MoveUsers
			changed = append(changed, fmt.Sprintf("move users %v", move))
		}
		if err := tx.SetRegistrationChoice(ctx, ticketID, target, newOrg, move); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("organisation #%d does not exist: %w", target.Int64, ErrUnknownOrg)
		} else if err != nil {
			return err
		}
		if len(e.AddDomains) > 0 || len(e.AllowPeople) > 0 || e.AllowRoleChange != nil {
			more, err := e.applyAllowances(ctx, tx, reg)
			if err != nil {
				return err
			}
			changed = append(changed, more...)
		}
		body, err := json.Marshal(req)
		if err != nil {
			return err
		}
		if err := tx.UpdateRegistrationRequest(ctx, ticketID, string(body)); err != nil {
			return err
		}
		return tx.AddEvent(ctx, ticketID, s.now().UTC(), "registration_edited", e.Actor, strings.Join(changed, "; "))
	})
	if err != nil {
		return regform.Request{}, nil, err
	}
	return req, changed, nil
}

// check refuses an edit that is wrong in itself.
func (e RegistrationEdit) check() error {
	switch {
	case e.Request == nil && e.Authority == nil && e.KeyChannel == nil && e.Account == nil && e.Org == OrgKeep && e.MoveUsers == nil &&
		len(e.AddDomains) == 0 && len(e.AllowPeople) == 0 && e.AllowRoleChange == nil && e.NoHead == nil:
		return fmt.Errorf("%w: nothing to change", ErrBadEdit)
	case e.Org == OrgExisting && e.OrgID <= 0:
		return fmt.Errorf("%w: %d is not an organisation id", ErrBadEdit, e.OrgID)
	case e.Account != nil && e.Row == 0:
		return fmt.Errorf("%w: an account needs the person's row", ErrBadEdit)
	case e.Row != 0 && e.Account == nil && e.KeyChannel == nil:
		return fmt.Errorf("%w: a row goes with an account or a key channel", ErrBadEdit)
	}
	return nil
}

// applyPeople sets the key channel and the account of the person of e.Row,
// or the key channel of everyone.
func (e RegistrationEdit) applyPeople(ticketID int64, req *regform.Request) (changed []string, err error) {
	if e.KeyChannel != nil {
		if w, open := regform.OpenKeyChannel(*e.KeyChannel); open {
			return nil, fmt.Errorf("%w: --key-channel %q is an open channel (%s): the protocol hands the key over a secure channel or in person only",
				ErrBadEdit, *e.KeyChannel, w)
		}
	}
	hit := false
	for i := range req.People {
		p := &req.People[i]
		if e.Row != 0 && int64(p.Row) != e.Row {
			continue
		}
		hit = true
		if e.KeyChannel != nil {
			p.KeyChannel = strings.TrimSpace(*e.KeyChannel)
		}
		if e.Account != nil {
			p.Account = strings.TrimSpace(*e.Account)
		}
	}
	if !hit {
		return nil, fmt.Errorf("%w: connection request #%d has no row %d", ErrBadEdit, ticketID, e.Row)
	}
	what := "all rows"
	if e.Row != 0 {
		what = fmt.Sprintf("row %d", e.Row)
	}
	if e.KeyChannel != nil {
		changed = append(changed, fmt.Sprintf("key channel of %s: %q", what, *e.KeyChannel))
	}
	if e.Account != nil {
		changed = append(changed, fmt.Sprintf("account of %s: %q", what, *e.Account))
	}
	return changed, nil
}

// applyAllowances records the operator's explicit permissions: domains to
// add, addresses to register off the organisation's domains, role changes.
func (e RegistrationEdit) applyAllowances(ctx context.Context, tx *store.Tx, reg *store.Registration) (changed []string, err error) {
	domains, people, roles := slices.Clone(reg.AddDomains), slices.Clone(reg.AllowPeople), reg.AllowRoleChange
	for _, d := range e.AddDomains {
		od, err := store.OrgDomain(d)
		if err != nil {
			return nil, fmt.Errorf("%w: --add-domain: %v", ErrBadEdit, err)
		}
		if !slices.Contains(domains, od) {
			domains = append(domains, od)
		}
		changed = append(changed, "add domain "+od)
	}
	for _, a := range e.AllowPeople {
		n, err := store.NormalizeEmail(a)
		if err != nil {
			return nil, fmt.Errorf("%w: --allow-person: %v", ErrBadEdit, err)
		}
		if !slices.Contains(people, n) {
			people = append(people, n)
		}
		changed = append(changed, "allow "+n)
	}
	if e.AllowRoleChange != nil {
		roles = *e.AllowRoleChange
		changed = append(changed, fmt.Sprintf("role changes allowed %v", roles))
	}
	if err := tx.SetRegistrationAllowances(ctx, reg.TicketID, domains, people, roles); err != nil {
		return nil, err
	}
	return changed, nil
}

// RegistrationWarnings lists the warnings about a connection request as it
// stands (otvet registration show), and the language of its desk.
func (s *Service) RegistrationWarnings(ctx context.Context, ticketID int64) (ws []directory.Warning, lang string, err error) {
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		reg, err := tx.Registration(ctx, ticketID)
		if err != nil {
			return err
		}
		d, err := s.desk(t.Desk)
		if err != nil {
			return err
		}
		var req regform.Request
		if err := json.Unmarshal([]byte(reg.Request), &req); err != nil {
			return fmt.Errorf("connection request #%d: %w", ticketID, err)
		}
		in := s.deskTx(tx, d, s.now().UTC())
		ws, lang = nil, d.Language
		ws, err = in.registrationWarnings(ctx, t, reg, &req)
		return err
	})
	return ws, lang, err
}
