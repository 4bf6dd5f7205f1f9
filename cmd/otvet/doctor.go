package main

import (
	"context"
	"fmt"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/doctor"
)

const doctorUsage = "[--desk NAME] [--json] [--timeout D]"

const doctorHelp = `Checks, one line each (ok, warning or error, with the fix): the configuration,
the database (reachable, schema current), then per desk the IMAP login and folder,
the SMTP session (EHLO, TLS, AUTH), and the MX probe: a message to the desk's own
support address carrying a forged Authentication-Results with trusted_authserv_id,
read back over IMAP and deleted, that tells whether the MX strips such headers.
Exit status 1 when any check is an error. See docs/doctor.md.`

// cmdDoctor runs the checks of docs/doctor.md and prints one line each.
func cmdDoctor(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "doctor", "doctor "+doctorUsage+" [--config FILE]")
	cfg := configFlag(fs)
	deskName := fs.String("desk", "", "check only this desk (default: every desk)")
	asJSON := fs.Bool("json", false, "one JSON array of results")
	timeout := fs.Duration("timeout", doctor.DefaultProbeTimeout, "how long to wait for the MX probe to arrive")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("doctor: unexpected argument %q", fs.Arg(0))
	}
	if *timeout <= 0 {
		return usagef("doctor: --timeout must be positive")
	}
	p, err := configPath(e, *cfg)
	if err != nil {
		return err
	}
	c, cerr := config.Check(p, e.Getenv)
	results := []doctor.Result{doctor.Config(p, c, cerr)}
	results[0].Check = "config"
	if cerr == nil {
		e.Log = envLogger(e, c.Log.Level, c.Log.Format)
		checks, err := app.DoctorChecks(c, *deskName, *timeout, e.Log)
		if err != nil {
			return usagef("doctor: %v", err)
		}
		results = append(results, doctor.Run(ctx, checks, e.Log)...)
	}
	if err := doctor.Print(e.Stdout, results, *asJSON); err != nil {
		return err
	}
	n := 0
	for _, r := range results {
		if r.Status == doctor.Error {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", n)
	}
	return nil
}
