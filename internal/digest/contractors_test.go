package digest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// sectionsFixture loads four December 2024 tickets with information systems
// and two contractors' involvements whose figures the test computes by hand:
//
//	irtech (ООО «ИРТех», 4 h): A on #1 answered in 1 h 30 min (in time);
//	  B on #2 answered in 6 h (late, its due time 05.12 15:00 passed);
//	  C on #3 unanswered past due 09.12 15:00; D on #4 passed in November,
//	  still unanswered (open, its due time before the period).
//	telecom (Ростелеком, name hidden from requesters, 8 h): E on #3 passed
//	  27.12, due 09.01 (pending); F on #1 recalled before its due time.
func sectionsFixture(t *testing.T, db *store.DB) (org1 int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		o1, o2 := &store.Org{Name: "Школа № 1", SupportLevel: "standard"}, &store.Org{Name: "Администрация", SupportLevel: "standard"}
		for _, o := range []*store.Org{o1, o2} {
			if err := tx.CreateOrg(ctx, o, "test", at(t, "2024-11-01 09:00")); err != nil {
				return err
			}
		}
		org1 = o1.ID
		org := func(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
		tickets := []store.Ticket{
			{Subject: "T1", Status: store.StatusResolved, OrgID: org(o1.ID), System: "МИС", CreatedAt: at(t, "2024-12-02 10:00"),
				FirstResponseAt: nt(t, "2024-12-02 10:30"), ResolvedAt: nt(t, "2024-12-03 10:00"), ClosedAt: nt(t, "2024-12-03 10:00")},
			{Subject: "T2", Status: store.StatusOpen, OrgID: org(o2.ID), System: "СЭД", CreatedAt: at(t, "2024-12-05 10:00"),
				FirstResponseAt: nt(t, "2024-12-05 10:30")},
			{Subject: "T3", Status: store.StatusOpen, OrgID: org(o1.ID), System: "МИС", CreatedAt: at(t, "2024-12-09 10:00")},
			{Subject: "T4", Status: store.StatusOpen, CreatedAt: at(t, "2024-11-25 09:00")},
		}
		for i := range tickets {
			tickets[i].Desk, tickets[i].SupportLevel, tickets[i].RequesterEmail = "sd", "standard", "user@client.example"
		}
		if err := tx.InsertTickets(ctx, tickets); err != nil {
			return err
		}
		irtech := &store.Contractor{Name: "irtech", DisplayName: "ООО «ИРТех»", Addresses: "support@irtech.example", ResponseMinutes: 240}
		telecom := &store.Contractor{Name: "telecom", DisplayName: "Ростелеком", HideName: true, Addresses: "@telecom.example", ResponseMinutes: 480}
		for _, k := range []*store.Contractor{irtech, telecom} {
			if err := tx.AddContractor(ctx, k, at(t, "2024-11-01 09:00")); err != nil {
				return err
			}
		}
		type step struct {
			ticket     int64
			k          *store.Contractor
			started    string
			due        string
			answered   string
			took       time.Duration
			ended      string
			targetMins int64
		}
		for _, s := range []step{
			{1, irtech, "2024-12-02 11:00", "2024-12-02 15:00", "2024-12-02 12:30", 90 * time.Minute, "", 240},
			{2, irtech, "2024-12-05 11:00", "2024-12-05 15:00", "2024-12-06 11:00", 6 * time.Hour, "", 240},
			{3, irtech, "2024-12-09 11:00", "2024-12-09 15:00", "", 0, "", 240},
			{4, irtech, "2024-11-25 10:00", "2024-11-25 14:00", "", 0, "", 240},
			{3, telecom, "2024-12-27 10:00", "2025-01-09 10:00", "", 0, "", 480},
			{1, telecom, "2024-12-02 12:00", "2024-12-03 12:00", "", 0, "2024-12-02 13:00", 480},
		} {
			email := "support@" + s.k.Name + ".example"
			p, err := tx.AddParticipant(ctx, s.ticket, email, s.k.DisplayName, store.RoleContractor, at(t, s.started))
			if err != nil {
				return err
			}
			v := &store.Involvement{TicketID: s.ticket, ContractorID: s.k.ID, ParticipantID: p.ID, Email: email,
				StartedAt: at(t, s.started), TargetSeconds: s.targetMins * 60, DueAt: nt(t, s.due), StartedBy: "agent@sd.example"}
			if err := tx.AddInvolvement(ctx, v); err != nil {
				return err
			}
			if s.answered != "" {
				if err := tx.AnswerInvolvement(ctx, v.ID, at(t, s.answered), s.took); err != nil {
					return err
				}
			}
			if s.ended != "" {
				if err := tx.MarkInvolvement(ctx, v.ID, store.InvEnded, at(t, s.ended)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return org1
}

// TestContractorAndSystemSections: the per-contractor and per-system
// figures of the report and of `report sla --format json`, for the operator
// and for an organisation's head (its own tickets, hidden names merged).
func TestContractorAndSystemSections(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup := testSetup(t)
		org1 := sectionsFixture(t, db)
		r, err := NewReporter(db, setup)
		if err != nil {
			t.Fatal(err)
		}
		type want struct {
			name                                     string
			passed, met, late, pending, open, breach int
			median                                   time.Duration
		}
		check := func(t *testing.T, got []ContractorGroup, ws []want) {
			t.Helper()
			if len(got) != len(ws) {
				t.Fatalf("contractors %+v, want %+v", got, ws)
			}
			for i, w := range ws {
				g := got[i]
				if g.Name != w.name || g.Passed != w.passed || g.Response.Met != w.met || g.Response.Breached != w.late ||
					g.Response.Pending != w.pending || g.Open != w.open || g.Breaches != w.breach || g.Response.Median != w.median {
					t.Errorf("contractor %d: %+v, want %+v", i, g, w)
				}
			}
		}
		p := Params{From: at(t, "2024-12-01 00:00"), To: at(t, "2025-01-01 00:00")}
		rep, err := r.Report(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		check(t, rep.Contractors, []want{
			{"irtech", 3, 1, 2, 0, 2, 2, (90*time.Minute + 6*time.Hour) / 2},
			{"telecom", 2, 0, 0, 1, 1, 0, 0},
		})
		var sys []string
		for _, g := range rep.Systems {
			sys = append(sys, g.Name+":"+itoa(g.Received)+"/"+itoa(g.Resolved))
		}
		if strings.Join(sys, " ") != "МИС:2/1 СЭД:1/0" {
			t.Errorf("systems %v", sys)
		}

		// As of 3 December 12:00: B not yet passed, A answered, F recalled.
		p.Now = at(t, "2024-12-03 12:00")
		early, err := r.Report(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		check(t, early.Contractors, []want{
			{"irtech", 1, 1, 0, 0, 1, 0, 90 * time.Minute},
			{"telecom", 1, 0, 0, 0, 0, 0, 0},
		})

		// The organisation's head: its tickets #1 and #3 only; telecom's name is hidden.
		orgRep, err := r.Report(ctx, Params{From: p.From, To: p.To, OrgID: org1})
		if err != nil {
			t.Fatal(err)
		}
		check(t, orgRep.Contractors, []want{
			{"irtech", 2, 1, 1, 0, 1, 1, 90 * time.Minute},
			{"", 2, 0, 0, 1, 1, 0, 0},
		})

		// The JSON of report sla.
		var b bytes.Buffer
		if err := rep.SLA().WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		var j struct {
			Systems []struct {
				System   *string `json:"system"`
				Received int     `json:"received"`
				Resolved int     `json:"resolved"`
			} `json:"systems"`
			Contractors []map[string]any `json:"contractors"`
		}
		if err := json.Unmarshal(b.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		if len(j.Systems) != 2 || *j.Systems[0].System != "МИС" || j.Systems[0].Received != 2 || j.Systems[0].Resolved != 1 {
			t.Errorf("JSON systems %+v", j.Systems)
		}
		irtech := `{"answered_in_time":1,"breaches":2,"compliance":33.3,"contractor":"irtech","display_name":"ООО «ИРТех»","late":2,` +
			`"median_response_seconds":13500,"open_with_contractor":2,"passed":3,"pending":0}`
		telecom := `{"answered_in_time":0,"breaches":0,"compliance":null,"contractor":"telecom","display_name":"Ростелеком","late":0,` +
			`"median_response_seconds":null,"open_with_contractor":1,"passed":2,"pending":1}`
		if len(j.Contractors) != 2 || compact(t, j.Contractors[0]) != irtech || compact(t, j.Contractors[1]) != telecom {
			t.Errorf("JSON contractors %v", j.Contractors)
		}
		b.Reset()
		if err := rep.SLA().WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"system        МИС", "ООО «ИРТех» (irtech)", "33.3%", "3h 45m"} {
			if !strings.Contains(b.String(), w) {
				t.Errorf("text lacks %q:\n%s", w, b.String())
			}
		}
		b.Reset()
		if err := rep.SLA().WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"\nsystem,МИС,,2,", "\ncontractor,ООО «ИРТех» (irtech),,3,1,2,0,33.3,13500,"} {
			if !strings.Contains(b.String(), w) {
				t.Errorf("CSV lacks %q:\n%s", w, b.String())
			}
		}

		// Nothing passed, no system: no sections, empty JSON lists.
		none, err := r.Report(ctx, Params{From: at(t, "2024-10-01 00:00"), To: at(t, "2024-11-01 00:00")})
		if err != nil {
			t.Fatal(err)
		}
		if none.Contractors != nil || none.Systems != nil {
			t.Errorf("empty period: %+v %+v", none.Contractors, none.Systems)
		}
		b.Reset()
		_ = none.SLA().WriteJSON(&b)
		if !strings.Contains(b.String(), `"systems": []`) || !strings.Contains(b.String(), `"contractors": []`) {
			t.Errorf("empty period JSON:\n%s", b.String())
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func compact(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestContractorAndSystemDigest renders the two sections (golden), and an
// organisation head's digest without other organisations' involvements,
// the contractors' handles or a hidden name.
func TestContractorAndSystemDigest(t *testing.T) {
	db := openSQLite(t)
	setup := testSetup(t)
	setup.Desk.DisplayName, setup.Desk.SupportAddress, setup.Desk.Name = "Служба технической поддержки КГО", "sd@kgo66.ru", "sd"
	org1 := sectionsFixture(t, db)
	r, err := NewReporter(db, setup)
	if err != nil {
		t.Fatal(err)
	}
	tm := templates(t)
	p, err := testPlan(t, setup).Of(Monthly, workcal.Date{Year: 2024, Month: 12, Day: 15})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name                   string
		rc                     Recipient
		text, html, endT, endH string
		not                    []string
	}{
		{"ru", Recipient{Email: "boss@kgo66.ru", Lang: "ru"}, "ПО СИСТЕМАМ", "По информационным системам", "НАРУШЕНИЯ", "Нарушения сроков", nil},
		{"en", Recipient{Email: "boss@kgo66.ru", Lang: "en"}, "BY INFORMATION SYSTEM", "By information system", "BREACHES", "Breaches in", nil},
		{"ru_org", Recipient{Email: "head@school1.example", Lang: "ru", OrgID: org1}, "ПО СИСТЕМАМ", "По информационным системам",
			"НАРУШЕНИЯ", "Нарушения сроков", []string{"irtech", "telecom", "Ростелеком", "СЭД", "Администрация", "@irtech", "agent@sd"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := r.Build(context.Background(), tm, p, c.rc, at(t, "2025-01-09 09:00"))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "digest_sections_"+c.name+".golden", []byte(between(t, d.Rendered.Text, c.text, c.endT)+
				"===== HTML =====\n"+between(t, d.Rendered.HTML, c.html, c.endH)))
			for _, n := range c.not {
				if strings.Contains(d.Rendered.Text+d.Rendered.HTML, n) {
					t.Errorf("digest shows %q", n)
				}
			}
		})
	}
}

// between is the part of a rendered digest s from the line holding from up
// to the line holding end (exclusive; the rest when there is none).
func between(t *testing.T, s, from, end string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("no %q in\n%s", from, s)
	}
	s = s[strings.LastIndex(s[:i], "\n")+1:]
	if j := strings.Index(s, end); j >= 0 {
		s = s[:strings.LastIndex(s[:j], "\n")+1]
	}
	return s
}
