package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// selfProbe is the poison-message guard's probe: this very binary, started
// as a probe child (helpdesk.ProbeEnv). Only main installs it: a test
// binary must never start itself.
func selfProbe() helpdesk.Probe {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return helpdesk.ExecProbe(exe, 2*helpdesk.DefaultParseTimeout) // 60 s
}

// quarantineCommand is `otvet quarantine`: the messages intake could not
// use (docs/intake.md, Quarantine).
func quarantineCommand() *command {
	return &command{name: "quarantine", summary: "messages intake could not use: list, show, retry, release", subs: []*command{
		{name: "list", summary: "quarantined messages: id, desk, uid, received (the desk's time), from, subject, reason", usage: "[--json] [--tz ZONE]", run: quarantineList},
		{name: "show", summary: "one quarantined message: header, reason, size", usage: "ID [--json] [--tz ZONE]", run: quarantineShow},
		{name: "retry", summary: "run intake again on the stored message (a ticket at most once)", usage: "ID", run: quarantineRetry},
		{name: "release", summary: "drop the message for good (kept stored, marked released, audited)", usage: "ID", run: quarantineRelease},
	}}
}

type quarantineJSON struct {
	ID          int64  `json:"id"`
	Desk        string `json:"desk"`
	UIDValidity uint32 `json:"uid_validity"`
	UID         uint32 `json:"uid"`
	ReceivedAt  string `json:"received_at"`
	From        string `json:"from"`
	Subject     string `json:"subject"`
	MessageID   string `json:"message_id"`
	Size        int64  `json:"size"`
	Truncated   bool   `json:"truncated"`
	Reason      string `json:"reason"`
	Disposition string `json:"disposition,omitempty"` // show only
	Header      string `json:"header,omitempty"`      // show only
}

// headerSection returns the header section of a message (at most
// store.HeadBytes), without the blank line.
func headerSection(data []byte) []byte {
	if len(data) > store.HeadBytes {
		data = data[:store.HeadBytes]
	}
	end := len(data)
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(data, []byte(sep)); i >= 0 && i < end {
			end = i
		}
	}
	return data[:end]
}

// fromSubject decodes From and Subject from a message's header only.
func fromSubject(data []byte) (from, subject string) {
	m, err := mailmsg.Parse(append(headerSection(data), "\r\n\r\n"...), mailmsg.Options{})
	if err != nil || m == nil {
		return "", ""
	}
	if m.From != nil {
		from = m.From.Email
		if m.From.Name != "" {
			from = m.From.Name + " <" + m.From.Email + ">"
		}
	} else {
		from = m.FromRaw
	}
	return from, m.Subject
}

func quarantineList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "quarantine list", "quarantine list [--json] [--tz ZONE] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON array (times in UTC)")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("quarantine list: unexpected argument %q", fs.Arg(0))
	}
	db, s, err := openDBSettings(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	zone, err := outputZones(s, *tz)
	if err != nil {
		return err
	}
	qs, err := db.Quarantined(ctx)
	if err != nil {
		return err
	}
	out := make([]quarantineJSON, 0, len(qs))
	for _, q := range qs {
		from, subject := fromSubject(q.Head)
		out = append(out, quarantineJSON{
			ID: q.ID, Desk: q.Desk, UIDValidity: q.UIDValidity, UID: q.UID, ReceivedAt: rfc3339(q.ReceivedAt),
			From: from, Subject: subject, MessageID: q.MessageID, Size: q.Size, Truncated: q.Truncated, Reason: q.Note,
		})
	}
	if *asJSON {
		return writeJSON(e.Stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.Stdout, "quarantine is empty")
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDESK\tUID\tRECEIVED\tFROM\tSUBJECT\tREASON")
	for _, j := range out {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", j.ID, j.Desk, j.UID, localRFC(j.ReceivedAt, zone(j.Desk)), clip(j.From, 40),
			clip(j.Subject, 40), clip(j.Reason, 70))
	}
	return tw.Flush()
}

// quarantineID reads the one ID argument of show, retry and release.
func quarantineID(sub string, fs interface {
	NArg() int
	Arg(int) string
}) (int64, error) {
	if fs.NArg() != 1 {
		return 0, usagef("quarantine %s: give one ID (otvet quarantine list)", sub)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("quarantine %s: %q is not a message ID", sub, fs.Arg(0))
	}
	return id, nil
}

func quarantineShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "quarantine show", "quarantine show ID [--json] [--tz ZONE] [--config FILE]")
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "as JSON (times in UTC)")
	tz := tzFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	id, err := quarantineID("show", fs)
	if err != nil {
		return err
	}
	db, s, err := openDBSettings(ctx, e, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	zone, err := outputZones(s, *tz)
	if err != nil {
		return err
	}
	r, err := db.RawMessage(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no stored message %d", id)
	}
	if err != nil {
		return err
	}
	from, subject := fromSubject(r.Data)
	j := quarantineJSON{
		ID: r.ID, Desk: r.Desk, UIDValidity: r.UIDValidity, UID: r.UID, ReceivedAt: rfc3339(r.ReceivedAt),
		From: from, Subject: subject, MessageID: r.MessageID, Size: r.Size, Truncated: r.Truncated, Reason: r.Note,
		Disposition: r.Disposition, Header: string(headerSection(r.Data)),
	}
	if *asJSON {
		return writeJSON(e.Stdout, j)
	}
	w := e.Stdout
	fmt.Fprintf(w, "Message %d: %s\nDesk:     %s (UIDVALIDITY %d, UID %d)\nReceived: %s\nFrom:     %s\nSubject:  %s\n",
		j.ID, j.Disposition, j.Desk, j.UIDValidity, j.UID, localTime(r.ReceivedAt, zone(j.Desk)), j.From, j.Subject)
	fmt.Fprintf(w, "Size:     %d bytes", j.Size)
	if j.Truncated {
		fmt.Fprint(w, " (only the header was fetched)")
	}
	fmt.Fprintf(w, "\nReason:   %s\n\n%s\n", j.Reason, j.Header)
	if r.Disposition != store.DispQuarantine {
		fmt.Fprintf(w, "\n(not in quarantine: it is %s)\n", r.Disposition)
	}
	return nil
}

func quarantineRetry(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "quarantine retry", "quarantine retry ID [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	id, err := quarantineID("retry", fs)
	if err != nil {
		return err
	}
	c, err := loadConfig(e, *cfg)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, c, e.Log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	out, err := a.Service.RetryQuarantined(ctx, id)
	switch {
	case errors.Is(err, helpdesk.ErrNotQuarantined):
		fmt.Fprintf(e.Stdout, "message %d is already processed: %v\n", id, err)
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("no stored message %d", id)
	case err != nil:
		return fmt.Errorf("retry message %d: %w (it stays in quarantine)", id, err)
	}
	switch {
	case out.Duplicate:
		fmt.Fprintf(e.Stdout, "message %d: a duplicate of a message already stored\n", id)
	case out.Disposition == store.DispQuarantine:
		fmt.Fprintf(e.Stdout, "message %d is quarantined again: %s\n", id, out.Note)
	case out.TicketID != 0:
		fmt.Fprintf(e.Stdout, "message %d: %s, ticket #%d\n", id, out.Disposition, out.TicketID)
	default:
		fmt.Fprintf(e.Stdout, "message %d: %s\n", id, out.Disposition)
	}
	return nil
}

func quarantineRelease(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "quarantine release", "quarantine release ID [--config FILE]")
	cfg := configFlag(fs)
	if err := parseFlags(fs, flagsFirst(fs, args)); err != nil {
		return err
	}
	id, err := quarantineID("release", fs)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, *cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	ok, err := a.Service.ReleaseQuarantined(ctx, id, actorName(e))
	if err != nil {
		return err
	}
	if !ok {
		if _, err := a.DB.RawMessage(ctx, id); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no stored message %d", id)
		}
		fmt.Fprintf(e.Stdout, "message %d is not in quarantine; nothing to release\n", id)
		return nil
	}
	fmt.Fprintf(e.Stdout, "message %d released: it stays stored, marked released\n", id)
	return nil
}
