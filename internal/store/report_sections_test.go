package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestReportSections: the involvements a report of a period reads (started
// in it, still open at its start, due in it), with their contractor and
// ticket, filtered by organisation; and the tickets' system.
func TestReportSections(t *testing.T) {
	reportEngines(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		day := func(d, h int) time.Time { return time.Date(2024, 12, d, h, 0, 0, 0, time.UTC) }
		nt := func(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }
		var org1 int64
		var tickets []int64
		err := db.Tx(ctx, func(tx *Tx) error {
			o := &Org{Name: "One"}
			if err := tx.CreateOrg(ctx, o, "test", day(1, 0)); err != nil {
				return err
			}
			org1 = o.ID
			k := &Contractor{Name: "IRTech", DisplayName: "ООО «ИРТех»", HideName: true, Addresses: "support@irtech.example"}
			if err := tx.AddContractor(ctx, k, day(1, 0)); err != nil {
				return err
			}
			if err := tx.InsertTickets(ctx, []Ticket{
				{Desk: "sd", Status: StatusOpen, Subject: "a", CreatedAt: day(1, 9), OrgID: sql.NullInt64{Int64: org1, Valid: true}, System: "МИС"},
				{Desk: "sd", Status: StatusClosed, Subject: "b", CreatedAt: day(1, 9), ClosedAt: nt(day(20, 9))},
			}); err != nil {
				return err
			}
			if err := tx.sel(ctx, &tickets, `SELECT id FROM tickets ORDER BY id`); err != nil {
				return err
			}
			inv := func(ticket int64, started time.Time, mod func(v *Involvement)) error {
				p, err := tx.AddParticipant(ctx, ticket, "support@irtech.example", "ИРТех", RoleContractor, started)
				if err != nil {
					return err
				}
				v := &Involvement{TicketID: ticket, ContractorID: k.ID, ParticipantID: p.ID, Email: "support@irtech.example",
					StartedAt: started, TargetSeconds: 4 * 3600, DueAt: nt(started.Add(4 * time.Hour))}
				if mod != nil {
					mod(v)
				}
				return tx.AddInvolvement(ctx, v)
			}
			for _, f := range []func() error{
				// Ended before the period: left out.
				func() error {
					return inv(tickets[0], day(2, 9), func(v *Involvement) { v.EndedAt = nt(day(3, 9)) })
				},
				// Started before, still open: read.
				func() error { return inv(tickets[0], day(5, 9), nil) },
				// Started in the period on the ticket without an organisation.
				func() error { return inv(tickets[1], day(12, 9), nil) },
				// After the period: left out.
				func() error { return inv(tickets[1], day(25, 9), nil) },
			} {
				if err := f(); err != nil {
					return err
				}
			}
			// AddInvolvement does not write ended_at; answer and end through the API.
			var ids []int64
			if err := tx.sel(ctx, &ids, `SELECT id FROM contractor_involvements ORDER BY id`); err != nil {
				return err
			}
			if err := tx.MarkInvolvement(ctx, ids[0], InvEnded, day(3, 9)); err != nil {
				return err
			}
			return tx.AnswerInvolvement(ctx, ids[2], day(12, 11), 2*time.Hour)
		})
		if err != nil {
			t.Fatal(err)
		}
		vs, err := db.ReportInvolvements(ctx, day(10, 0), day(20, 0), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].TicketID != tickets[0] || vs[1].TicketID != tickets[1] {
			t.Fatalf("involvements %+v", vs)
		}
		v := vs[1]
		if v.Contractor != "irtech" || v.DisplayName != "ООО «ИРТех»" || !v.HideName || v.OrgID != 0 || v.TargetSeconds != 4*3600 ||
			!v.StartedAt.Equal(day(12, 9)) || !v.DueAt.Time.Equal(day(12, 13)) || !v.AnsweredAt.Time.Equal(day(12, 11)) ||
			v.ResponseSeconds.Int64 != 7200 || v.EndedAt.Valid || !v.TicketClosedAt.Time.Equal(day(20, 9)) {
			t.Errorf("involvement %+v", v)
		}
		if vs[0].OrgID != org1 || vs[0].AnsweredAt.Valid || vs[0].ResponseSeconds.Valid || vs[0].TicketClosedAt.Valid {
			t.Errorf("open involvement %+v", vs[0])
		}
		vs, err = db.ReportInvolvements(ctx, day(10, 0), day(20, 0), org1)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].TicketID != tickets[0] {
			t.Errorf("organisation's involvements %+v", vs)
		}
		var systems []string
		err = db.StreamReportTickets(ctx, ReportFilter{From: day(1, 0), To: day(31, 0)}, func(rt *ReportTicket) error {
			systems = append(systems, rt.System)
			return nil
		})
		if err != nil || len(systems) != 2 || systems[0] != "МИС" || systems[1] != "" {
			t.Errorf("systems %q %v", systems, err)
		}
	})
}
