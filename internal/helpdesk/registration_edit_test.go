package helpdesk_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

func regPtr[T any](v T) *T { return &v }

// EditRegistration (otvet registration edit) corrects a pending connection
// request in one transaction, with one registration_edited event; wrong
// edits change nothing.
func TestEditRegistration(t *testing.T) {
	ctx := context.Background()
	h := newStaffHarness(t)
	out := h.ingest(formMail(false))
	n := out.TicketID
	org := sad7(t, h)
	for _, c := range []struct {
		name    string
		edit    helpdesk.RegistrationEdit
		wantErr error  // errors.Is
		errText string // in the error
		changed string // the event's detail
	}{
		{name: "nothing", edit: helpdesk.RegistrationEdit{}, wantErr: helpdesk.ErrBadEdit},
		{name: "account without a row", edit: helpdesk.RegistrationEdit{Account: regPtr("x")}, wantErr: helpdesk.ErrBadEdit},
		{name: "row alone", edit: helpdesk.RegistrationEdit{Row: 1, MoveUsers: regPtr(true)}, wantErr: helpdesk.ErrBadEdit},
		{name: "no such row", edit: helpdesk.RegistrationEdit{Row: 9, KeyChannel: regPtr("лично")}, wantErr: helpdesk.ErrBadEdit, errText: "has no row 9"},
		{name: "no such organisation", edit: helpdesk.RegistrationEdit{Org: helpdesk.OrgExisting, OrgID: 999}, wantErr: helpdesk.ErrUnknownOrg, errText: "organisation #999 does not exist"},
		{name: "bad address", edit: helpdesk.RegistrationEdit{Request: &regform.Request{People: []regform.Person{{Row: 1, Email: "не адрес"}}}}, errText: "is not an e-mail address"},
		{name: "not a request", edit: helpdesk.RegistrationEdit{Authority: regPtr(true)}, wantErr: store.ErrNotFound},
		{name: "authority, new organisation, everyone's key channel",
			edit:    helpdesk.RegistrationEdit{Authority: regPtr(true), Org: helpdesk.OrgNew, KeyChannel: regPtr(" VipNet ")},
			changed: `authority document true; key channel of all rows: " VipNet "; a new organisation`},
		{name: "one row's account",
			edit:    helpdesk.RegistrationEdit{Row: 2, Account: regPtr("orlova_n"), Org: helpdesk.OrgExisting, OrgID: org.ID, MoveUsers: regPtr(true)},
			changed: `account of row 2: "orlova_n"; organisation #` + jsonInt(org.ID) + `; move users true`},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := n
			if c.name == "not a request" {
				id = n + 1000
			}
			before := h.events(n)
			req, changed, err := h.svc.EditRegistration(ctx, id, withActor(c.edit))
			if c.wantErr != nil && !errors.Is(err, c.wantErr) || c.errText != "" && (err == nil || !strings.Contains(err.Error(), c.errText)) {
				t.Fatalf("err %v, want %v %q", err, c.wantErr, c.errText)
			}
			if c.changed == "" {
				if err == nil {
					t.Fatal("accepted")
				}
				if h.events(n) != before {
					t.Error("a refused edit left an event")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(changed, "; "); got != c.changed {
				t.Errorf("changed %q, want %q", got, c.changed)
			}
			if len(req.People) != 2 {
				t.Errorf("request %+v", req)
			}
			if !strings.Contains(h.events(n), "registration_edited") {
				t.Errorf("events %s", h.events(n))
			}
		})
	}
	reg, err := h.db.Registration(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	var req regform.Request
	if err := json.Unmarshal([]byte(reg.Request), &req); err != nil {
		t.Fatal(err)
	}
	p := req.People
	if !req.HasAuthorityDocument || p[0].KeyChannel != "VipNet" || p[1].Account != "orlova_n" || p[0].Account != "" ||
		reg.NewOrg || reg.TargetOrgID.Int64 != org.ID || !reg.MoveUsers {
		t.Errorf("stored %+v %+v", reg, req)
	}
	// A decided request is not edited any more.
	if _, err := h.approve(n); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.EditRegistration(ctx, n, helpdesk.RegistrationEdit{Authority: regPtr(false)}); err == nil || !strings.Contains(err.Error(), "already approved") {
		t.Errorf("edit after approval: %v", err)
	}
}

func withActor(e helpdesk.RegistrationEdit) helpdesk.RegistrationEdit {
	e.Actor = "cli:test"
	return e
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
