package digest

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/workcal"
)

var senderAddress = mailout.Address{Name: "Служба поддержки", Email: "sd@kgo66.ru"}

func samePeriod(a, b Period) bool {
	return a.Kind == b.Kind && a.Date == b.Date && a.From.Equal(b.From) && a.To.Equal(b.To)
}

func date(y int, m time.Month, d int) workcal.Date { return workcal.Date{Year: y, Month: m, Day: d} }

// TestPlanDailySendTime: the daily digest goes out at the desk's closing
// time, an hour earlier on a short day, never on a day off; a configured
// hour overrides it.
func TestPlanDailySendTime(t *testing.T) {
	setup := testSetup(t)
	pl := testPlan(t, setup)
	late, err := NewPlan(setup.Default, Schedule{Hour: 19}, Schedule{}, Schedule{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		d        workcal.Date
		want     string // "" = no daily digest that day
		override string
	}{
		{"ordinary Thursday", date(2025, 3, 6), "2025-03-06 17:00", "2025-03-06 19:00"},
		{"short Friday before 8 March", date(2025, 3, 7), "2025-03-07 16:00", "2025-03-07 19:00"},
		{"8 March, a holiday", date(2025, 3, 8), "", ""},
		{"Sunday", date(2025, 3, 9), "", ""},
		{"working Saturday", date(2024, 12, 28), "2024-12-28 17:00", "2024-12-28 19:00"},
		{"1 January", date(2025, 1, 1), "", ""},
	}
	for _, c := range cases {
		for _, v := range []struct {
			pl   *Plan
			want string
		}{{pl, c.want}, {late, c.override}} {
			got, ok := v.pl.dailyAt(c.d)
			if ok != (v.want != "") || (ok && !got.Equal(at(t, v.want))) {
				t.Errorf("%s: daily digest at %v (%v), want %q", c.name, got, ok, v.want)
			}
		}
	}
	if _, err := NewPlan(setup.Default, Schedule{Hour: 24}, Schedule{}, Schedule{}); err == nil {
		t.Error("hour 24 accepted")
	}
}

// TestPlanPeriods: consecutive periods of each kind meet end to start, so
// every instant is in exactly one; evenings, weekends and holidays belong to
// the next working day's daily digest, a week without a working day to the
// weekly digest after it.
func TestPlanPeriods(t *testing.T) {
	pl := testPlan(t, testSetup(t))
	named := []struct {
		kind     Kind
		d        workcal.Date
		key      string
		from, to string
	}{
		{Daily, date(2025, 3, 6), "2025-03-06", "2025-03-05 17:00", "2025-03-06 17:00"},
		{Daily, date(2025, 3, 7), "2025-03-07", "2025-03-06 17:00", "2025-03-07 16:00"},
		// Friday evening after the short day, the holiday and Sunday: Monday's digest.
		{Daily, date(2025, 3, 8), "2025-03-10", "2025-03-07 16:00", "2025-03-10 17:00"},
		{Daily, date(2025, 3, 10), "2025-03-10", "2025-03-07 16:00", "2025-03-10 17:00"},
		// The New Year holidays: from the working Saturday to 9 January.
		{Daily, date(2024, 12, 31), "2025-01-09", "2024-12-28 17:00", "2025-01-09 17:00"},
		{Weekly, date(2024, 12, 20), "2024-12-16", "2024-12-16 00:00", "2024-12-23 00:00"},
		// The week of 30 December has no working day: it joins the week before.
		{Weekly, date(2024, 12, 27), "2024-12-23", "2024-12-23 00:00", "2025-01-06 00:00"},
		{Weekly, date(2025, 1, 1), "2024-12-23", "2024-12-23 00:00", "2025-01-06 00:00"},
		{Weekly, date(2025, 1, 6), "2025-01-06", "2025-01-06 00:00", "2025-01-13 00:00"},
		{Monthly, date(2024, 12, 15), "2024-12-01", "2024-12-01 00:00", "2025-01-01 00:00"},
	}
	for _, c := range named {
		p, err := pl.Of(c.kind, c.d)
		if err != nil {
			t.Fatal(err)
		}
		if p.Key() != c.key || !p.From.Equal(at(t, c.from)) || !p.To.Equal(at(t, c.to)) {
			t.Errorf("%s of %s: %s [%s, %s), want %s [%s, %s)", c.kind, c.d, p.Key(),
				p.From.In(msk).Format("2006-01-02 15:04"), p.To.In(msk).Format("2006-01-02 15:04"), c.key, c.from, c.to)
		}
	}

	start, end := at(t, "2024-11-25 00:00"), at(t, "2025-05-20 00:00")
	for _, k := range []Kind{Daily, Weekly, Monthly} {
		p, err := pl.At(k, start)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for p.From.Before(end) {
			if !p.From.Before(p.To) || keys[p.Key()] {
				t.Fatalf("%s period %s [%v, %v) is empty or repeated", k, p.Key(), p.From, p.To)
			}
			keys[p.Key()] = true
			for _, probe := range []time.Time{p.From, p.To.Add(-time.Nanosecond), p.From.Add(p.To.Sub(p.From) / 2)} {
				if q, err := pl.At(k, probe); err != nil || !samePeriod(q, p) {
					t.Fatalf("%s: %v is in %+v, want %+v (%v)", k, probe, q, p, err)
				}
			}
			next, err := pl.At(k, p.To)
			if err != nil {
				t.Fatal(err)
			}
			if !next.From.Equal(p.To) {
				t.Fatalf("%s: gap or overlap between %s and %s", k, p.Key(), next.Key())
			}
			if prev, err := pl.Previous(next); err != nil || !samePeriod(prev, p) {
				t.Fatalf("%s: Previous(%s) = %s, want %s", k, next.Key(), prev.Key(), p.Key())
			}
			p = next
		}
	}
	if p, err := pl.LastComplete(Daily, at(t, "2025-03-10 12:00")); err != nil || p.Key() != "2025-03-07" {
		t.Errorf("last complete daily period on Monday morning: %s %v", p.Key(), err)
	}
}

// TestDigestsCountEveryTicketOnce runs the scheduler every quarter of an
// hour over a short Friday before a holiday and a weekend, and over the New
// Year holidays: every ticket is counted as received in exactly one daily
// and exactly one weekly digest, the one its period says.
func TestDigestsCountEveryTicketOnce(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	tickets := map[string]string{ // created → the daily digest that counts it
		"2024-12-27 16:59": "2024-12-27",
		"2024-12-27 17:00": "2024-12-28", // the working Saturday
		"2024-12-28 18:00": "2025-01-09",
		"2025-01-01 12:00": "2025-01-09",
		"2025-01-09 16:59": "2025-01-09",
		"2025-03-06 16:59": "2025-03-06",
		"2025-03-06 17:00": "2025-03-07",
		"2025-03-07 15:30": "2025-03-07",
		"2025-03-07 16:00": "2025-03-10", // after the short day's closing
		"2025-03-07 19:00": "2025-03-10",
		"2025-03-08 11:00": "2025-03-10", // a holiday
		"2025-03-09 20:00": "2025-03-10",
		"2025-03-10 08:00": "2025-03-10",
		"2025-03-10 17:00": "2025-03-11",
	}
	weekly := map[string]string{ // created → the weekly digest's key
		"2024-12-27 16:59": "2024-12-23", "2024-12-27 17:00": "2024-12-23", "2024-12-28 18:00": "2024-12-23",
		"2025-01-01 12:00": "2024-12-23", "2025-01-09 16:59": "2025-01-06",
		"2025-03-06 16:59": "2025-03-03", "2025-03-06 17:00": "2025-03-03", "2025-03-07 15:30": "2025-03-03",
		"2025-03-07 16:00": "2025-03-03", "2025-03-07 19:00": "2025-03-03", "2025-03-08 11:00": "2025-03-03",
		"2025-03-09 20:00": "2025-03-03", "2025-03-10 08:00": "2025-03-10", "2025-03-10 17:00": "2025-03-10",
	}
	var ts []store.Ticket
	var order []string
	for created := range tickets {
		order = append(order, created)
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, created := range order {
			ts = append(ts, store.Ticket{Desk: "sd", Status: store.StatusOpen, Subject: created, SupportLevel: "standard",
				RequesterEmail: "user@client.example", CreatedAt: at(t, created)})
		}
		return tx.InsertTickets(ctx, ts)
	})
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time
	s, err := NewScheduler(SchedulerOptions{DB: db, Setup: testSetup(t), Templates: templates(t), Desk: "sd",
		Recipients: []Recipient{{Email: "boss@kgo66.ru"}}, From: senderAddress, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	counted := map[Kind]map[string][]string{Daily: {}, Weekly: {}}
	for _, win := range [][2]string{{"2024-12-20 00:00", "2025-01-14 00:00"}, {"2025-03-05 00:00", "2025-03-18 00:00"}} {
		for now = at(t, win[0]); now.Before(at(t, win[1])); now = now.Add(15 * time.Minute) {
			jobs, err := s.Due(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs {
				d, err := s.rep.Build(ctx, templates(t), j.Period, j.Recipient, now)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, r := range d.Report.Rows {
					if in(r.Created, j.Period.From, j.Period.To) {
						n++
						if counted[j.Period.Kind] != nil {
							counted[j.Period.Kind][r.Subject] = append(counted[j.Period.Kind][r.Subject], j.Period.Key())
						}
					}
				}
				if n != d.Report.Received {
					t.Errorf("%s digest %s: %d rows received in the period, Received %d", j.Period.Kind, j.Period.Key(), n, d.Report.Received)
				}
				if sent, err := s.Send(ctx, j, now); err != nil || !sent {
					t.Fatalf("send %s %s: %v %v", j.Period.Kind, j.Period.Key(), sent, err)
				}
			}
		}
	}
	for kind, want := range map[Kind]map[string]string{Daily: tickets, Weekly: weekly} {
		for created, key := range want {
			got := counted[kind][created]
			if len(got) != 1 || got[0] != key {
				t.Errorf("ticket of %s is in the %s digests %v, want [%s]", created, kind, got, key)
			}
		}
	}
}
