package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

func cmdRegistration(ctx context.Context, e *env, args []string) error {
	const usage = "registration list [--json] | show N [--json] | edit N --file REQUEST.json | approve N | reject N REASON"
	if len(args) == 0 {
		return usagef("usage: otvet %s", usage)
	}
	fs := newFlags(e, "registration "+args[0], usage)
	cfg := configFlag(fs)
	asJSON := fs.Bool("json", false, "JSON output")
	file := fs.String("file", "", "edit: the corrected request, as the \"request\" object of 'registration show N --json'")
	if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
		return err
	}
	switch args[0] {
	case "list":
		db, err := openDB(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		rs, err := db.ListRegistrations(ctx)
		if err != nil {
			return err
		}
		type rj struct {
			Ticket       int64  `json:"ticket"`
			State        string `json:"state"`
			Organisation string `json:"organisation"`
			INN          string `json:"inn,omitempty"`
			People       int    `json:"people"`
			Authority    bool   `json:"authority_document"`
		}
		var out []rj
		for _, r := range rs {
			var req regform.Request
			_ = json.Unmarshal([]byte(r.Request), &req)
			out = append(out, rj{r.TicketID, r.State, req.Organisation.Name, req.Organisation.INN, len(req.People), req.HasAuthorityDocument})
		}
		if *asJSON {
			return writeJSON(e.Stdout, out)
		}
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tSTATE\tORGANISATION\tINN\tPEOPLE\tAUTHORITY DOC")
		for _, r := range out {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%v\n", r.Ticket, r.State, r.Organisation, r.INN, r.People, r.Authority)
		}
		return tw.Flush()
	case "edit":
		if fs.NArg() != 1 || *file == "" {
			return usagef("registration edit: give the ticket number and --file REQUEST.json")
		}
		n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || n <= 0 {
			return usagef("registration edit: %q is not a ticket number", fs.Arg(0))
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		var req regform.Request
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return fmt.Errorf("%s: %w", *file, err)
		}
		for i, p := range req.People {
			if p.Email == "" {
				continue
			}
			if _, err := store.NormalizeEmail(p.Email); err != nil {
				return fmt.Errorf("%s: person %d: %q is not an e-mail address", *file, i+1, p.Email)
			}
		}
		db, err := openDB(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		body, _ := json.Marshal(req)
		err = db.Tx(ctx, func(tx *store.Tx) error {
			reg, err := tx.Registration(ctx, n)
			if err != nil {
				return err
			}
			if reg.State != store.RegPending {
				return fmt.Errorf("connection request #%d is already %s", n, reg.State)
			}
			if err := tx.UpdateRegistrationRequest(ctx, n, string(body)); err != nil {
				return err
			}
			return tx.AddEvent(ctx, n, time.Now(), "registration_edited", actorName(e), fmt.Sprintf("%d people", len(req.People)))
		})
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ticket #%d is not a connection request", n)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "connection request #%d updated: %d people\n", n, len(req.People))
		return nil
	case "show", "approve", "reject":
		if fs.NArg() < 1 {
			return usagef("registration %s: give the ticket number", args[0])
		}
		n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || n <= 0 {
			return usagef("registration %s: %q is not a ticket number", args[0], fs.Arg(0))
		}
		if args[0] == "show" {
			db, err := openDB(ctx, e, *cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			rs, err := db.ListRegistrations(ctx)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if r.TicketID != n {
					continue
				}
				var req regform.Request
				if err := json.Unmarshal([]byte(r.Request), &req); err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(e.Stdout, map[string]any{"ticket": n, "state": r.State, "request": req})
				}
				o := req.Organisation
				fmt.Fprintf(e.Stdout, "Connection request #%d [%s]\n%s (ИНН %s, ОГРН %s, КПП %s)\n%s\nAuthority document: %v\n\n",
					n, r.State, o.Name, o.INN, o.OGRN, o.KPP, o.Address, req.HasAuthorityDocument)
				tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "№\tFULL NAME\tPOSITION\tSYSTEMS\tE-MAIL\tPHONE\tACTION")
				for _, p := range req.People {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Row, p.FullName, p.Position, p.Systems, p.Email, p.Phone, p.Action)
				}
				tw.Flush()
				for _, pr := range req.Problems {
					fmt.Fprintln(e.Stdout, "! "+pr)
				}
				return nil
			}
			return fmt.Errorf("ticket #%d is not a connection request", n)
		}
		reason := ""
		if args[0] == "reject" {
			if fs.NArg() < 2 {
				return usagef("registration reject: give the reason code, e.g. insufficient_info")
			}
			reason = fs.Arg(1)
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
		summary, err := a.Service.DecideRegistration(ctx, n, args[0] == "approve", reason, actorName(e))
		if err != nil {
			return err
		}
		if _, err := a.Outbox.Drain(ctx); err != nil {
			e.Log.Warn("the protocol stays in the outbox", "err", err)
		}
		fmt.Fprintf(e.Stdout, "connection request #%d %sd: %s\n", n, args[0], summary)
		return nil
	}
	return usagef("registration: unknown subcommand %q; usage: otvet %s", args[0], usage)
}

func actorName(e *env) string {
	if u := e.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}
