package main

import (
	"context"
	"fmt"

	"github.com/otvet/otvet/internal/config"
)

// cmdConfig checks a configuration and reports every problem at once: those
// found while reading it (unknown keys, wrong types, unreadable secret files)
// and those of validation.
func cmdConfig(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("usage: otvet config check [--config FILE]")
	}
	fs := newFlags(e, "config check", "config check [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("config check: unexpected argument %q", fs.Arg(0))
	}
	p, err := configPath(e, *cfg)
	if err != nil {
		return err
	}
	c, err := config.Check(p, e.Getenv)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%s is valid: %d desk(s), database %s\n", p, len(c.Desks), c.Database.Driver)
	// Warnings do not fail the check: placeholders left, addresses off the desks' domains.
	for _, w := range c.Warnings() {
		fmt.Fprintln(e.Stdout, "warning:", w)
	}
	return nil
}
