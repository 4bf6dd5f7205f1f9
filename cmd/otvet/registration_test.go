package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/demo"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// pendingRequest stores a connection request as intake does, in the demo's
// database, and returns the configuration and the ticket number.
func pendingRequest(t *testing.T, req regform.Request, requester string) (cfg, n string) {
	t.Helper()
	res, err := demo.Run(context.Background(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cfg = res.ConfigPath
	e := &env{Getenv: func(string) string { return "" }, Stderr: io.Discard}
	e.Log = newLogger(io.Discard, "error", "text")
	db, err := openDB(context.Background(), e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	body, _ := json.Marshal(req)
	var id int64
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "Заявка", RequesterEmail: requester,
			CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := tx.CreateTicket(context.Background(), tk); err != nil {
			return err
		}
		id = tk.ID
		if _, err := tx.AddParticipant(context.Background(), id, requester, "", "requester", time.Now()); err != nil {
			return err
		}
		return tx.InsertRegistration(context.Background(), &store.Registration{TicketID: id, Request: string(body)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, fmt.Sprint(id)
}

var sad7Request = regform.Request{Organisation: regform.Organisation{Name: "МБДОУ «Детский сад № 7»", INN: "6615007007"},
	People: []regform.Person{
		{Row: 1, FullName: "Соколова Елена Павловна", Position: "заведующий", Email: "sokolova@sad7.kgo66.ru", Systems: "ЕИС", Rights: "подписание", Action: regform.ActionAdd},
		{Row: 2, FullName: "Орлова Нина Ивановна", Position: "бухгалтер", Department: "Бухгалтерия", Email: "orlova@sad7.kgo66.ru",
			Phone: "2-55-02", Systems: "1С", Action: regform.ActionAdd},
	}}

type registrationJSON struct {
	State     string      `json:"state"`
	Request   requestJSON `json:"request"`
	TargetOrg int64       `json:"target_org"`
	NewOrg    bool        `json:"new_org"`
	MoveUsers bool        `json:"move_users"`
}

func TestRegistrationEditApproveExport(t *testing.T) {
	cfg, n := pendingRequest(t, sad7Request, "sokolova@sad7.kgo66.ru")
	// Without the authority document approval is refused and nothing is written.
	if _, _, err := otvet(t, "registration", "approve", n, "--config", cfg); err == nil || !strings.Contains(err.Error(), "--authority-document") {
		t.Fatalf("approval without the authority document: %v", err)
	}
	if _, _, err := otvet(t, "user", "show", "orlova@sad7.kgo66.ru", "--config", cfg); err == nil {
		t.Fatal("a refused approval registered people")
	}
	for _, bad := range [][]string{
		{"registration", "edit", n},
		{"registration", "edit", n, "--account", "x"},
		{"registration", "edit", n, "--org", "1", "--new-org"},
		{"registration", "edit", n, "--row", "1"},
	} {
		var u usageError
		if _, _, err := otvet(t, append(bad, "--config", cfg)...); !errors.As(err, &u) {
			t.Errorf("otvet %s: %v, want a usage error", strings.Join(bad, " "), err)
		}
	}
	if _, _, err := otvet(t, "registration", "edit", n, "--key-channel", "лично", "--row", "9", "--config", cfg); err == nil {
		t.Error("a missing row was accepted")
	}
	if _, _, err := otvet(t, "registration", "edit", n, "--org", "999", "--config", cfg); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a missing organisation: %v", err)
	}
	out := must(t, "registration", "edit", n, "--authority-document", "--new-org", "--key-channel", "защищённый канал связи VipNet",
		"--config", cfg)
	if !strings.Contains(out, "authority document true") || !strings.Contains(out, "a new organisation") {
		t.Errorf("edit: %s", out)
	}
	must(t, "registration", "edit", n, "--row", "2", "--account", "orlova_n", "--key-channel", "лично в руки на материальном носителе", "--config", cfg)
	var reg registrationJSON
	mustJSON(t, &reg, "registration", "show", n, "--json", "--config", cfg)
	p := reg.Request.People
	if !reg.NewOrg || !reg.Request.HasAuthorityDocument || p[0].KeyChannel != "защищённый канал связи VipNet" ||
		p[1].Account != "orlova_n" || p[1].KeyChannel != "лично в руки на материальном носителе" {
		t.Fatalf("after edit: %+v", reg)
	}
	if out := must(t, "registration", "show", n, "--config", cfg); !strings.Contains(out, "orlova_n") || !strings.Contains(out, "new organisation") {
		t.Errorf("show:\n%s", out)
	}

	out = must(t, "registration", "approve", n, "--config", cfg)
	if !strings.Contains(out, "2 registered") {
		t.Fatalf("approve: %s", out)
	}
	var u userJSON
	mustJSON(t, &u, "user", "show", "orlova@sad7.kgo66.ru", "--json", "--config", cfg)
	if u.Systems != "1С" || u.Department != "Бухгалтерия" || u.Account != "orlova_n" || u.Position != "бухгалтер" {
		t.Errorf("user show --json: %+v", u)
	}
	if out := must(t, "user", "show", "orlova@sad7.kgo66.ru", "--config", cfg); !strings.Contains(out, "Systems: 1С") || !strings.Contains(out, "Account: orlova_n") {
		t.Errorf("user show:\n%s", out)
	}
	var us []userJSON
	mustJSON(t, &us, "user", "list", "--json", "--config", cfg)
	if i := slices.IndexFunc(us, func(u userJSON) bool { return u.Email == "sokolova@sad7.kgo66.ru" }); i < 0 || us[i].Rights != "подписание" || us[i].Systems != "ЕИС" {
		t.Errorf("user list --json: %+v", us)
	}

	// The audit trail has the edits and the approval.
	var evs []auditJSON
	mustJSON(t, &evs, "audit", "--json", "--config", cfg)
	var kinds []string
	for _, ev := range evs {
		if strings.HasPrefix(ev.Kind, "registration_") {
			kinds = append(kinds, ev.Kind)
			if fmt.Sprint(ev.Ticket) != n {
				t.Errorf("%s names ticket %d", ev.Kind, ev.Ticket)
			}
		}
	}
	if strings.Join(kinds, ",") != "registration_edited,registration_edited,registration_approved" {
		t.Errorf("audit: %v", kinds)
	}
	if out := must(t, "audit", "--config", cfg); !strings.Contains(out, "registration_approved") || !strings.Contains(out, "#"+n) {
		t.Errorf("audit:\n%s", out)
	}

	// user export: directory, staff entry, audit events, registration rows.
	must(t, "staff", "add", "--email", "orlova@sad7.kgo66.ru", "--name", "Орлова Нина Ивановна", "--role", "manager", "--config", cfg)
	var export struct {
		Directory     *userJSON    `json:"directory"`
		Staff         *exportStaff `json:"staff"`
		Events        []auditJSON  `json:"events"`
		Registrations []exportRow  `json:"registrations"`
		Tickets       []ticketJSON `json:"tickets"`
	}
	mustJSON(t, &export, "user", "export", "Orlova@sad7.kgo66.ru", "--config", cfg)
	if export.Directory == nil || export.Directory.Systems != "1С" || export.Staff == nil || export.Staff.Role != "manager" {
		t.Errorf("export directory/staff: %+v %+v", export.Directory, export.Staff)
	}
	if len(export.Registrations) != 1 || export.Registrations[0].Person.Phone != "2-55-02" || export.Registrations[0].State != "approved" ||
		export.Registrations[0].Person.Systems != "1С" || export.Registrations[0].Person.Position != "бухгалтер" {
		t.Errorf("export registrations: %+v", export.Registrations)
	}
	if !slices.ContainsFunc(export.Events, func(e auditJSON) bool { return e.Kind == "user_added" }) {
		t.Errorf("export events: %+v", export.Events)
	}
}

func TestRegistrationRejectFromCLI(t *testing.T) {
	cfg, n := pendingRequest(t, sad7Request, "sokolova@sad7.kgo66.ru")
	var u usageError
	if _, _, err := otvet(t, "registration", "reject", n, "--config", cfg); !errors.As(err, &u) {
		t.Errorf("reject without a reason: %v", err)
	}
	out := must(t, "registration", "reject", n, "insufficient_info", "--config", cfg)
	if !strings.Contains(out, "rejected") {
		t.Errorf("reject: %s", out)
	}
	var reg registrationJSON
	mustJSON(t, &reg, "registration", "show", n, "--json", "--config", cfg)
	if reg.State != store.RegRejected {
		t.Errorf("state %s", reg.State)
	}
	var tk ticketJSON
	mustJSON(t, &tk, "tickets", "show", n, "--json", "--config", cfg)
	if tk.Status != store.StatusRejected {
		t.Errorf("ticket %s", tk.Status)
	}
	if _, _, err := otvet(t, "registration", "edit", n, "--authority-document", "--config", cfg); err == nil || !strings.Contains(err.Error(), "already rejected") {
		t.Errorf("editing a rejected request: %v", err)
	}
	if _, _, err := otvet(t, "registration", "approve", n, "--config", cfg); err == nil {
		t.Error("a rejected request was approved")
	}
	var evs []auditJSON
	mustJSON(t, &evs, "audit", "--json", "--config", cfg)
	if !slices.ContainsFunc(evs, func(e auditJSON) bool { return e.Kind == "registration_rejected" && fmt.Sprint(e.Ticket) == n }) {
		t.Errorf("audit: %+v", evs)
	}
}

// The security issue's case on the command line: show lists the warnings
// (text and --json), approval without a choice adds neither the outsider
// nor their domain and says so; --add-domain and --allow-person are the
// explicit choices.
func TestRegistrationWarningsAndChoices(t *testing.T) {
	forged := regform.Request{Organisation: regform.Organisation{Name: "МБДОУ «Детский сад № 7»"}, HasAuthorityDocument: true,
		People: []regform.Person{
			{Row: 1, FullName: "Аутсайдер Иван", Email: "outsider@evil.test", Systems: "ЕИС", Action: regform.ActionAdd},
			{Row: 2, FullName: "Иванова Анна", Email: "ivanova@gmail.com", Systems: "ЕИС", Action: regform.ActionAdd},
		}}
	for _, choose := range []bool{false, true} {
		t.Run(fmt.Sprintf("chosen %v", choose), func(t *testing.T) {
			cfg, n := pendingRequest(t, forged, "sokolova@sad7.kgo66.ru")
			var reg struct {
				Warnings []struct {
					Code    string   `json:"code"`
					Args    []string `json:"args"`
					Allowed bool     `json:"allowed"`
					Text    string   `json:"text"`
				} `json:"warnings"`
				AddDomains  []string `json:"add_domains"`
				AllowPeople []string `json:"allow_people"`
			}
			mustJSON(t, &reg, "registration", "show", n, "--json", "--config", cfg)
			var got []string
			for _, w := range reg.Warnings {
				got = append(got, w.Code+":"+strings.Join(w.Args, ","))
				if w.Text == "" || w.Allowed {
					t.Errorf("warning %+v", w)
				}
			}
			if !slices.Contains(got, "new_domain:evil.test") || !slices.Contains(got, "off_domain:outsider@evil.test,evil.test") ||
				!slices.Contains(got, "public_mail:ivanova@gmail.com") {
				t.Errorf("show --json warnings: %v", got)
			}
			if out := must(t, "registration", "show", n, "--config", cfg); !strings.Contains(out, "--add-domain evil.test") ||
				!strings.Contains(out, "--allow-person ivanova@gmail.com") {
				t.Errorf("show:\n%s", out)
			}
			if choose {
				var u usageError
				if _, _, err := otvet(t, "registration", "edit", n, "--add-domain", "mail.ru", "--config", cfg); !errors.As(err, &u) {
					t.Errorf("--add-domain mail.ru: %v", err)
				}
				out := must(t, "registration", "edit", n, "--add-domain", "Evil.test", "--allow-person", "ivanova@gmail.com", "--config", cfg)
				if !strings.Contains(out, "add domain evil.test") || !strings.Contains(out, "allow ivanova@gmail.com") {
					t.Errorf("edit: %s", out)
				}
				mustJSON(t, &reg, "registration", "show", n, "--json", "--config", cfg)
				if !slices.Equal(reg.AddDomains, []string{"evil.test"}) || !slices.Equal(reg.AllowPeople, []string{"ivanova@gmail.com"}) {
					t.Errorf("choices: %+v", reg)
				}
			}
			out := must(t, "registration", "approve", n, "--config", cfg)
			_, _, err := otvet(t, "user", "show", "outsider@evil.test", "--config", cfg)
			if choose {
				if err != nil || !strings.Contains(out, "2 registered") {
					t.Errorf("approve with the choices: %s; outsider: %v", out, err)
				}
				return
			}
			if err == nil || !strings.Contains(out, "0 registered") || !strings.Contains(out, "outsider@evil.test, ivanova@gmail.com") ||
				!strings.Contains(out, "--add-domain evil.test") {
				t.Errorf("approve without a choice: %s; outsider: %v", out, err)
			}
		})
	}
}

// The signatory becomes the head only as the operator confirms: show lists
// it among the warnings, edit --no-head declines it (and --no-head=false
// takes that back), approve --no-head declines it for that approval;
// approve --key-channel sets everyone's key channel, an open one refused.
func TestRegistrationHeadAndKeyChannel(t *testing.T) {
	req := sad7Request
	req.HasAuthorityDocument = true
	req.Organisation.Head = "Е.П. Соколова"
	cfg, n := pendingRequest(t, req, "sokolova@sad7.kgo66.ru")
	out := must(t, "registration", "show", n, "--config", cfg)
	if !strings.Contains(out, "Е.П. Соколова (sokolova@sad7.kgo66.ru) станет руководителем организации") {
		t.Errorf("show does not ask about the head:\n%s", out)
	}
	must(t, "registration", "edit", n, "--no-head", "--config", cfg)
	if out := must(t, "registration", "show", n, "--config", cfg); !strings.Contains(out, "Signatory: Е.П. Соколова — does not become the head") {
		t.Errorf("show after --no-head:\n%s", out)
	}
	var show registrationJSON
	mustJSON(t, &show, "registration", "show", n, "--json", "--config", cfg)
	if !show.Request.NoHead {
		t.Errorf("edit --no-head not recorded: %+v", show.Request)
	}
	must(t, "registration", "edit", n, "--no-head=false", "--config", cfg)
	var ue usageError
	if _, _, err := otvet(t, "registration", "edit", n, "--key-channel", "электронная почта", "--config", cfg); !errors.As(err, &ue) {
		t.Errorf("edit --key-channel with an open channel: %v, want a usage error", err)
	}
	if _, _, err := otvet(t, "registration", "approve", n, "--key-channel", "по e-mail", "--config", cfg); err == nil || !strings.Contains(err.Error(), "open channel") {
		t.Errorf("approve --key-channel with an open channel: %v", err)
	}
	if _, _, err := otvet(t, "registration", "reject", n, "insufficient_info", "--no-head", "--config", cfg); !errors.As(err, &ue) {
		t.Errorf("reject --no-head: %v, want a usage error", err)
	}
	if _, _, err := otvet(t, "registration", "approve", n, "--org", "1", "--config", cfg); !errors.As(err, &ue) {
		t.Errorf("approve --org: %v, want a usage error (an edit flag)", err)
	}
	out = must(t, "registration", "approve", n, "--key-channel", "лично в руки", "--no-head", "--config", cfg)
	if strings.Contains(out, "руководитель организации") {
		t.Errorf("approve --no-head made a head: %s", out)
	}
	var u map[string]any
	mustJSON(t, &u, "user", "show", "sokolova@sad7.kgo66.ru", "--json", "--config", cfg)
	if u["role"] != "user" {
		t.Errorf("after approve --no-head: role %v", u["role"])
	}
}
