package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
)

type outboxJSON struct {
	ID            int64  `json:"id"`
	Ticket        int64  `json:"ticket,omitempty"`
	Kind          string `json:"kind"`
	To            string `json:"to"`
	Subject       string `json:"subject"`
	MessageID     string `json:"message_id"`
	State         string `json:"state"`
	Attempts      int    `json:"attempts"`
	NextAttemptAt string `json:"next_attempt_at,omitempty"`
	LastError     string `json:"last_error"` // always present: "" when the last attempt did not fail
	CreatedAt     string `json:"created_at"`
	SentAt        string `json:"sent_at,omitempty"`
}

func cmdOutbox(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return usagef("usage: otvet outbox list [--json] [--limit N] [--config FILE]")
	}
	fs := newFlags(e, "outbox list", "outbox list [--json] [--limit N] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array")
	limit := fs.Int("limit", 100, "newest N rows")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("outbox list: unexpected argument %q", fs.Arg(0))
	}
	if *limit < 1 {
		return usagef("outbox list: --limit must be at least 1")
	}
	db, err := openDB(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.ListOutgoing(ctx, *limit)
	if err != nil {
		return err
	}
	out := make([]outboxJSON, 0, len(rows))
	for _, o := range rows {
		j := outboxJSON{
			ID: o.ID, Ticket: o.TicketID.Int64, Kind: o.Kind, To: strings.ReplaceAll(o.Recipients, "\n", ", "),
			Subject: o.Subject, MessageID: o.MessageID, State: o.State, Attempts: o.Attempts,
			LastError: o.LastError, CreatedAt: rfc3339(o.CreatedAt),
		}
		if o.State == "pending" {
			j.NextAttemptAt = rfc3339(o.NextAttemptAt)
		}
		if o.SentAt.Valid {
			j.SentAt = rfc3339(o.SentAt.Time)
		}
		out = append(out, j)
	}
	if *asJSON {
		return writeJSON(e.Stdout, out)
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTICKET\tKIND\tSTATE\tATTEMPTS\tTO\tLAST ERROR")
	for _, j := range out {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%s\t%s\n", j.ID, j.Ticket, j.Kind, j.State, j.Attempts, j.To, clip(j.LastError, 60))
	}
	return tw.Flush()
}
