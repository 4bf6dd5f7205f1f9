package digest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/announce"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// kbFixture adds to the December fixture: users of both organisations,
// announcements made through internal/announce (so the events are read as
// announce writes them), two articles and their suggestions.
func kbFixture(t *testing.T, db *store.DB, org1, org2 int64) {
	t.Helper()
	ctx := context.Background()
	tm := templates(t)
	snd := announce.Sender{Desk: "sd", Language: "ru", Location: msk, From: mailout.Address{Name: "Поддержка", Email: "sd@kgo66.ru"},
		DisplayName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru"}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, u := range []struct {
			email, systems string
			org            int64
		}{
			{"ivanova@school1.example", "МИС", org1}, {"petrov@school1.example", "СЭД", org1},
			{"sidorov@adm.example", "МИС; СЭД", org2}, {"lone@home.example", "", 0},
		} {
			if _, err := tx.UpsertUser(ctx, &store.User{Email: u.email, FullName: u.email, Systems: u.systems, Confirmed: true,
				OrgID: sql.NullInt64{Int64: u.org, Valid: u.org != 0}}, "test", at(t, "2024-11-01 09:00")); err != nil {
				return err
			}
		}
		notice := func(aud announce.Audience, subject, when string) error {
			_, err := announce.Send(ctx, tx, tm, snd, announce.Notice{Audience: aud, Subject: subject, Body: "Текст", Actor: "boss@kgo66.ru"},
				time.Second, at(t, when))
			return err
		}
		if err := notice(announce.Audience{All: true}, "Старое", "2024-11-20 10:00"); err != nil { // before the period
			return err
		}
		if err := notice(announce.Audience{All: true}, "Переход на новую почту", "2024-12-03 10:00"); err != nil {
			return err
		}
		if err := notice(announce.Audience{OrgID: org2}, "Замена принтеров", "2024-12-10 11:00"); err != nil {
			return err
		}
		w := store.MaintenanceWindow{ID: 3, System: "МИС", StartsAt: at(t, "2024-12-14 20:00"), EndsAt: at(t, "2024-12-14 23:00")}
		if _, err := announce.Maintenance(ctx, tx, tm, snd, mailout.MaintenanceAdded, w, time.Time{}, time.Second, "boss@kgo66.ru",
			at(t, "2024-12-12 15:00")); err != nil {
			return err
		}
		var ids []int64
		for _, a := range []*store.KBArticle{
			{Slug: "printer", Title: "Не печатает принтер"}, {Slug: "password", Title: "Сброс пароля"}, {Slug: "vpn", Title: "VPN"},
		} {
			a.Body, a.Public, a.Source, a.CreatedAt, a.UpdatedAt = "x", true, "cli", at(t, "2024-11-01 09:00"), at(t, "2024-11-01 09:00")
			if err := tx.PutKBArticle(ctx, a, "test"); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		if err := tx.RemoveKBArticle(ctx, ids[2], "test", at(t, "2024-11-02 09:00")); err != nil {
			return err
		}
		det := func(n ...int) string {
			var parts []string
			for _, i := range n {
				parts = append(parts, "#"+itoa(int(ids[i]))+" x (12.0)")
			}
			return strings.Join(parts, "; ")
		}
		for _, s := range []struct {
			ticket int64
			when   string
			detail string
		}{
			{1, "2024-12-02 10:00", det(0, 1)}, // T1, Школа № 1: resolved, no staff answer
			{5, "2024-12-10 20:00", det(0)},    // T5, Школа № 1: resolved after an agent's answer
			{2, "2024-12-06 16:00", det(1)},    // T2, Администрация: resolved, no staff answer
			{4, "2024-12-28 15:00", det(0, 2)}, // T4, Школа № 1: open
		} {
			if err := tx.AddEvent(ctx, s.ticket, at(t, s.when), "kb_suggested", "", s.detail); err != nil {
				return err
			}
		}
		for _, m := range []store.Message{
			{TicketID: 1, Direction: store.DirOut, Auto: true, FromAddr: "sd@kgo66.ru", CreatedAt: at(t, "2024-12-02 10:00")}, // the acknowledgement
			{TicketID: 5, Direction: store.DirOut, FromAddr: "agent-a@sd.example", CreatedAt: at(t, "2024-12-11 10:30")},
		} {
			if err := tx.InsertMessage(ctx, &m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnnouncementsAndKB: the digest's two sections — the announcements of
// the period (an organisation head's only those that reached its people,
// with how many) and the knowledge base's suggestions (an organisation's
// only its tickets) — in the report, the rendered digest (goldens) and the
// JSON of report sla.
func TestAnnouncementsAndKB(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup := testSetup(t)
		setup.Desk.DisplayName, setup.Desk.SupportAddress, setup.Desk.Name = "Служба технической поддержки КГО", "sd@kgo66.ru", "sd"
		org1, org2 := fixture(t, db, setup.Default)
		kbFixture(t, db, org1, org2)
		r, err := NewReporter(db, setup)
		if err != nil {
			t.Fatal(err)
		}
		from, to := at(t, "2024-12-01 00:00"), at(t, "2025-01-01 00:00")
		for _, c := range []struct {
			name                  string
			org                   int64
			subjects              []string
			people                []int
			suggested, selfServed int
			articles              []string
		}{
			{"operator", 0, []string{"Переход на новую почту", "Замена принтеров", ""}, []int{4, 1, 2}, 4, 2,
				[]string{"Не печатает принтер 3", "Сброс пароля 2", " 1"}},
			{"Школа № 1", org1, []string{"Переход на новую почту", ""}, []int{2, 1}, 3, 1,
				[]string{"Не печатает принтер 3", "Сброс пароля 1", " 1"}},
			{"Администрация", org2, []string{"Переход на новую почту", "Замена принтеров", ""}, []int{1, 1, 1}, 1, 1,
				[]string{"Сброс пароля 1"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				rep, err := r.Report(ctx, Params{From: from, To: to, OrgID: c.org})
				if err != nil {
					t.Fatal(err)
				}
				var subjects []string
				var people []int
				for _, a := range rep.Announcements {
					subjects, people = append(subjects, a.Subject), append(people, a.People)
				}
				if compact(t, subjects) != compact(t, c.subjects) || compact(t, people) != compact(t, c.people) {
					t.Errorf("announcements %v %v, want %v %v", subjects, people, c.subjects, c.people)
				}
				if rep.KB == nil || rep.KB.Suggested != c.suggested || rep.KB.SelfServed != c.selfServed {
					t.Fatalf("kb %+v, want %d suggested, %d self-served", rep.KB, c.suggested, c.selfServed)
				}
				var arts []string
				for _, a := range rep.KB.Articles {
					arts = append(arts, a.Title+" "+itoa(a.Count))
				}
				if compact(t, arts) != compact(t, c.articles) {
					t.Errorf("articles %v, want %v", arts, c.articles)
				}
			})
		}
		if a := rep0(t, r, from, to).Announcements; a[1].Audience.OrgID != org2 || a[1].OrgName != "Администрация" ||
			a[2].Maintenance != mailout.MaintenanceAdded || a[2].System != "МИС" {
			t.Errorf("announcements %+v", a)
		}

		// Nothing in the period: both sections are hidden.
		empty, err := r.Report(ctx, Params{From: at(t, "2024-10-01 00:00"), To: at(t, "2024-11-01 00:00")})
		if err != nil {
			t.Fatal(err)
		}
		if empty.Announcements != nil || empty.KB != nil {
			t.Errorf("empty period: %+v %+v", empty.Announcements, empty.KB)
		}
		tm := templates(t)
		p, err := testPlan(t, setup).Of(Monthly, workcal.Date{Year: 2024, Month: 10, Day: 15})
		if err != nil {
			t.Fatal(err)
		}
		d, err := r.Build(ctx, tm, p, Recipient{Email: "boss@kgo66.ru", Lang: "ru"}, at(t, "2025-01-09 09:00"))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"ОБЪЯВЛЕНИЯ", "Объявления", "ПОДСКАЗКИ", "Подсказки"} {
			if strings.Contains(d.Rendered.Text+d.Rendered.HTML, n) {
				t.Errorf("an empty period's digest shows %q", n)
			}
		}

		// The JSON of report sla.
		var buf bytes.Buffer
		if err := rep0(t, r, from, to).SLA().WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		var j struct {
			Announcements []map[string]any `json:"announcements"`
			KB            map[string]any   `json:"knowledge_base"`
		}
		if err := json.Unmarshal(buf.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		if len(j.Announcements) != 3 || compact(t, j.Announcements[1]) != compact(t, map[string]any{
			"at": "2024-12-10T11:00:00+03:00", "subject": "Замена принтеров", "audience": "org:" + itoa(int(org2)),
			"organisation": "Администрация", "people": 1}) ||
			compact(t, j.Announcements[2]) != compact(t, map[string]any{"at": "2024-12-12T15:00:00+03:00", "audience": "system:МИС",
				"maintenance": "added", "system": "МИС", "people": 2}) {
			t.Errorf("announcements JSON %s", compact(t, j.Announcements))
		}
		if compact(t, j.KB["suggested"]) != "4" || compact(t, j.KB["self_served"]) != "2" || compact(t, j.KB["self_served_share"]) != "50" ||
			!strings.Contains(compact(t, j.KB["articles"]), `"suggested":3,"title":"Не печатает принтер"`) {
			t.Errorf("kb JSON %s", compact(t, j.KB))
		}
		buf.Reset()
		if err := rep0(t, r, from, to).SLA().WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"Announcements", "Замена принтеров", "Knowledge base: 4 request(s) given a suggestion, 2 resolved without a staff answer (50.0%)"} {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("text lacks %q:\n%s", w, buf.String())
			}
		}
	})
}

func rep0(t *testing.T, r *Reporter, from, to time.Time) *Report {
	t.Helper()
	rep, err := r.Report(context.Background(), Params{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestAnnouncementsAndKBDigest renders the two sections (goldens): the
// operator's digest in both languages and a head's.
func TestAnnouncementsAndKBDigest(t *testing.T) {
	db := openSQLite(t)
	setup := testSetup(t)
	setup.Desk.DisplayName, setup.Desk.SupportAddress, setup.Desk.Name = "Служба технической поддержки КГО", "sd@kgo66.ru", "sd"
	org1, org2 := fixture(t, db, setup.Default)
	kbFixture(t, db, org1, org2)
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
		name       string
		rc         Recipient
		text, html string
		not        []string
	}{
		{"ru", Recipient{Email: "boss@kgo66.ru", Lang: "ru"}, "ОБЪЯВЛЕНИЯ ЗА ПЕРИОД", "Объявления за период", nil},
		{"en", Recipient{Email: "boss@kgo66.ru", Lang: "en"}, "ANNOUNCEMENTS IN THE PERIOD", "Announcements in the period", nil},
		{"ru_org", Recipient{Email: "head@school1.example", Lang: "ru", OrgID: org1}, "ОБЪЯВЛЕНИЯ ЗА ПЕРИОД", "Объявления за период",
			[]string{"Замена принтеров", "Администрация"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := r.Build(context.Background(), tm, p, c.rc, at(t, "2025-01-09 09:00"))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "digest_kb_"+c.name+".golden", []byte(between(t, d.Rendered.Text, c.text, d.CSVName)+
				"===== HTML =====\n"+between(t, d.Rendered.HTML, c.html, d.CSVName)))
			for _, n := range c.not {
				if strings.Contains(d.Rendered.Text+d.Rendered.HTML, n) {
					t.Errorf("digest shows %q", n)
				}
			}
		})
	}
}
