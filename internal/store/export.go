package store

import (
	"context"
	"fmt"
	"strings"
)

// likeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// EventsAbout lists the audit events that name a person's address: the
// directory's changes about them and the ticket events quoting them, oldest
// first (152-FZ subject access, otvet user export).
func (db *DB) EventsAbout(ctx context.Context, email string) ([]Event, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, nil
	}
	var es []Event
	err := db.sel(ctx, &es, `SELECT id, ticket_id, at, kind, actor, detail FROM events
		WHERE LOWER(detail) LIKE ? ESCAPE '\' OR LOWER(actor) = ? ORDER BY id`, "%"+likeEscape(email)+"%", email)
	if err != nil {
		return nil, fmt.Errorf("events about %s: %w", email, err)
	}
	return es, nil
}

// RegistrationsMentioning lists the connection requests whose text names
// the address (the caller reads the request to find the person's rows).
func (db *DB) RegistrationsMentioning(ctx context.Context, email string) ([]Registration, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, nil
	}
	var rs []Registration
	err := db.sel(ctx, &rs, `SELECT `+regCols+` FROM registrations WHERE LOWER(request) LIKE ? ESCAPE '\' ORDER BY ticket_id`,
		"%"+likeEscape(email)+"%")
	if err != nil {
		return nil, fmt.Errorf("connection requests naming %s: %w", email, err)
	}
	return rs, nil
}
