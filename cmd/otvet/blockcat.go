package main

import (
	"context"
	"fmt"

	"github.com/otvet/otvet/internal/directory"
)

// blockCategory blocks (or unblocks) every user of a category in one transaction.
func blockCategory(ctx context.Context, e *env, cfgPath string, c directory.Category, block bool, reason string) error {
	if c.Role != "" && c.Role != "user" && c.Role != "head" {
		return usagef("user block: --role %q: use user or head", c.Role)
	}
	d, err := openDirectory(ctx, e, cfgPath)
	if err != nil {
		return err
	}
	defer d.db.Close()
	n, err := d.svc.BlockCategory(ctx, c, block, reason)
	if err != nil {
		return dirErr("user block", err)
	}
	fmt.Fprintf(e.Stdout, "%d user(s) %s\n", n, map[bool]string{true: "blocked", false: "unblocked"}[block])
	return nil
}
