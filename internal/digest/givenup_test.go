package digest

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

// giveUp queues a message and gives it up at when, as the outbox worker does.
func giveUp(t *testing.T, db *store.DB, ticket int64, kind, rcpt, lastError, when string) {
	t.Helper()
	ctx := context.Background()
	now := at(t, when)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		return tx.InsertOutgoing(ctx, &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: ticket, Valid: ticket != 0}, Kind: kind,
			MessageID: rcpt + when + "@sd", EnvelopeFrom: "sd@kgo66.ru", Recipients: rcpt, RcptKey: rcpt, Subject: "s",
			Raw: []byte("x"), NextAttemptAt: now, CreatedAt: now.Add(-time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.ClaimOutgoing(ctx, now, 1, func(int) time.Duration { return time.Minute })
	if err != nil || len(rows) != 1 {
		t.Fatalf("claim: %v %v", rows, err)
	}
	if _, err := db.FinishAttempt(ctx, &rows[0], now, store.Attempt{Err: lastError, GiveUp: true}); err != nil {
		t.Fatal(err)
	}
}

// TestDigestGivenUp: the operator's digest lists every message the outbox
// gave up in the period with the reason in words; an organisation's digest
// only the mail of its own tickets to its people.
func TestDigestGivenUp(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup := testSetup(t)
		setup.Desk.DisplayName, setup.Desk.SupportAddress, setup.Desk.Name = "Служба технической поддержки КГО", "sd@kgo66.ru", "sd"
		org1, _ := fixture(t, db, setup.Default)
		const expired = "giving up: not delivered within 168h0m0s of queueing: dial tcp 10.0.0.25:587: connection refused"
		giveUp(t, db, 2, mailout.TmplAgentReply, "gone@client.example", "550 5.1.1 user unknown", "2024-12-10 12:00") // org2
		giveUp(t, db, 5, mailout.TmplAck, "user@school1.example", expired, "2024-12-11 09:30")                        // org1
		giveUp(t, db, 5, mailout.TmplAgentNotify, "agent-a@sd.example", "550 mailbox full", "2024-12-11 09:31")       // staff
		giveUp(t, db, 0, mailout.TmplBlocked, "spam@elsewhere.example", "554 rejected", "2024-12-12 10:00")           // no ticket
		giveUp(t, db, 1, mailout.TmplAgentReply, "old@client.example", "550 5.1.1 user unknown", "2024-11-20 10:00")  // before
		r, err := NewReporter(db, setup)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name    string
			orgID   int64
			limit   int
			count   int
			tickets []int64
		}{
			{"operator", 0, 0, 4, []int64{2, 5, 5, 0}},
			{"operator, list capped", 0, 2, 4, []int64{2, 5}},
			{"organisation", org1, 0, 1, []int64{5}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rep, err := r.Report(ctx, Params{From: at(t, "2024-12-01 00:00"), To: at(t, "2025-01-01 00:00"), OrgID: c.orgID, Limit: c.limit})
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, g := range rep.GivenUp {
					got = append(got, g.TicketID)
				}
				if rep.GivenUpCount != c.count || len(got) != len(c.tickets) {
					t.Fatalf("given up %d %v, want %d %v", rep.GivenUpCount, got, c.count, c.tickets)
				}
				for i := range got {
					if got[i] != c.tickets[i] {
						t.Errorf("given up %v, want %v", got, c.tickets)
					}
				}
			})
		}
		tm := templates(t)
		p, err := testPlan(t, setup).Of(Monthly, workcal.Date{Year: 2024, Month: 12, Day: 15})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			rc        Recipient
			want, not []string
		}{
			{"ru", Recipient{Email: "boss@kgo66.ru", Lang: "ru"},
				[]string{"ОТПРАВКА ПРЕКРАЩЕНА (письмо так и не ушло): 4", "#2 gone@client.example — почтовый сервер отказался принять письмо (550 5.1.1 user unknown)",
					"#5 user@school1.example — не удалось отправить за отведённый срок (dial tcp 10.0.0.25:587: connection refused)",
					"agent-a@sd.example", "spam@elsewhere.example"}, []string{"old@client.example", "giving up"}},
			{"en", Recipient{Email: "boss@kgo66.ru", Lang: "en"},
				[]string{"MAIL GIVEN UP (never sent): 4", "#2 gone@client.example — the mail server refused the message (550 5.1.1 user unknown)",
					"not sent within the time allowed"}, nil},
			{"ru_org", Recipient{Email: "head@school1.example", Lang: "ru", OrgID: org1},
				[]string{"ОТПРАВКА ПРЕКРАЩЕНА (письмо так и не ушло): 1", "user@school1.example"},
				[]string{"gone@client.example", "agent-a@sd.example", "spam@elsewhere.example"}},
		} {
			t.Run("render "+c.name, func(t *testing.T) {
				d, err := r.Build(ctx, tm, p, c.rc, at(t, "2025-01-09 09:00"))
				if err != nil {
					t.Fatal(err)
				}
				html := strings.ReplaceAll(d.Rendered.HTML, "&lt;", "<")
				for _, w := range c.want {
					if !strings.Contains(d.Rendered.Text, w) {
						t.Errorf("text lacks %q", w)
					}
					if !strings.Contains(strings.ToLower(html), strings.ToLower(w)) { // headings are capitalised in the text
						t.Errorf("HTML lacks %q", w)
					}
				}
				for _, n := range c.not {
					if strings.Contains(d.Rendered.Text+d.Rendered.HTML, n) {
						t.Errorf("digest shows %q", n)
					}
				}
				if c.name == "ru" {
					checkGolden(t, "digest_givenup_ru.golden", []byte(section(d.Rendered.Text, "ОТПРАВКА ПРЕКРАЩЕНА")+"\n===== HTML =====\n"+section(d.Rendered.HTML, "Отправка прекращена")))
				}
				if c.name == "en" {
					checkGolden(t, "digest_givenup_en.golden", []byte(section(d.Rendered.Text, "MAIL GIVEN UP")+"\n===== HTML =====\n"+section(d.Rendered.HTML, "Mail given up")))
				}
			})
		}
	})
}

// section is s from the line holding heading to the next blank line or list end.
func section(s, heading string) string {
	i := strings.Index(s, heading)
	if i < 0 {
		return ""
	}
	s = s[strings.LastIndex(s[:i], "\n")+1:]
	if j := strings.Index(s, "\n\n"); j >= 0 {
		s = s[:j]
	}
	if j := strings.Index(s, "</ul>"); j >= 0 {
		s = s[:j+len("</ul>")]
	}
	return s + "\n"
}
