package main

import "context"

// cmdCalendar is owned by the workcal work; placeholder until it lands.
func cmdCalendar(ctx context.Context, e *env, args []string) error {
	return usagef("calendar: not implemented yet")
}
