package helpdesk

import (
	"context"
	"errors"
	"fmt"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// maxMergeHops bounds following merged tickets to their target.
const maxMergeHops = 16

// follow returns the ticket that mail about ticketID reaches: the ticket
// itself, or the one it was merged into (and so on).
func (in *deskTx) follow(ctx context.Context, ticketID int64) (int64, error) {
	id := ticketID
	for range maxMergeHops {
		t, err := in.tx.Ticket(ctx, id)
		if err != nil {
			return 0, err
		}
		if !t.MergedInto.Valid || t.MergedInto.Int64 == id || t.Desk != in.desk.Name {
			return id, nil
		}
		id = t.MergedInto.Int64
	}
	return id, nil
}

// merge completes a merge the lifecycle has made: the duplicate's requester
// and colleagues take part in the target, the target records where they came
// from, and the duplicate's requester is told where the work goes on. It
// returns how many people were moved.
func (in *deskTx) merge(ctx context.Context, dup, into *store.Ticket, agent *store.Staff) (int, error) {
	ps, err := in.tx.ParticipantsOf(ctx, dup.ID)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, p := range ps {
		if p.Role == "agent" {
			continue
		}
		if _, err := in.tx.Participant(ctx, into.ID, p.Email); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return moved, err
		}
		if _, err := in.tx.AddParticipant(ctx, into.ID, p.Email, p.Name, "cc", in.now); err != nil {
			return moved, err
		}
		moved++
	}
	if err := in.tx.AddEvent(ctx, into.ID, in.now, "merged_from", agent.Email, fmt.Sprintf("#%d; participants moved: %d", dup.ID, moved)); err != nil {
		return moved, err
	}
	return moved, in.noticeRequester(ctx, dup, mailout.TmplMerged, mailout.NoticeData{Into: into.ID, IntoSubject: into.Subject})
}
