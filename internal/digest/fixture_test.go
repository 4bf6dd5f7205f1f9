package digest

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
	"github.com/otvet/otvet/internal/workcal"
)

// engines runs f on SQLite and, when the real servers are up, on PostgreSQL.
func engines(t *testing.T, f func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, openPostgres(t)) })
}

func openSQLite(t testing.TB) *store.DB {
	return openDB(t, store.Options{Dialect: store.SQLite, Path: filepath.Join(t.TempDir(), "otvet.db")})
}

func openPostgres(t testing.TB) *store.DB {
	env := testenv.Get(t)
	return openDB(t, store.Options{Dialect: store.Postgres, DSN: env.NewPostgresDB(t)})
}

func openDB(t testing.TB, o store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

var msk = mustLoad("Europe/Moscow")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at parses "2006-01-02 15:04" in Moscow.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, msk)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func testSetup(t testing.TB) *Setup {
	t.Helper()
	cal, err := workcal.New(workcal.Options{Location: msk})
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]sla.Level{}
	for _, l := range sla.DefaultLevels() {
		levels[l.Name] = l
	}
	return &Setup{Calendars: map[string]*workcal.Calendar{"sd": cal}, Default: cal, Levels: levels, Clauses: DefaultClauses()}
}

// clock builds a stored clock: start at opened, then "pause T", "resume T", "stop T".
func clock(t testing.TB, cal *workcal.Calendar, m sla.Metric, target time.Duration, opened string, steps ...string) string {
	t.Helper()
	c := sla.Start(m, target, at(t, opened), cal)
	for _, s := range steps {
		kind, when, _ := cutFirst(s)
		var err error
		switch kind {
		case "pause":
			err = c.Record(sla.Event{Kind: sla.EventPause, At: at(t, when), Reason: "waiting"})
		case "resume":
			err = c.Resume(at(t, when))
		case "stop":
			err = c.Stop(at(t, when))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cutFirst(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func nt(t testing.TB, s string) sql.NullTime {
	if s == "" {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: at(t, s), Valid: true}
}

// fixture loads the December 2024 tickets whose figures docs/digest.md
// and the test below compute by hand (Moscow, 09:00–17:00; 28 December 2024
// is a working Saturday, 30 December – 8 January are days off).
func fixture(t *testing.T, db *store.DB, cal *workcal.Calendar) (org1, org2 int64) {
	t.Helper()
	ctx := context.Background()
	fr, res := sla.FirstResponse, sla.Resolution
	h := time.Hour
	err := db.Tx(ctx, func(tx *store.Tx) error {
		o1 := &store.Org{Name: "Школа № 1", SupportLevel: "standard"}
		o2 := &store.Org{Name: "Администрация", SupportLevel: "standard"}
		for _, o := range []*store.Org{o1, o2} {
			if err := tx.CreateOrg(ctx, o, "test", at(t, "2024-11-01 09:00")); err != nil {
				return err
			}
		}
		org1, org2 = o1.ID, o2.ID
		org := func(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
		tickets := []store.Ticket{
			{ // T1: answered in 2h30, resolved in 16h over two nights.
				Subject: "T1", Status: store.StatusResolved, SupportLevel: "standard", OrgID: org(org1),
				CreatedAt: at(t, "2024-12-02 10:00"), FirstResponseAt: nt(t, "2024-12-02 12:30"), ResolvedAt: nt(t, "2024-12-04 10:00"),
				ClosedAt:         nt(t, "2024-12-04 10:00"),
				SLAFirstResponse: clock(t, cal, fr, 4*h, "2024-12-02 10:00", "stop 2024-12-02 12:30"),
				SLAResolution:    clock(t, cal, res, 24*h, "2024-12-02 10:00", "stop 2024-12-04 10:00"),
			},
			{ // T2: answered at the due instant over a weekend (met); waiting 9–24 December, resolved 13h late.
				Subject: "T2", Status: store.StatusResolved, SupportLevel: "standard", OrgID: org(org2),
				CreatedAt: at(t, "2024-12-06 16:00"), FirstResponseAt: nt(t, "2024-12-09 12:00"), ResolvedAt: nt(t, "2024-12-28 11:00"),
				ClosedAt:         nt(t, "2024-12-28 11:00"),
				SLAFirstResponse: clock(t, cal, fr, 4*h, "2024-12-06 16:00", "stop 2024-12-09 12:00"),
				SLAResolution: clock(t, cal, res, 24*h, "2024-12-06 16:00", "pause 2024-12-09 12:00", "resume 2024-12-24 10:00",
					"stop 2024-12-28 11:00"),
			},
			{ // T3: waiting over the New Year holidays: pending, 1h elapsed.
				Subject: "T3", Status: store.StatusWaiting, SupportLevel: "standard",
				CreatedAt:        at(t, "2024-12-27 15:00"),
				SLAFirstResponse: clock(t, cal, fr, 4*h, "2024-12-27 15:00", "pause 2024-12-27 16:00", "resume 2025-01-09 11:00"),
				SLAResolution:    clock(t, cal, res, 24*h, "2024-12-27 15:00", "pause 2024-12-27 16:00", "resume 2025-01-09 11:00"),
			},
			{ // T4: opened on the working Saturday, unanswered: 2h left, due 9 January 11:00.
				Subject: "T4", Status: store.StatusOpen, SupportLevel: "standard", OrgID: org(org1),
				CreatedAt:        at(t, "2024-12-28 15:00"),
				SLAFirstResponse: clock(t, cal, fr, 4*h, "2024-12-28 15:00"),
				SLAResolution:    clock(t, cal, res, 24*h, "2024-12-28 15:00"),
			},
			{ // T5: priority, opened at night, answered 30 minutes late, resolved in 6h.
				Subject: "T5", Status: store.StatusResolved, SupportLevel: "priority", OrgID: org(org1), Assignee: "agent-a@sd.example",
				CreatedAt: at(t, "2024-12-10 20:00"), FirstResponseAt: nt(t, "2024-12-11 10:30"), ResolvedAt: nt(t, "2024-12-11 15:00"),
				ClosedAt:         nt(t, "2024-12-11 15:00"),
				SLAFirstResponse: clock(t, cal, fr, h, "2024-12-10 20:00", "stop 2024-12-11 10:30"),
				SLAResolution:    clock(t, cal, res, 8*h, "2024-12-10 20:00", "stop 2024-12-11 15:00"),
			},
			{ // T6: rejected as offensive, no clocks: counted as received only.
				Subject: "T6", Status: store.StatusRejected, Reason: "offensive", SupportLevel: "basic", OrgID: org(org2),
				CreatedAt: at(t, "2024-12-16 09:00"), ClosedAt: nt(t, "2024-12-16 09:05"),
			},
			{ // T7: opened in November, still open: resolution breached on 3 December 10:00.
				Subject: "T7", Status: store.StatusOpen, SupportLevel: "standard", OrgID: org(org2), Assignee: "agent-b@sd.example",
				CreatedAt: at(t, "2024-11-28 10:00"), FirstResponseAt: nt(t, "2024-11-28 11:00"),
				SLAFirstResponse: clock(t, cal, fr, 4*h, "2024-11-28 10:00", "stop 2024-11-28 11:00"),
				SLAResolution:    clock(t, cal, res, 24*h, "2024-11-28 10:00"),
			},
			{ // T8: by phone, a visit planned for 9 January; resolution breached on 25 December 11:00.
				Subject: "T8", Status: store.StatusPlanned, Channel: "phone", SupportLevel: "standard", PlannedFor: "2025-01-09",
				CreatedAt: at(t, "2024-12-20 11:00"), FirstResponseAt: nt(t, "2024-12-20 11:10"),
				SLAFirstResponse: clock(t, cal, fr, 4*h, "2024-12-20 11:00", "stop 2024-12-20 11:10"),
				SLAResolution:    clock(t, cal, res, 24*h, "2024-12-20 11:00"),
			},
			{ // T9: a security incident with its own targets (1h/8h), handled in time.
				Subject: "T9", Status: store.StatusResolved, Priority: store.PriorityIncident, SupportLevel: "standard", OrgID: org(org1),
				CreatedAt: at(t, "2024-12-25 14:00"), FirstResponseAt: nt(t, "2024-12-25 14:20"), ResolvedAt: nt(t, "2024-12-26 10:00"),
				ClosedAt:         nt(t, "2024-12-26 10:00"),
				SLAFirstResponse: clock(t, cal, fr, h, "2024-12-25 14:00", "stop 2024-12-25 14:20"),
				SLAResolution:    clock(t, cal, res, 8*h, "2024-12-25 14:00", "stop 2024-12-26 10:00"),
			},
		}
		for i := range tickets {
			tickets[i].Desk = "sd"
			tickets[i].RequesterEmail = "user@client.example"
		}
		if err := tx.InsertTickets(ctx, tickets); err != nil {
			return err
		}
		for _, e := range []struct {
			ticket     int64
			when, kind string
		}{
			{1, "2024-12-05 10:00", "command_refused"},
			{0, "2024-12-06 11:00", "security_bad_token"},
			{1, "2024-12-06 12:00", "status_changed"},
			{4, "2025-01-09 10:00", "command_refused"},
		} {
			if err := tx.AddEvent(ctx, e.ticket, at(t, e.when), e.kind, "agent-x@sd.example", "#close"); err != nil {
				return err
			}
		}
		for _, b := range []struct {
			ticket     int64
			rcpt, when string
		}{
			{2, "Gone@client.example", "2024-12-03 10:00"}, {2, "gone@client.example", "2024-12-04 10:00"},
			{1, "old@client.example", "2024-11-20 10:00"}, {5, "typo@client.example", "2024-12-12 10:00"},
		} {
			if err := tx.InsertBounce(ctx, &store.Bounce{TicketID: sql.NullInt64{Int64: b.ticket, Valid: true}, Recipient: b.rcpt,
				Status: "5.1.1", Diagnostic: "user unknown", Permanent: true, At: at(t, b.when)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return org1, org2
}

func ids(ls []TicketLine) []int64 {
	var out []int64
	for _, l := range ls {
		out = append(out, l.ID)
	}
	return out
}

func TestReportFixture(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup := testSetup(t)
		org1, _ := fixture(t, db, setup.Default)
		r, err := NewReporter(db, setup)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := r.Report(ctx, Params{From: at(t, "2024-12-01 00:00"), To: at(t, "2025-01-01 00:00"), Rows: true})
		if err != nil {
			t.Fatal(err)
		}
		h, m := time.Hour, time.Minute
		checkInt := func(name string, got, want int) {
			t.Helper()
			if got != want {
				t.Errorf("%s = %d, want %d", name, got, want)
			}
		}
		checkDur := func(name string, got, want time.Duration) {
			t.Helper()
			if got != want {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		checkIDs := func(name string, got []int64, want ...int64) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s = %v, want %v", name, got, want)
					return
				}
			}
		}
		checkInt("received", rep.Received, 8)
		checkInt("by channel email", rep.ByChannel["email"], 7)
		checkInt("by channel phone", rep.ByChannel["phone"], 1)
		checkInt("resolved", rep.Resolved, 4)
		checkInt("open at end", rep.OpenAtEnd, 4)

		fr, res := rep.Total.FirstResponse, rep.Total.Resolution
		checkInt("FR met", fr.Met, 4)
		checkInt("FR breached", fr.Breached, 1)
		checkInt("FR pending", fr.Pending, 2)
		if c, ok := fr.Compliance(); !ok || c != 80 {
			t.Errorf("FR compliance = %v %v, want 80", c, ok)
		}
		checkDur("FR median", fr.Median, h+30*m) // 10m 20m [1h30m] 2h30m 4h
		checkDur("FR p90", fr.P90, 4*h)
		checkInt("Res met", res.Met, 3)
		checkInt("Res breached", res.Breached, 2)
		checkInt("Res pending", res.Pending, 2)
		checkDur("Res median", res.Median, 11*h) // 4h [6h 16h] 37h
		checkDur("Res p90", res.P90, 37*h)

		levels := map[string]Group{}
		for _, g := range rep.Levels {
			levels[g.Name] = g
		}
		checkInt("standard received", levels["standard"].Received, 6)
		checkInt("standard FR met", levels["standard"].FirstResponse.Met, 4)
		checkInt("standard Res breached", levels["standard"].Resolution.Breached, 2)
		checkInt("priority FR breached", levels["priority"].FirstResponse.Breached, 1)
		checkDur("priority FR target", levels["priority"].FirstResponse.Target, h)
		checkInt("basic received", levels["basic"].Received, 1)
		checkInt("basic FR decided", levels["basic"].FirstResponse.Met+levels["basic"].FirstResponse.Breached, 0)
		if len(rep.Orgs) != 3 || rep.Orgs[2].Name != "" || rep.Orgs[1].OrgID != org1 {
			t.Errorf("orgs = %+v", rep.Orgs)
		} else {
			checkInt("org1 received", rep.Orgs[1].Received, 4)
			checkInt("org1 FR met", rep.Orgs[1].FirstResponse.Met, 2)
			checkInt("org1 FR breached", rep.Orgs[1].FirstResponse.Breached, 1)
		}

		checkInt("breach count", rep.BreachCount, 4)
		var bIDs []int64
		for _, b := range rep.Breaches {
			bIDs = append(bIDs, b.Ticket.ID)
		}
		checkIDs("breaches", bIDs, 7, 8, 2, 5)
		if len(rep.Breaches) == 4 {
			want := []struct {
				over time.Duration
				at   string
			}{{159 * h, "2024-12-03 10:00"}, {30 * h, "2024-12-25 11:00"}, {13 * h, "2024-12-26 14:00"}, {30 * m, "2024-12-11 10:00"}}
			for i, w := range want {
				b := rep.Breaches[i]
				checkDur("breach over", b.Over, w.over)
				if !b.At.Equal(at(t, w.at)) {
					t.Errorf("breach of #%d at %v, want %s", b.Ticket.ID, b.At.In(msk), w.at)
				}
			}
		}
		checkIDs("at risk", ids(rep.AtRisk), 4)
		if len(rep.AtRisk) == 1 {
			checkDur("T4 remaining", rep.AtRisk[0].Remaining, 2*h)
			if !rep.AtRisk[0].Due.Equal(at(t, "2025-01-09 11:00")) || rep.AtRisk[0].Metric != sla.FirstResponse {
				t.Errorf("T4 due %v %s, want 2025-01-09 11:00 first_response", rep.AtRisk[0].Due, rep.AtRisk[0].Metric)
			}
		}
		checkIDs("oldest open", ids(rep.OldestOpen), 7, 8, 4)
		checkIDs("oldest waiting", ids(rep.OldestWaiting), 3)
		if len(rep.OldestOpen) > 0 {
			checkDur("T7 age", rep.OldestOpen[0].Age, 183*h)
		}
		if len(rep.Reasons) != 1 || rep.Reasons[0] != (ReasonCount{Status: "rejected", Reason: "offensive", Clause: "4.6.3", Count: 1}) {
			t.Errorf("reasons = %+v", rep.Reasons)
		}
		if rep.VisitDay != (workcal.Date{Year: 2025, Month: 1, Day: 9}) {
			t.Errorf("visit day = %v", rep.VisitDay)
		}
		checkIDs("visits", ids(rep.Visits), 8)
		checkIDs("incidents", ids(rep.Incidents), 9)
		wantAgents := []AgentLoad{
			{Agent: "agent-b@sd.example", Open: 1, Breaches: 1},
			{Agent: "agent-a@sd.example", Received: 1, Resolved: 1, Breaches: 1},
			{Agent: "", Open: 3, Received: 7, Resolved: 3, Breaches: 2},
		}
		if len(rep.Agents) != len(wantAgents) {
			t.Errorf("agents = %+v", rep.Agents)
		} else {
			for i := range wantAgents {
				if rep.Agents[i] != wantAgents[i] {
					t.Errorf("agent %d = %+v, want %+v", i, rep.Agents[i], wantAgents[i])
				}
			}
		}
		checkInt("refused count", rep.RefusedCount, 2)
		if len(rep.Bounces) != 2 || rep.Bounces[0].Recipient != "gone@client.example" || rep.Bounces[0].Count != 2 {
			t.Errorf("bounces = %+v", rep.Bounces)
		}
		if len(rep.Days) != 31 || rep.Days[1].Received != 1 || rep.Days[9].FirstResponse.Breached != 1 {
			t.Errorf("days: %d, 2 Dec %+v, 10 Dec %+v", len(rep.Days), rep.Days[1], rep.Days[9])
		}
		checkInt("csv rows", len(rep.Rows), 9)

		// A client's head sees their organisation only.
		rep1, err := r.Report(ctx, Params{From: at(t, "2024-12-01 00:00"), To: at(t, "2025-01-01 00:00"), OrgID: org1, Rows: true})
		if err != nil {
			t.Fatal(err)
		}
		checkInt("org1 report received", rep1.Received, 4)
		for _, row := range rep1.Rows {
			if row.OrgID != org1 {
				t.Errorf("organisation report shows ticket #%d of organisation %d", row.ID, row.OrgID)
			}
		}
		checkIDs("org1 breaches", func() []int64 {
			var out []int64
			for _, b := range rep1.Breaches {
				out = append(out, b.Ticket.ID)
			}
			return out
		}(), 5)
		// Operator-internal sections are left out of an organisation's report.
		checkInt("org1 refused", rep1.RefusedCount, 0)
		if len(rep1.Refused) != 0 || len(rep1.Agents) != 0 {
			t.Errorf("org1 report has refused events %+v or agents %+v", rep1.Refused, rep1.Agents)
		}
		if len(rep1.Bounces) != 1 || rep1.Bounces[0].Recipient != "typo@client.example" {
			t.Errorf("org1 bounces = %+v", rep1.Bounces)
		}
		if rep1.OrgName != "Школа № 1" || len(rep1.Orgs) != 1 {
			t.Errorf("org1 name %q, orgs %+v", rep1.OrgName, rep1.Orgs)
		}

		// As of mid-period: T2's resolution is still running and already breached.
		mid, err := r.Report(ctx, Params{From: at(t, "2024-12-01 00:00"), To: at(t, "2025-01-01 00:00"), Now: at(t, "2024-12-26 15:00")})
		if err != nil {
			t.Fatal(err)
		}
		checkInt("mid received", mid.Received, 6) // T3, T4 not yet
		checkInt("mid Res breached", mid.Total.Resolution.Breached, 2)
	})
}
