package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestReportKB: the announcements of a period (an organisation's report only
// those queued to its people, with how many) and the knowledge-base
// suggestions with whether staff answered, on both engines.
func TestReportKB(t *testing.T) {
	reportEngines(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		day := func(d, h int) time.Time { return time.Date(2024, 12, d, h, 0, 0, 0, time.UTC) }
		nt := func(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }
		var org1, org2, art int64
		err := db.Tx(ctx, func(tx *Tx) error {
			o1, o2 := &Org{Name: "One"}, &Org{Name: "Two"}
			for _, o := range []*Org{o1, o2} {
				if err := tx.CreateOrg(ctx, o, "test", day(1, 0)); err != nil {
					return err
				}
			}
			org1, org2 = o1.ID, o2.ID
			for _, u := range []struct {
				email string
				org   int64
			}{{"a@one.example", org1}, {"b@one.example", org1}, {"c@two.example", org2}} {
				if _, err := tx.UpsertUser(ctx, &User{Email: u.email, FullName: u.email, OrgID: sql.NullInt64{Int64: u.org, Valid: true},
					Confirmed: true}, "test", day(1, 0)); err != nil {
					return err
				}
			}
			// An announcement: its mail and its event share the instant.
			announce := func(when time.Time, detail string, rcpts ...string) error {
				for _, r := range rcpts {
					if err := tx.InsertOutgoing(ctx, &Outgoing{Desk: "sd", Kind: "announcement", MessageID: r + when.String(),
						EnvelopeFrom: "sd@example.test", Recipients: r, RcptKey: r, Subject: "s", Raw: []byte("x"),
						NextAttemptAt: when, CreatedAt: when}); err != nil {
						return err
					}
				}
				return tx.AddEvent(ctx, 0, when, "announcement", "admin", detail)
			}
			for _, f := range []func() error{
				func() error {
					return announce(day(2, 9), "all: «Все» to 3 people from x", "a@one.example", "b@one.example", "c@two.example")
				},
				func() error {
					return announce(day(3, 9), "org:2: «Вторым» to 1 people from x", "c@two.example")
				},
				func() error { return announce(day(4, 9), "system:МИС: «Никому» to 0 people from x") },
				func() error {
					return announce(day(1, 9).AddDate(0, 0, -5), "all: «Раньше» to 3 people from x", "a@one.example")
				},
			} {
				if err := f(); err != nil {
					return err
				}
			}
			a := &KBArticle{Slug: "printer", Title: "Не печатает принтер", Body: "x", Public: true, Source: "cli", CreatedAt: day(1, 0), UpdatedAt: day(1, 0)}
			if err := tx.PutKBArticle(ctx, a, "test"); err != nil {
				return err
			}
			art = a.ID
			org := func(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
			if err := tx.InsertTickets(ctx, []Ticket{
				// 1: resolved, no staff answer: self-served.
				{Desk: "sd", Status: StatusResolved, Subject: "1", CreatedAt: day(5, 9), OrgID: org(org1), ResolvedAt: nt(day(5, 12))},
				// 2: resolved after an agent's answer.
				{Desk: "sd", Status: StatusResolved, Subject: "2", CreatedAt: day(6, 9), OrgID: org(org1), ResolvedAt: nt(day(6, 12))},
				// 3: still open.
				{Desk: "sd", Status: StatusOpen, Subject: "3", CreatedAt: day(7, 9), OrgID: org(org2)},
				// 4: closed, only automatic mail: self-served.
				{Desk: "sd", Status: StatusClosed, Subject: "4", CreatedAt: day(8, 9), OrgID: org(org2), ClosedAt: nt(day(8, 10))},
				// 5: merged into another.
				{Desk: "sd", Status: StatusClosed, Subject: "5", CreatedAt: day(9, 9), ClosedAt: nt(day(9, 10))},
				// 6: resolved after the report's instant.
				{Desk: "sd", Status: StatusResolved, Subject: "6", CreatedAt: day(10, 9), ResolvedAt: nt(day(31, 12))},
				// 7: answered by an agent_reply mail only.
				{Desk: "sd", Status: StatusResolved, Subject: "7", CreatedAt: day(11, 9), ResolvedAt: nt(day(11, 12))},
				// 8: suggested before the period.
				{Desk: "sd", Status: StatusResolved, Subject: "8", CreatedAt: day(1, 9).AddDate(0, 0, -3), ResolvedAt: nt(day(1, 12))},
			}); err != nil {
				return err
			}
			var ids []int64
			if err := tx.sel(ctx, &ids, `SELECT id FROM tickets ORDER BY id`); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE tickets SET merged_into = ? WHERE id = ?`, ids[0], ids[4]); err != nil {
				return err
			}
			for i, id := range ids {
				when := []time.Time{day(5, 9), day(6, 9), day(7, 9), day(8, 9), day(9, 9), day(10, 9), day(11, 9), day(1, 9).AddDate(0, 0, -3)}[i]
				if err := tx.AddEvent(ctx, id, when, "kb_suggested", "", "#1 printer (12.0)"); err != nil {
					return err
				}
			}
			// A second suggestion on ticket 1 is not counted again.
			if err := tx.AddEvent(ctx, ids[0], day(5, 10), "kb_suggested", "", "#1 printer (12.0)"); err != nil {
				return err
			}
			msg := func(ticket int64, dir string, auto bool, when time.Time) error {
				return tx.InsertMessage(ctx, &Message{TicketID: ticket, Direction: dir, FromAddr: "x@example.test", Auto: auto, CreatedAt: when})
			}
			for _, f := range []func() error{
				func() error { return msg(ids[0], DirIn, false, day(5, 9)) },
				func() error { return msg(ids[0], DirOut, true, day(5, 9)) }, // the acknowledgement
				func() error { return msg(ids[0], DirNote, false, day(5, 11)) },
				func() error { return msg(ids[1], DirOut, false, day(6, 11)) }, // an agent's answer
				func() error { return msg(ids[3], DirOut, true, day(8, 9)) },
				func() error { return msg(ids[2], DirOut, false, day(31, 9)) }, // after the instant
			} {
				if err := f(); err != nil {
					return err
				}
			}
			return tx.InsertOutgoing(ctx, &Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: ids[6], Valid: true}, Kind: "agent_reply",
				MessageID: "r7", EnvelopeFrom: "sd@example.test", Recipients: "u@x.example", RcptKey: "u@x.example", Subject: "s",
				Raw: []byte("x"), NextAttemptAt: day(11, 11), CreatedAt: day(11, 11)})
		})
		if err != nil {
			t.Fatal(err)
		}
		from, to := day(1, 0), day(20, 0)

		as, err := db.ReportAnnouncements(ctx, from, to, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 3 || as[0].Detail != "all: «Все» to 3 people from x" || !as[0].At.Equal(day(2, 9)) || as[2].Actor != "admin" {
			t.Fatalf("announcements %+v", as)
		}
		for _, c := range []struct {
			org    int64
			people []int
		}{{org1, []int{2}}, {org2, []int{1, 1}}} {
			as, err := db.ReportAnnouncements(ctx, from, to, c.org)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, a := range as {
				got = append(got, a.OrgPeople)
			}
			if len(got) != len(c.people) || got[0] != c.people[0] || (len(got) > 1 && got[1] != c.people[1]) {
				t.Errorf("org %d: announcements %+v, want people %v", c.org, as, c.people)
			}
		}

		ss, err := db.ReportSuggestions(ctx, from, to, 0)
		if err != nil {
			t.Fatal(err)
		}
		var self []string
		answered := 0
		for _, s := range ss {
			if s.SelfServed(to) {
				self = append(self, s.Detail+" "+s.Status)
			}
			if s.StaffAnswered {
				answered++
			}
		}
		if len(ss) != 7 || len(self) != 2 || answered != 2 {
			t.Fatalf("suggestions %d (%+v), self-served %v, staff answered %d; want 7, 2, 2", len(ss), ss, self, answered)
		}
		if !ss[0].SelfServed(to) || ss[1].SelfServed(to) || ss[2].SelfServed(to) || !ss[3].SelfServed(to) || ss[4].SelfServed(to) ||
			ss[5].SelfServed(to) || ss[6].SelfServed(to) || !ss[6].StaffAnswered {
			t.Errorf("self-served wrong: %+v", ss)
		}
		ss, err = db.ReportSuggestions(ctx, from, to, org2)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) != 2 || ss[0].OrgID != org2 || ss[1].SelfServed(to) != true {
			t.Errorf("organisation's suggestions %+v", ss)
		}

		titles, err := db.KBTitles(ctx, []int64{art, art + 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(titles) != 1 || titles[art] != "Не печатает принтер" {
			t.Errorf("titles %v", titles)
		}
	})
}
