package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/demo"
)

func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "demo [--at TIME] [--keep] [--web ADDR]")
	atFlag := fs.String("at", "", "pretend the mail arrives at this time (RFC 3339, e.g. 2024-12-27T10:00:00+05:00); default now")
	keep := fs.Bool("keep", false, "keep the demo's database and print where it is")
	webAddr := fs.String("web", "", "then serve the web console with the demo's data on this address (e.g. 127.0.0.1:8080; docs/console.md) until interrupted")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var at time.Time
	if *atFlag != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, *atFlag); err != nil {
			return usagef("demo: --at %q is not an RFC 3339 time like 2024-12-27T10:00:00+05:00", *atFlag)
		}
	}
	dir, err := os.MkdirTemp("", "otvet-demo-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	if *webAddr != "" {
		_, err := demo.Run(ctx, demo.Options{At: at, Dir: dir, Logger: e.Log, Web: *webAddr,
			WebReady: func(res *demo.Result, url string) {
				for i, s := range res.Steps {
					fmt.Fprintf(e.Stdout, "%d. %s\n", i+1, s)
				}
				fmt.Fprintf(e.Stdout, "Web console: %s\nSign in as %s (or agent@kgo66.ru): the link mailed to the demo's SMTP sink is printed here. Ctrl-C stops.\n", url, demo.WebLead)
			},
			WebLink: func(to, link string) { fmt.Fprintf(e.Stdout, "sign-in link for %s: %s\n", to, link) }})
		return err
	}
	res, err := demo.Run(ctx, demo.Options{At: at, Dir: dir, Logger: e.Log})
	if err != nil {
		return err
	}
	w := e.Stdout
	fmt.Fprintln(w, "Otvet demo: an in-process IMAP server and SMTP sink, a temporary SQLite database.")
	for i, s := range res.Steps {
		fmt.Fprintf(w, "%d. %s\n", i+1, s)
	}
	cfg, err := config.Load(res.ConfigPath, nil)
	if err != nil {
		return err
	}
	settings, err := app.LoadSettings(cfg, e.Log)
	if err != nil {
		return err
	}
	zones := deskZones(settings)
	db, err := app.OpenDB(ctx, cfg, e.Log)
	if err != nil {
		return err
	}
	defer db.Close()
	ts, err := db.ListTickets(ctx, 100)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n==================== Tickets ====================")
	if err := printTickets(w, ts, zones); err != nil {
		return err
	}
	for i := len(ts) - 1; i >= 0; i-- {
		j, err := loadTicket(ctx, db, ts[i].ID)
		if err != nil {
			return err
		}
		fmt.Fprintln(w)
		printTicket(w, j, zones(j.Desk))
	}
	fmt.Fprintf(w, "\n==================== Mail sent (%d) ====================\n", len(res.Sent))
	for _, m := range res.Sent {
		p := m.Message
		fmt.Fprintf(w, "\nMAIL FROM:<%s> RCPT TO:<%s>\n", m.From, strings.Join(m.To, ">,<"))
		for _, h := range []string{"From", "To", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "Auto-Submitted"} {
			if v := p.Header(h); v != "" {
				fmt.Fprintf(w, "%s: %s\n", h, v)
			}
		}
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(p.Text))
	}
	if *keep {
		fmt.Fprintf(w, "\nThe demo's data is kept in %s; look again with:\n  otvet tickets list --config %s\n", dir, filepath.Join(dir, "config.yaml"))
	}
	return nil
}
