package main

import (
	"context"
	"fmt"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// category selects users to block or unblock together (e.g. after unauthorised access).
type category struct {
	org         int64
	role        string
	unconfirmed bool
}

func (c category) any() bool { return c.org != 0 || c.role != "" || c.unconfirmed }

func (c category) match(u store.User) bool {
	return (c.org == 0 || u.OrgID.Int64 == c.org) && (c.role == "" || u.Role == c.role) && (!c.unconfirmed || !u.Confirmed)
}

// blockCategory blocks (or unblocks) every user of a category in one transaction.
func blockCategory(ctx context.Context, e *env, cfgPath string, c category, block bool, reason string) error {
	if c.role != "" && c.role != store.RoleUser && c.role != store.RoleHead {
		return usagef("user block: --role %q: use user or head", c.role)
	}
	d, err := openDirectory(ctx, e, cfgPath)
	if err != nil {
		return err
	}
	defer d.db.Close()
	users, err := d.db.ListUsers(ctx, c.org)
	if err != nil {
		return err
	}
	n := 0
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		n = 0
		for _, u := range users {
			if !c.match(u) || u.Blocked == block {
				continue
			}
			if err := tx.SetUserBlocked(ctx, u.Email, block, reason, d.actor, time.Now()); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%d user(s) %s\n", n, map[bool]string{true: "blocked", false: "unblocked"}[block])
	return nil
}
