package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/announce"
	"github.com/otvet/otvet/internal/app"
)

const announceUsage = "--to all|org:ID|system:NAME|level:L --subject TEXT --body-file FILE [--at TIME] [--dry-run]"

// cmdAnnounce mails a notice to every matching active user (docs/announcements.md).
func cmdAnnounce(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "announce", announceUsage)
	cfg := configFlag(fs)
	to := fs.String("to", "", "who: all, org:ID, system:NAME (users whose registration names the system) or level:L")
	subject := fs.String("subject", "", "the subject of the mail")
	bodyFile := fs.String("body-file", "", "a UTF-8 text file with the notice ('-': standard input)")
	at := fs.String("at", "", "send from (RFC 3339, or YYYY-MM-DD HH:MM in the first desk's zone); default now")
	dry := fs.Bool("dry-run", false, "list the recipients, send nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	aud, err := announce.ParseAudience(*to)
	if err != nil {
		return usagef("announce: --to: %v", err)
	}
	a, err := openApp(ctx, e, *cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if *dry {
		us, err := a.Service.AnnounceRecipients(ctx, aud)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tSYSTEMS")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Email, u.FullName, u.Systems)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%d recipients (%s); nothing sent\n", len(us), aud)
		return nil
	}
	if strings.TrimSpace(*subject) == "" || *bodyFile == "" {
		return usagef("announce: --subject and --body-file are required")
	}
	var body []byte
	if *bodyFile == "-" {
		body, err = readAll(e)
	} else {
		body, err = os.ReadFile(*bodyFile)
	}
	if err != nil {
		return fmt.Errorf("announce: --body-file: %w", err)
	}
	start := time.Time{}
	if *at != "" {
		loc, _ := a.Settings.Location("")
		if start, err = parseLocalTime(*at, loc); err != nil {
			return usagef("announce: --at: %v", err)
		}
	}
	n, err := a.Service.Announce(ctx, announce.Notice{Audience: aud, Subject: *subject, Body: string(body), At: start, Actor: "cli"})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "announcement queued for %d recipients (%s), %s apart\n", n, aud, a.Config.Outbox.AnnounceInterval.D())
	return nil
}

func readAll(e *env) ([]byte, error) {
	if e.Stdin == nil {
		return nil, errors.New("no standard input")
	}
	return io.ReadAll(e.Stdin)
}
