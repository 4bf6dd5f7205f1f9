package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/store"
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
	GivenUpAt     string `json:"given_up_at,omitempty"` // failed: when it was given up
	RequeuedAt    string `json:"requeued_at,omitempty"` // when otvet outbox retry requeued it
}

func cmdOutbox(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "retry" {
		return outboxRetry(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "list" {
		return usagef("usage: otvet outbox list [--json] [--limit N] [--tz ZONE] [--config FILE] | otvet outbox retry ID|--failed")
	}
	fs := newFlags(e, "outbox list", "outbox list [--json] [--limit N] [--tz ZONE] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array")
	limit := fs.Int("limit", 100, "newest N rows")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("outbox list: unexpected argument %q", fs.Arg(0))
	}
	if *limit < 1 {
		return usagef("outbox list: --limit must be at least 1")
	}
	db, settings, err := openDBSettings(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	loc, err := outputZone(settings, *tz)
	if err != nil {
		return err
	}
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
		if o.GivenUpAt.Valid {
			j.GivenUpAt = rfc3339(o.GivenUpAt.Time)
		}
		if o.RequeuedAt.Valid {
			j.RequeuedAt = rfc3339(o.RequeuedAt.Time)
		}
		out = append(out, j)
	}
	if *asJSON {
		return writeJSON(e.Stdout, out)
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTICKET\tKIND\tSTATE\tATTEMPTS\tNEXT ATTEMPT\tTO\tLAST ERROR")
	for _, j := range out {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", j.ID, dash(ticketNo(j.Ticket)), j.Kind, j.State, j.Attempts,
			cmpOr(localRFC(j.NextAttemptAt, loc), "-"), j.To, dash(clip(j.LastError, 60)))
	}
	return tw.Flush()
}

// ticketNo is a ticket's number for a table, "" for none.
func ticketNo(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// outboxRetry requeues one outbox row, or every failed one: back to
// pending, due now; `otvet serve` (or the next `poll --once`) sends them.
// Each requeue is an outbox_requeued event in the audit trail.
func outboxRetry(ctx context.Context, e *env, args []string) error {
	const usage = "outbox retry ID | --failed [--config FILE]"
	fs := newFlags(e, "outbox retry", usage)
	cfg := configFlag(fs)
	failed := fs.Bool("failed", false, "requeue every failed message")
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	switch {
	case *failed && fs.NArg() > 0:
		return usagef("outbox retry: give an ID or --failed, not both")
	case !*failed && fs.NArg() == 0:
		return usagef("outbox retry: give the ID of an outbox row (otvet outbox list) or --failed\nusage: otvet %s", usage)
	case fs.NArg() > 1:
		return usagef("outbox retry: unexpected argument %q", fs.Arg(1))
	}
	var id int64
	if !*failed {
		var err error
		if id, err = strconv.ParseInt(fs.Arg(0), 10, 64); err != nil || id <= 0 {
			return usagef("outbox retry: %q is not an outbox ID", fs.Arg(0))
		}
	}
	db, err := openDB(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now().UTC()
	if *failed {
		rows, err := db.RequeueFailed(ctx, now, actorName(e))
		if err != nil {
			return err
		}
		for _, o := range rows {
			e.Log.Info("outbox row requeued", "outbox_id", o.ID, "to", o.Recipients, "actor", actorName(e))
		}
		fmt.Fprintf(e.Stdout, "requeued %d failed message(s); otvet serve (or poll --once) sends them\n", len(rows))
		return nil
	}
	o, err := db.RequeueOutgoing(ctx, id, now, actorName(e))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("outbox retry: no outbox row #%d", id)
	case errors.Is(err, store.ErrOutboxSent):
		return fmt.Errorf("outbox retry: #%d was already sent; sending it again would deliver a second copy", id)
	case errors.Is(err, store.ErrOutboxInFlight):
		return fmt.Errorf("outbox retry: #%d is being sent right now", id)
	case err != nil:
		return err
	}
	e.Log.Info("outbox row requeued", "outbox_id", o.ID, "to", o.Recipients, "actor", actorName(e))
	fmt.Fprintf(e.Stdout, "requeued outbox #%d to %s; otvet serve (or poll --once) sends it\n", o.ID, strings.ReplaceAll(o.Recipients, "\n", ", "))
	return nil
}
