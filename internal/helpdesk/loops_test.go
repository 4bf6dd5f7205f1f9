package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// TestLoopMailIsNeverAutoAnswered: mail that carries any of the loop or
// bulk signals of RFC 3834 — Auto-Submitted other than "no", Precedence
// bulk/junk/list, List-Id, a null or mailer-daemon sender, our own loop
// header — gets no automatic answer in any situation where ordinary mail
// would get one: a new request (acknowledgement), a reply to a resolved
// ticket (reopened notice) and a late reply to a ticket closed long ago (a
// new ticket and its acknowledgement). The "answered" rows are the control:
// the same mail without the signal is answered.
func TestLoopMailIsNeverAutoAnswered(t *testing.T) {
	const daemon = "MAILER-DAEMON@mx.uszn.kgo66.ru"
	cases := []struct {
		name, extra, from string
		answered          bool
	}{
		{"Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated\r\n", petrov, false},
		{"Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied\r\n", petrov, false},
		{"Auto-Submitted: auto-notified", "Auto-Submitted: auto-notified\r\n", petrov, false},
		{"Auto-Submitted with parameters", "Auto-Submitted: Auto-Replied; owner-email=\"petrov@uszn.kgo66.ru\"\r\n", petrov, false},
		{"Precedence: bulk", "Precedence: bulk\r\n", petrov, false},
		{"Precedence: junk", "Precedence: junk\r\n", petrov, false},
		{"Precedence: list", "Precedence: list\r\n", petrov, false},
		{"Precedence: LIST (case)", "Precedence: LIST\r\n", petrov, false},
		{"List-Id", "List-Id: Новости УСЗН <news.uszn.kgo66.ru>\r\n", petrov, false},
		{"List-Id with Precedence: list", "List-Id: <news.uszn.kgo66.ru>\r\nPrecedence: list\r\n", petrov, false},
		{"null sender", "Return-Path: <>\r\n", petrov, false},
		{"mailer-daemon sender", "", daemon, false},
		{"postmaster sender", "", "postmaster@uszn.kgo66.ru", false},
		{"our own loop header", helpdesk.LoopHeader + ": sd\r\n", petrov, false},
		{"from the support address", "", support, false},

		{"answered: Auto-Submitted: no", "Auto-Submitted: no\r\n", petrov, true},
		{"answered: Precedence: first-class", "Precedence: first-class\r\n", petrov, true},
		{"answered: no signal", "", petrov, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			ctx := context.Background()
			counts := func() store.Counts {
				t.Helper()
				n, err := h.db.Counts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			resolve := func(id int64) {
				t.Helper()
				err := h.db.Tx(ctx, func(tx *store.Tx) error {
					return tx.SetTicketStatus(ctx, id, store.StatusResolved, h.now.UTC())
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			// check ingests m and compares what it caused with what
			// ordinary mail causes: more tickets and mail, or none.
			check := func(situation string, m mail, wantTickets int) helpdesk.Outcome {
				t.Helper()
				before := counts()
				m.extra, m.from = c.extra, c.from
				out := h.ingest(m.String())
				after := counts()
				queued, opened := after.Outbox-before.Outbox, after.Tickets-before.Tickets
				if c.answered {
					if queued == 0 || opened != wantTickets {
						t.Errorf("%s: ordinary mail caused %d mails and %d tickets, want some mail and %d tickets (outcome %+v)",
							situation, queued, opened, wantTickets, out)
					}
					return out
				}
				if queued != 0 || opened != 0 {
					t.Errorf("%s: loop mail caused %d mails and %d tickets, want none (outcome %+v)", situation, queued, opened, out)
				}
				if out.Disposition == store.DispTicket || out.Reopened {
					t.Errorf("%s: outcome %+v", situation, out)
				}
				return out
			}

			// A new request.
			check("new request", mail{subject: "Рассылка: не работает принтер", id: "new@x"}, 1)

			// A reply to a ticket resolved yesterday: ordinary mail reopens it.
			first := h.ingest(mail{from: petrov, subject: "Принтер", id: "m1@uszn"}.String())
			ack := h.outbox(first.TicketID)[0]
			resolve(first.TicketID)
			h.now = h.now.Add(24 * time.Hour)
			check("reply to a resolved ticket", mail{subject: "Re: " + ack.Subject, id: "r1@x", inReplyTo: ack.MessageID}, 0)
			if st := h.ticket(first.TicketID).Status; !c.answered && st != store.StatusResolved {
				t.Errorf("loop mail changed the resolved ticket's status to %s", st)
			}

			// A late reply, after the reopen window: ordinary mail opens a new ticket.
			resolve(first.TicketID)
			h.now = h.now.Add(30 * 24 * time.Hour)
			check("late reply to a closed ticket", mail{subject: "Re: " + ack.Subject, id: "r2@x", inReplyTo: ack.MessageID}, 1)
		})
	}
}
