package main

import (
	"context"
	"fmt"

	"github.com/otvet/otvet/internal/config"
)

func cmdConfig(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("usage: otvet config check [--config FILE]")
	}
	fs := newFlags(e, "config check", "config check [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	p, err := configPath(e, *cfg)
	if err != nil {
		return err
	}
	c, err := config.Load(p, e.Getenv)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s has problems:\n%w", p, err)
	}
	fmt.Fprintf(e.Stdout, "%s is valid: %d desk(s), database %s\n", p, len(c.Desks), c.Database.Driver)
	return nil
}
