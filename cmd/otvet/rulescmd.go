package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/outbox"
)

// cmdRules: otvet rules test FILE.eml [--at TIME] [--desk NAME] [--json]
func cmdRules(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "test" {
		return usagef("usage: otvet rules test FILE.eml [--at TIME] [--desk NAME] [--json] [--config FILE]")
	}
	fs := newFlags(e, "rules test", "rules test FILE.eml [--at TIME] [--desk NAME] [--json] [--config FILE]")
	cfg := configFlag(fs)
	at := fs.String("at", "", "pretend the message arrives at this time (RFC 3339, or YYYY-MM-DD HH:MM in the desk's zone); default now")
	desk := fs.String("desk", "", "the desk that receives it (default: the first)")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("rules test: give one .eml file")
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	c, err := loadConfig(e, *cfg)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, c, e.Log, app.Options{Senders: map[string]outbox.Sender{}})
	if err != nil {
		return err
	}
	defer a.Close()
	d, ok := a.Settings.Desk(*desk)
	if !ok {
		return usagef("rules test: no desk %q in the configuration", *desk)
	}
	loc := d.Location
	when := time.Now()
	if *at != "" {
		if when, err = parseLocalTime(*at, loc); err != nil {
			return usagef("rules test: --at: %v", err)
		}
	}
	msg, dec, err := a.Service.TestRules(ctx, d.Name, raw, when)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.Stdout, dec)
	}
	w := e.Stdout
	fmt.Fprintf(w, "From:     %s <%s>\nSubject:  %s\nAt:       %s\n\n", msg.From.Name, msg.From.Email, msg.Subject,
		helpdesk.FormatLocal(when, loc, "en"))
	fmt.Fprintf(w, "Outcome:  %s", dec.Outcome)
	if dec.Reason != "" {
		fmt.Fprintf(w, " (reason %s, clause %s, by rule %s)", dec.Reason, a.Settings.Clause(dec.Reason), dec.Rule)
	}
	fmt.Fprintf(w, "\nPriority: %s\n", cmpOr(dec.Priority, "normal"))
	if len(dec.Missing) > 0 {
		fmt.Fprintf(w, "Missing:  %s\n", strings.Join(dec.Missing, ", "))
	}
	if len(dec.OutOfScope) > 0 {
		fmt.Fprintf(w, "Suggest:  out of scope (%s)\n", strings.Join(dec.OutOfScope, ", "))
	}
	if dec.OutOfHours {
		fmt.Fprintf(w, "Out of hours: work starts %s\n", helpdesk.FormatLocal(dec.WorkStartsAt, loc, "en"))
	}
	fmt.Fprintln(w, "\nRule trail:")
	for _, s := range dec.Trail {
		fmt.Fprintf(w, "  %-15s %-10s %s\n", s.Rule, s.Result, s.Detail)
	}
	return nil
}
