package helpdesk

import (
	"context"
	"errors"
	"strconv"

	"github.com/otvet/otvet/internal/store"
)

// Which ticket a message belongs to.

// match finds the ticket a message belongs to: a signed reply address first,
// then the Message-IDs it refers to, then a [#N] subject token — the last only
// when the sender already takes part in that ticket. Mail about a merged
// ticket reaches the ticket it was merged into.
func (in *intake) match(ctx context.Context) (int64, error) {
	id, err := in.matchDirect(ctx)
	if err != nil || id == 0 {
		return id, err
	}
	return in.follow(ctx, id)
}

func (in *intake) matchDirect(ctx context.Context) (int64, error) {
	m := in.msg
	if ticketID, _, ok := in.tokenOf(); ok {
		if t, err := in.tx.Ticket(ctx, ticketID); err == nil && t.Desk == in.desk.Name {
			return ticketID, nil
		}
	}
	refs := append(append([]string{}, m.References...), m.InReplyTo...)
	if id, err := in.tx.TicketByMessageIDs(ctx, in.desk.Name, refs); err != nil || id != 0 {
		return id, err
	}
	for _, sm := range subjectToken.FindAllStringSubmatch(m.Subject, 3) {
		id, err := strconv.ParseInt(sm[1], 10, 64)
		if err != nil {
			continue
		}
		t, err := in.tx.Ticket(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.Desk != in.desk.Name) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if _, err := in.tx.Participant(ctx, id, m.From.Email); err == nil {
			return id, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
	}
	return 0, nil
}
