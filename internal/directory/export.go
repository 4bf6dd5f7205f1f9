package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// Export is everything stored about a person, for a subject access request
// under 152-FZ (`otvet user export EMAIL`).
type Export struct {
	// Email is the address asked about, normalised.
	Email string
	// User is the directory entry (nil: none); Staff the support-staff
	// entry (nil: none).
	User  *store.User
	Staff *store.Staff
	// Events are the audit events naming the person.
	Events []store.Event
	// Registrations are the person's rows in connection requests.
	Registrations []RegistrationRow
	// Tickets are the tickets the person took part in (their messages,
	// participants and events are read by ticket).
	Tickets []int64
	// Bounces are the bounces of mail sent to the person.
	Bounces []store.Bounce
}

// RegistrationRow is a person's row in a connection request.
type RegistrationRow struct {
	Ticket int64
	State  string
	Person regform.Person
}

// Export gathers everything stored about the person with this address.
func (s *Service) Export(ctx context.Context, email string) (*Export, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if n, err := store.NormalizeEmail(email); err == nil {
		email = n
	}
	x := &Export{Email: email, Events: []store.Event{}, Registrations: []RegistrationRow{}, Tickets: []int64{}, Bounces: []store.Bounce{}}
	u, err := s.DB.UserByEmail(ctx, email)
	switch {
	case err == nil:
		x.User = u
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("export %s: directory: %w", email, err)
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		st, err := tx.StaffByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		x.Staff = st
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("export %s: staff: %w", email, err)
	}
	if es, err := s.DB.EventsAbout(ctx, email); err != nil {
		return nil, fmt.Errorf("export %s: events: %w", email, err)
	} else if es != nil {
		x.Events = es
	}
	regs, err := s.DB.RegistrationsMentioning(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("export %s: connection requests: %w", email, err)
	}
	for _, r := range regs {
		var req regform.Request
		if err := json.Unmarshal([]byte(r.Request), &req); err != nil {
			continue
		}
		for _, p := range req.People {
			if n, err := store.NormalizeEmail(p.Email); err == nil && n == email {
				x.Registrations = append(x.Registrations, RegistrationRow{Ticket: r.TicketID, State: r.State, Person: p})
			}
		}
	}
	if ids, err := s.DB.TicketsOf(ctx, email); err != nil {
		return nil, fmt.Errorf("export %s: tickets: %w", email, err)
	} else if ids != nil {
		x.Tickets = ids
	}
	if bs, err := s.DB.BouncesOf(ctx, email); err != nil {
		return nil, fmt.Errorf("export %s: bounces: %w", email, err)
	} else if bs != nil {
		x.Bounces = bs
	}
	return x, nil
}
