package digest

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

// GivenUp is an outgoing message the outbox gave up in the period: the
// relay refused it, or it could not be sent within outbox.give_up_after.
type GivenUp struct {
	TicketID int64 // 0: mail of no ticket
	At       time.Time
	To       string // the recipients, comma-separated
	Kind     string // the template of the mail
	Reason   string // mailout.GiveUpRejected or mailout.GiveUpExpired
	Detail   string // the mail server's last answer
}

// givenUp lists the mail given up in [from, to), the first limit of them,
// and counts them all. An organisation's report has only the mail of its
// own tickets to its people (never the operator's staff mail), as bounces
// are filtered.
func (r *Reporter) givenUp(ctx context.Context, from, to time.Time, orgID int64, limit int) ([]GivenUp, int, error) {
	rows, err := r.src.OutboxGivenUp(ctx, from, to)
	if err != nil {
		return nil, 0, err
	}
	var out []GivenUp
	n := 0
	orgOf := map[int64]int64{} // ticket -> organisation (0: none)
	for _, o := range rows {
		if orgID > 0 {
			if !o.TicketID.Valid || mailout.ToStaff(o.Kind) {
				continue
			}
			org, ok := orgOf[o.TicketID.Int64]
			if !ok {
				t, err := r.src.Ticket(ctx, o.TicketID.Int64)
				switch {
				case err == nil && t.OrgID.Valid:
					org = t.OrgID.Int64
				case err != nil && !errors.Is(err, store.ErrNotFound):
					return nil, 0, err
				}
				orgOf[o.TicketID.Int64] = org
			}
			if org != orgID {
				continue
			}
		}
		n++
		if len(out) >= limit {
			continue
		}
		reason, detail := outbox.GiveUpReason(o.LastError)
		g := GivenUp{TicketID: o.TicketID.Int64, To: strings.ReplaceAll(o.Recipients, "\n", ", "), Kind: o.Kind,
			Reason: reason, Detail: detail}
		if o.GivenUpAt.Valid {
			g.At = o.GivenUpAt.Time
		}
		out = append(out, g)
	}
	return out, n, nil
}

// givenUpData is the report's given-up mail for the digest template.
func givenUpData(rep *Report, ts func(time.Time) string) []mailout.DigestGivenUp {
	var out []mailout.DigestGivenUp
	for _, g := range rep.GivenUp {
		out = append(out, mailout.DigestGivenUp{Number: g.TicketID, At: ts(g.At), To: g.To, Reason: g.Reason, Detail: clip(g.Detail, 120)})
	}
	return out
}
