package main

import (
	"context"
	"errors"
	"strings"

	"github.com/otvet/otvet/internal/store"
)

// userExport prints everything stored about a person (152-FZ subject access):
// the directory entry, staff entry, and every ticket and message they took part in.
func userExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user export", "user export EMAIL [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || !strings.Contains(fs.Arg(0), "@") {
		return usagef("user export: give one e-mail address")
	}
	email := strings.ToLower(fs.Arg(0))
	db, err := openDB(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	out := map[string]any{"email": email}
	if u, err := db.UserByEmail(ctx, email); err == nil {
		out["directory"] = u
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	ids, err := db.TicketsOf(ctx, email)
	if err != nil {
		return err
	}
	var tickets []ticketJSON
	for _, id := range ids {
		j, err := loadTicket(ctx, db, id)
		if err != nil {
			return err
		}
		tickets = append(tickets, j)
	}
	out["tickets"] = tickets
	bounces, err := db.BouncesOf(ctx, email)
	if err != nil {
		return err
	}
	out["bounces"] = bounces
	return writeJSON(e.Stdout, out)
}
