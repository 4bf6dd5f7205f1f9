package helpdesk

import (
	"context"
	"errors"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

// Who takes part in a ticket: organisations are walled.

// standing tells whether the sender already takes part in the ticket and,
// when not, whether they are an outsider: not of the requester's organisation.
func (in *intake) standing(ctx context.Context, t *store.Ticket) (participant, outsider bool, err error) {
	if _, err := in.tx.Participant(ctx, t.ID, in.msg.From.Email); err == nil {
		return true, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, false, err
	}
	same, err := in.sameOrg(ctx, in.msg.From.Email, t.RequesterEmail)
	return false, !same, err
}

// addSender makes a sender who is not yet a participant one when they belong
// with the requester: organisations are walled, so an outsider writing into a
// ticket is recorded but will not receive its mail.
func (in *intake) addSender(ctx context.Context, t *store.Ticket, outsider bool) error {
	from := in.msg.From
	if outsider {
		return in.event(ctx, t.ID, "foreign_sender", "message from "+from.Email+" outside the requester's organisation")
	}
	_, err := in.tx.AddParticipant(ctx, t.ID, from.Email, from.Name, "cc", in.now)
	return err
}

// addColleagues adds the requester's colleagues copied on a new request.
func (in *intake) addColleagues(ctx context.Context, t *store.Ticket) error {
	for _, a := range append(append([]mailmsg.Address{}, in.msg.To...), in.msg.Cc...) {
		e := strings.ToLower(a.Email)
		if e == t.RequesterEmail || in.s.isSupport(e) {
			continue
		}
		if !mailout.Deliverable(e) {
			if err := in.event(ctx, t.ID, "unusable_address_ignored", strconvQuote(a.Email)+" cannot receive mail: not made a participant"); err != nil {
				return err
			}
			continue
		}
		if same, err := in.sameOrg(ctx, e, t.RequesterEmail); err != nil {
			return err
		} else if !same {
			if err := in.event(ctx, t.ID, "foreign_cc_ignored", e+" is outside the requester's organisation"); err != nil {
				return err
			}
			continue
		}
		if _, err := in.tx.AddParticipant(ctx, t.ID, e, a.Name, "cc", in.now); err != nil {
			return err
		}
	}
	return nil
}

// isSupport reports whether the address is a desk's, plus-addressed or not.
func (s *Service) isSupport(addr string) bool {
	addr = strings.ToLower(addr)
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return false
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return s.support[local+"@"+domain]
}

// stillColleague tells whether a participant copied on a ticket may still
// receive its mail: not blocked, and of the requester's organisation now.
func (in *deskTx) stillColleague(ctx context.Context, addr, requester string) (bool, error) {
	sc, err := in.lookupSender(ctx, addr)
	if err != nil {
		return false, err
	}
	if (sc.user != nil && sc.user.Blocked) || (sc.org != nil && sc.org.Blocked) {
		return false, nil
	}
	return in.sameOrg(ctx, addr, requester)
}

// sameOrg tells whether two addresses belong to the same client organisation:
// by the directory (a user's organisation, or the organisation owning the
// domain) when it knows either, else by the mail domain — never by a public
// provider's domain (two strangers at mail.ru are not colleagues).
func (in *deskTx) sameOrg(ctx context.Context, a, b string) (bool, error) {
	sa, err := in.lookupSender(ctx, a)
	if err != nil {
		return false, err
	}
	sb, err := in.lookupSender(ctx, b)
	if err != nil {
		return false, err
	}
	if sa.org != nil || sb.org != nil {
		return sa.org != nil && sb.org != nil && sa.org.ID == sb.org.ID, nil
	}
	_, da, _ := strings.Cut(strings.ToLower(a), "@")
	_, db, _ := strings.Cut(strings.ToLower(b), "@")
	return da != "" && da == db && !store.PublicMailService(da), nil
}
