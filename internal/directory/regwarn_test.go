package directory

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

func TestRegistrationWarnings(t *testing.T) {
	sad7 := &store.Org{ID: 7, Name: "МБДОУ Детский сад № 7", Domains: []string{"sad7.kgo66.ru"}}
	uszn := &store.Org{ID: 12, Name: "УСЗН", Domains: []string{"uszn.kgo66.ru"}}
	member := func(email, role, rights string, org *store.Org) *store.User {
		return &store.User{Email: email, Role: role, Rights: rights, OrgID: sql.NullInt64{Int64: org.ID, Valid: true}}
	}
	users := map[string]*store.User{
		"sokolova@sad7.kgo66.ru": member("sokolova@sad7.kgo66.ru", store.RoleHead, "", sad7),
		"orlova@sad7.kgo66.ru":   member("orlova@sad7.kgo66.ru", store.RoleUser, "просмотр", sad7),
		"petrov@uszn.kgo66.ru":   member("petrov@uszn.kgo66.ru", store.RoleUser, "", uszn),
		"head@gmail.com":         member("head@gmail.com", store.RoleHead, "", sad7),
	}
	people := func(ps ...regform.Person) *regform.Request {
		for i := range ps {
			ps[i].Row = i + 1
			if ps[i].Action == "" {
				ps[i].Action = regform.ActionAdd
			}
		}
		return &regform.Request{People: ps}
	}
	p := func(email string) regform.Person { return regform.Person{FullName: "X", Email: email} }
	headed := func(head string, ps ...regform.Person) *regform.Request {
		r := people(ps...)
		r.Organisation.Head = head
		return r
	}
	for _, c := range []struct {
		name      string
		f         RegistrationFacts
		want      string // code(args)[+ when allowed], in order
		wantTexts []string
	}{
		{"the audit's forgery: a user lists an outsider", RegistrationFacts{Org: sad7, Requester: "Orlova@sad7.kgo66.ru",
			Request: people(p("outsider@evil.test"))},
			"new_domain(evil.test) requester_not_head(orlova@sad7.kgo66.ru) off_domain(outsider@evil.test evil.test)",
			[]string{"evil.test", "--add-domain evil.test", "--allow-person outsider@evil.test", "orlova@sad7.kgo66.ru"}},
		{"the head adds a colleague on the organisation's domain", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(p("lebedeva@sad7.kgo66.ru"), p("orlova@sad7.kgo66.ru"))}, "", nil},
		{"a subdomain of the organisation's domain is its own", RegistrationFacts{Org: &store.Org{ID: 7, Domains: []string{"kgo66.ru"}},
			Requester: "sokolova@sad7.kgo66.ru", Users: map[string]*store.User{"sokolova@sad7.kgo66.ru": users["sokolova@sad7.kgo66.ru"]},
			Request: people(p("lebedeva@sad7.kgo66.ru"))}, "", nil},
		{"the operator chose the domain", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(p("novikova@ds7.kgo66.ru")), AddDomains: []string{"ds7.kgo66.ru"}},
			"new_domain(ds7.kgo66.ru)+", []string{"разрешено оператором"}},
		{"a domain chosen that no person is on is listed too", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(), AddDomains: []string{"sad7.ru"}}, "new_domain(sad7.ru)+", nil},
		{"a public mail service", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(p("ivanova@Mail.ru"), p("petrova@gmail.com"))},
			"public_mail(ivanova@mail.ru) public_mail(petrova@gmail.com)", []string{"--allow-person ivanova@mail.ru", "публичного"}},
		{"a public address the operator allowed", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(p("ivanova@mail.ru")), AllowPeople: []string{"ivanova@mail.ru"}}, "public_mail(ivanova@mail.ru)+", nil},
		{"an off-domain address the operator allowed", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(p("ivan@home.example")), AllowPeople: []string{"ivan@home.example"}},
			"new_domain(home.example) off_domain(ivan@home.example home.example)+", nil},
		{"role changes", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(regform.Person{Email: "orlova@sad7.kgo66.ru", Rights: "администратор", Action: regform.ActionUpdate},
				regform.Person{Email: "sokolova@sad7.kgo66.ru", Rights: "подписание"})},
			"role_change(orlova@sad7.kgo66.ru просмотр администратор)", []string{"--allow-role-change", "«просмотр» заменяются на «администратор»"}},
		{"the same rights written differently are no change", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(regform.Person{Email: "orlova@sad7.kgo66.ru", Rights: "Просмотр."})}, "", nil},
		{"a role change allowed", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru", AllowRoleChange: true,
			Request: people(regform.Person{Email: "orlova@sad7.kgo66.ru", Rights: "администратор"})},
			"role_change(orlova@sad7.kgo66.ru просмотр администратор)+", nil},
		{"another organisation's user and domain", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			UserOrgs: map[int64]*store.Org{12: uszn}, DomainOrgs: map[string]*store.Org{"uszn.kgo66.ru": uszn},
			Request: people(p("petrov@uszn.kgo66.ru"), p("new@uszn.kgo66.ru"))},
			"other_org(petrov@uszn.kgo66.ru #12 «УСЗН») foreign_domain(new@uszn.kgo66.ru #12 «УСЗН»)", []string{"--move-users"}},
		{"removals are no change of the directory's membership", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: people(regform.Person{Email: "x@evil.test", Action: regform.ActionRemove})}, "", nil},
		{"the head writes from a public mailbox", RegistrationFacts{Org: sad7, Requester: "head@gmail.com",
			Request: people(p("lebedeva@sad7.kgo66.ru"))}, "requester_off_domain(head@gmail.com)", nil},
		{"a stranger writes for the organisation", RegistrationFacts{Org: sad7, Requester: "boss@evil.test",
			Request: people(p("lebedeva@sad7.kgo66.ru"))},
			"new_domain(evil.test) requester_not_head(boss@evil.test) requester_off_domain(boss@evil.test)", nil},
		{"a new organisation: the requester's colleagues, and someone else", RegistrationFacts{Requester: "sokolova@sad7.kgo66.ru",
			Users:   map[string]*store.User{},
			Request: people(p("orlova@sad7.kgo66.ru"), p("outsider@evil.test"))},
			"new_domain(sad7.kgo66.ru) new_domain(evil.test) off_domain(outsider@evil.test evil.test)", nil},
		{"the signatory becomes the head, shown before approval", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: headed("Н.В. Лебедева", regform.Person{FullName: "Лебедева Надежда Викторовна", Email: "lebedeva@sad7.kgo66.ru"})},
			"head(lebedeva@sad7.kgo66.ru Н.В. Лебедева)+", []string{"станет руководителем", "--no-head", "becomes the organisation's head"}},
		{"the operator declined the head", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru", NoHead: true,
			Request: headed("Лебедева Надежда Викторовна", regform.Person{FullName: "Лебедева Надежда Викторовна", Email: "lebedeva@sad7.kgo66.ru"})},
			"head(lebedeva@sad7.kgo66.ru Лебедева Надежда Викторовна)", []string{"оператор отказался", "declined by the operator"}},
		{"the signatory already the head", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: headed("Соколова Н. В.", regform.Person{FullName: "Соколова Нина Васильевна", Email: "sokolova@sad7.kgo66.ru"})}, "", nil},
		{"the signatory not among the people", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: headed("Н.В. Лебедева", regform.Person{FullName: "Лебедев Николай Васильевич", Email: "lebedev@sad7.kgo66.ru"})},
			"head_not_listed(Н.В. Лебедева)", []string{"нет среди сотрудников"}},
		{"the signatory in the genitive («в лице директора …»)", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: headed("Лебедевой Надежды Викторовны", regform.Person{FullName: "Лебедева Надежда Викторовна", Email: "lebedeva@sad7.kgo66.ru"})},
			"head(lebedeva@sad7.kgo66.ru Лебедевой Надежды Викторовны)+", nil},
		{"two people of the signatory's name: nobody", RegistrationFacts{Org: sad7, Requester: "sokolova@sad7.kgo66.ru",
			Request: headed("Н.В. Лебедева", regform.Person{FullName: "Лебедева Надежда Викторовна", Email: "a@sad7.kgo66.ru"},
				regform.Person{FullName: "Лебедева Нина Витальевна", Email: "b@sad7.kgo66.ru"})},
			"head_not_listed(Н.В. Лебедева)", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.f.Users == nil {
				c.f.Users = users
			}
			ws := RegistrationWarnings(c.f)
			var got []string
			for _, w := range ws {
				s := fmt.Sprintf("%s(%s)", w.Code, strings.Join(w.Args, " "))
				if w.Allowed {
					s += "+"
				}
				got = append(got, s)
			}
			if g := strings.Join(got, " "); g != c.want {
				t.Errorf("warnings\n got %s\nwant %s", g, c.want)
			}
			text := WarningsText(ws, "ru", 150) + WarningsText(ws, "en", 150)
			if len(ws) == 0 && text != "" {
				t.Errorf("text without warnings: %q", text)
			}
			for _, want := range c.wantTexts {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "%!") || strings.Contains(text, "registration.") {
				t.Errorf("a broken text:\n%s", text)
			}
		})
	}
}

func TestSameSignatory(t *testing.T) {
	const full = "Соколова Надежда Викторовна"
	for _, c := range []struct {
		sign, name string
		want       bool
	}{
		{"Н.В. Соколова", full, true},
		{"Соколова Н. В.", full, true},
		{"соколова н.в.", full, true},
		{"Соколова Надежда Викторовна", full, true},
		{"Надежда Викторовна Соколова", full, true},
		{"Н.В. Соколова", "Надежда Викторовна Соколова", true},
		{"Н.Ю. Соколова", full, false},
		{"Н.В. Соколов", full, false},
		{"Соколовой Надежды Викторовны", full, false},
		{"Соколова Надежда", full, false},
		{"Ф.Ё. Семёнов", "Семенов Фёдор Ёсифович", true},
		{"", full, false},
	} {
		if got := SameSignatory(c.sign, c.name); got != c.want {
			t.Errorf("SameSignatory(%q, %q) = %v, want %v", c.sign, c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		sign, name string
		want       bool
	}{
		{"Соколовой Надежды Викторовны", full, true},
		{"Соколовой Н.В.", full, true},
		{"Кузнецова Сергея Петровича", "Кузнецов Сергей Петрович", true},
		{"Белых Ильи Фомича", "Белых Илья Фомич", true},
		{"Смирновой Любови Ивановны", "Смирнова Любовь Ивановна", true},
		{"Островской Анны Юрьевны", "Островская Анна Юрьевна", true},
		{"Соколова Надежда Викторовна", full, true},
		{"Соколовой Н.Ю.", full, false},
		{"Кузнецова С.П.", "Кузнецов Сергей Петрович", false},
		{"Петровой Надежды Викторовны", full, false},
	} {
		if got := sameSignatoryInflected(c.sign, c.name); got != c.want {
			t.Errorf("sameSignatoryInflected(%q, %q) = %v, want %v", c.sign, c.name, got, c.want)
		}
	}
}
