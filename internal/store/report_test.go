package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/testenv"
)

// reportEngines runs f on SQLite and, when the real servers are up, on PostgreSQL.
func reportEngines(t *testing.T, f func(t *testing.T, db *DB)) {
	open := func(t *testing.T, o Options) *DB {
		db, err := Open(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	t.Run("sqlite", func(t *testing.T) {
		f(t, open(t, Options{Dialect: SQLite, Path: filepath.Join(t.TempDir(), "otvet.db")}))
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, open(t, Options{Dialect: Postgres, DSN: testenv.Get(t).NewPostgresDB(t)}))
	})
}

func TestReportQueries(t *testing.T) {
	reportEngines(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		day := func(d, h int) time.Time { return time.Date(2024, 12, d, h, 0, 0, 0, time.UTC) }
		nt := func(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }
		var org1, org2 int64
		err := db.Tx(ctx, func(tx *Tx) error {
			o1, o2 := &Org{Name: "One"}, &Org{Name: "Two"}
			for _, o := range []*Org{o1, o2} {
				if err := tx.CreateOrg(ctx, o, "test", day(1, 0)); err != nil {
					return err
				}
			}
			org1, org2 = o1.ID, o2.ID
			id := func(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: true} }
			frac := time.Date(2024, 12, 10, 9, 30, 15, 123456000, time.FixedZone("+05", 5*3600))
			if err := tx.InsertTickets(ctx, []Ticket{
				{Desk: "sd", Status: StatusOpen, Subject: "open since November", CreatedAt: day(1, 0).AddDate(0, -1, 0), OrgID: id(org1)},
				{Desk: "sd", Status: StatusClosed, Subject: "closed in November", CreatedAt: day(1, 0).AddDate(0, -1, 0),
					ClosedAt: nt(day(1, 0).AddDate(0, 0, -3)), OrgID: id(org1)},
				{Desk: "sd", Status: StatusResolved, Subject: "received and resolved", CreatedAt: frac, ClosedAt: nt(day(11, 9)),
					ResolvedAt: nt(day(11, 9)), FirstResponseAt: nt(frac.Add(time.Minute)), OrgID: id(org2)},
				{Desk: "sd", Status: StatusOpen, Subject: "after the period", CreatedAt: day(31, 23).Add(2 * time.Hour), OrgID: id(org1)},
				{Desk: "sd", Status: StatusOpen, Subject: "no organisation", CreatedAt: day(5, 9)},
			}); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, 1, day(2, 9), "command_refused", "a@x", "#close"); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, 3, day(3, 9), "security_bad_token", "b@x", ""); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, 3, day(3, 10), "security", "b@x", "not security_*"); err != nil {
				return err
			}
			return tx.InsertBounce(ctx, &Bounce{TicketID: id(3), Recipient: "X@two.example", Status: "5.1.1", Permanent: true, At: day(4, 9)})
		})
		if err != nil {
			t.Fatal(err)
		}
		from, to := day(1, 0), day(1, 0).AddDate(0, 1, 0)
		read := func(orgID int64) []ReportTicket {
			var out []ReportTicket
			if err := db.StreamReportTickets(ctx, ReportFilter{From: from, To: to, OrgID: orgID}, func(t *ReportTicket) error {
				out = append(out, *t)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		all := read(0)
		if len(all) != 3 || all[0].Subject != "open since November" || all[1].OrgName != "Two" || all[2].OrgID != 0 {
			t.Fatalf("all: %+v", all)
		}
		want := time.Date(2024, 12, 10, 4, 30, 15, 123456000, time.UTC)
		if !all[1].CreatedAt.Equal(want) || !all[1].FirstResponseAt.Valid || !all[1].FirstResponseAt.Time.Equal(want.Add(time.Minute)) ||
			!all[1].ResolvedAt.Valid || all[0].ClosedAt.Valid {
			t.Errorf("instants: %+v", all[1])
		}
		if one := read(org1); len(one) != 1 || one[0].OrgID != org1 {
			t.Errorf("organisation 1 sees %+v", one)
		}
		if two := read(org2); len(two) != 1 || two[0].OrgID != org2 {
			t.Errorf("organisation 2 sees %+v", two)
		}

		evs, n, err := db.StaffSecurityEvents(ctx, from, to, 0, 10)
		if err != nil || n != 2 || len(evs) != 2 || evs[0].Kind != "command_refused" {
			t.Errorf("events: %d %+v %v", n, evs, err)
		}
		if evs, n, _ := db.StaffSecurityEvents(ctx, from, to, org2, 10); n != 1 || evs[0].OrgID != org2 {
			t.Errorf("organisation 2 events: %d %+v", n, evs)
		}
		if _, n, _ := db.StaffSecurityEvents(ctx, from, to, 0, 1); n != 2 {
			t.Errorf("the count must not be limited: %d", n)
		}
		bs, err := db.BouncedAddresses(ctx, from, to, org1)
		if err != nil || len(bs) != 0 {
			t.Errorf("organisation 1 bounces: %+v %v", bs, err)
		}
		if bs, _ := db.BouncedAddresses(ctx, from, to, 0); len(bs) != 1 || bs[0].Recipient != "x@two.example" || !bs[0].Permanent {
			t.Errorf("bounces: %+v", bs)
		}

		record := func() error {
			return db.Tx(ctx, func(tx *Tx) error { return tx.RecordDigest(ctx, "day", "2024-12-27", "Boss@x", 0, day(27, 15)) })
		}
		if sent, _ := db.DigestSent(ctx, "day", "2024-12-27", "boss@x"); sent {
			t.Error("digest sent before it was recorded")
		}
		if err := record(); err != nil {
			t.Fatal(err)
		}
		if err := record(); !errors.Is(err, ErrDigestSent) {
			t.Errorf("second record: %v", err)
		}
		if sent, _ := db.DigestSent(ctx, "day", "2024-12-27", "BOSS@x"); !sent {
			t.Error("digest not recorded")
		}
	})
}

// legacyReportIDs is the report's ticket selection as one condition (the
// query before it was split into index-backed branches): the reference the
// branches must match.
func legacyReportIDs(ctx context.Context, db *DB, f ReportFilter) ([]int64, error) {
	if f.Since.IsZero() || f.Since.After(f.From) {
		f.Since = f.From
	}
	q := `SELECT t.id FROM tickets t LEFT JOIN organisations o ON o.id = t.org_id
		WHERE t.created_at < ? AND (t.created_at >= ? OR t.closed_at IS NULL OR t.closed_at >= ? OR t.resolved_at >= ?)`
	args := []any{f.To, f.Since, f.From, f.From}
	if f.OrgID > 0 {
		q += ` AND t.org_id = ?`
		args = append(args, f.OrgID)
	}
	var ids []int64
	err := db.sel(ctx, &ids, q+` ORDER BY t.id`, args...)
	return ids, err
}

// TestReportSelectionMatchesLegacy compares the index-backed selection with
// the single condition it replaced, on tickets in every state whose
// instants fall on, just before and just after the periods' edges.
func TestReportSelectionMatchesLegacy(t *testing.T) {
	reportEngines(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		from := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(0, 1, 0)
		since := from.AddDate(0, 0, -14)
		var edges []time.Time
		for _, e := range []time.Time{since, from, to} {
			edges = append(edges, e.Add(-time.Second), e.Add(-time.Microsecond), e, e.Add(time.Microsecond), e.Add(time.Hour))
		}
		edges = append(edges, from.AddDate(-1, 0, 0), to.AddDate(1, 0, 0), time.Date(2024, 12, 10, 9, 30, 15, 500000000, time.UTC))
		statuses := []string{StatusUnidentified, StatusOpen, StatusWaiting, StatusDeferred, StatusPlanned, StatusResolved,
			StatusRejected, StatusClosed}
		rng := rand.New(rand.NewPCG(7, 13))
		var orgs []int64
		err := db.Tx(ctx, func(tx *Tx) error {
			for i := range 3 {
				o := &Org{Name: fmt.Sprintf("Org %d", i)}
				if err := tx.CreateOrg(ctx, o, "test", since); err != nil {
					return err
				}
				orgs = append(orgs, o.ID)
			}
			var ts []Ticket
			pick := func() sql.NullTime {
				if rng.IntN(3) == 0 {
					return sql.NullTime{}
				}
				return sql.NullTime{Time: edges[rng.IntN(len(edges))], Valid: true}
			}
			for i := range 1500 {
				k := Ticket{Desk: "sd", Status: statuses[i%len(statuses)], Subject: fmt.Sprintf("t%d", i),
					CreatedAt: edges[rng.IntN(len(edges))], ClosedAt: pick(), ResolvedAt: pick()}
				if n := rng.IntN(len(orgs) + 1); n < len(orgs) {
					k.OrgID = sql.NullInt64{Int64: orgs[n], Valid: true}
				}
				ts = append(ts, k)
			}
			return tx.InsertTickets(ctx, ts)
		})
		if err != nil {
			t.Fatal(err)
		}
		filters := []ReportFilter{
			{From: from, To: to},
			{From: from, To: to, Since: since},
			{From: from, To: to, Since: to},                       // Since after From: From
			{From: from, To: from.AddDate(0, 0, 1), Since: since}, // a day
			{From: from, To: to, Since: since, OrgID: orgs[1]},
			{From: from, To: to, OrgID: orgs[0]},
			{From: from.AddDate(-2, 0, 0), To: to.AddDate(2, 0, 0)},                 // the whole history
			{From: from.AddDate(-2, 0, 0), To: to.AddDate(2, 0, 0), OrgID: orgs[2]}, // the whole history of one
			{From: from.Add(-time.Microsecond), To: to.Add(time.Microsecond), Since: since.Add(time.Second)},
			{From: to, To: from}, // an empty period
		}
		for i, f := range filters {
			want, err := legacyReportIDs(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			err = db.StreamReportTickets(ctx, f, func(rt *ReportTicket) error {
				got = append(got, rt.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("filter %d %+v: %d tickets %v, the single condition %d %v", i, f, len(got), got, len(want), want)
			}
			if i == 1 && len(got) < 300 {
				t.Errorf("filter %d: only %d tickets: the data set misses the point", i, len(got))
			}
		}
	})
}

func TestParseStoredTime(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2024-12-27 05:00:00+00:00", time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)},
		{"2024-12-27 05:00:00.5+00:00", time.Date(2024, 12, 27, 5, 0, 0, 5e8, time.UTC)},
		{"2024-12-27T05:00:00.123456789Z", time.Date(2024, 12, 27, 5, 0, 0, 123456789, time.UTC)},
		{"2024-12-27 10:00:00+05:00", time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)},
		{"2024-12-27 05:00:00", time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got, err := parseStoredTime(c.in)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%q: %v %v, want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "2024-02-31 05:00:00+00:00", "2024-12-27 25:00:00+00:00", "yesterday"} {
		if _, err := parseStoredTime(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzParseStoredTime checks the hand-written reader against time.Parse.
func FuzzParseStoredTime(f *testing.F) {
	for _, s := range []string{"2024-12-27 05:00:00+00:00", "2024-12-27 05:00:00.123+00:00", "2024-12-27T05:00:00Z",
		"2024-02-29 23:59:59.999999999+00:00", "2023-02-29 00:00:00+00:00", "2024-12-27 05:00:00.+00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fastUTC(s)
		if !ok {
			_, _ = parseStoredTime(s) // must not panic
			return
		}
		layout := "2006-01-02 15:04:05.999999999Z07:00"
		if s[10] == 'T' {
			layout = "2006-01-02T15:04:05.999999999Z07:00"
		}
		want, err := time.Parse(layout, s)
		if err != nil || !want.Equal(got) {
			t.Fatalf("%q: fast %v, time.Parse %v %v", s, got, want, err)
		}
	})
}
