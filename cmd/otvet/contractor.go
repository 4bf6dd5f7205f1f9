package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/directory"
	"github.com/otvet/otvet/internal/store"
)

// cmdContractor manages contractors (§4.7, docs/contractors.md).
func cmdContractor(ctx context.Context, e *env, args []string) error {
	const usage = "contractor add|edit --name NAME --address A[,@DOMAIN…] [--display-name N] [--hide-name] [--systems S1,S2] " +
		"[--hours HH:MM-HH:MM] [--response-minutes M] [--tell-answer] | list [--json] | remove NAME"
	if len(args) == 0 {
		return usagef("usage: otvet %s", usage)
	}
	fs := newFlags(e, "contractor "+args[0], usage)
	cfg := configFlag(fs)
	switch args[0] {
	case "add", "edit":
		in := contractorFlags(fs)
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		c := in()
		if c.Name == "" {
			return usagef("contractor %s: --name is required", args[0])
		}
		d, err := openDirectory(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer d.db.Close()
		op := d.svc.AddContractor
		if args[0] == "edit" {
			op = d.svc.EditContractor
		}
		row, err := op(ctx, c)
		if err != nil {
			return dirErr("contractor "+args[0], err)
		}
		fmt.Fprintf(e.Stdout, "contractor %s: %s\n", row.Name, strings.Join(row.AddressList(), ", "))
		return nil
	case "list":
		type cj struct {
			Name            string   `json:"name"`
			DisplayName     string   `json:"display_name"`
			HideName        bool     `json:"hide_name"`
			Addresses       []string `json:"addresses"`
			Systems         []string `json:"systems"`
			Hours           string   `json:"hours"`
			ResponseMinutes int64    `json:"response_minutes"`
			TellAnswer      bool     `json:"tell_answer"`
		}
		return listing[store.Contractor]{
			head: []string{"NAME", "ADDRESSES", "SYSTEMS", "HOURS", "RESPONSE"},
			cells: func(c store.Contractor) []string {
				return []string{c.Name, strings.Join(c.AddressList(), ", "), strings.Join(c.SystemList(), ", "), or(c.Hours, "desk"), responseWords(c)}
			},
			json: func(c store.Contractor) any {
				return cj{c.Name, c.DisplayName, c.HideName, nonNil(c.AddressList()), nonNil(c.SystemList()), c.Hours, c.ResponseMinutes, c.TellAnswer}
			},
		}.run(ctx, e, fs, cfg, args[1:], (*store.DB).ListContractors)
	case "remove":
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("contractor remove: give the contractor's name")
		}
		d, err := openDirectory(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer d.db.Close()
		kept, err := d.svc.RemoveContractor(ctx, fs.Arg(0))
		if err != nil {
			return dirErr("contractor remove", err)
		}
		if kept {
			fmt.Fprintf(e.Stdout, "contractor %s removed; its past involvements stay in reports\n", fs.Arg(0))
		} else {
			fmt.Fprintf(e.Stdout, "contractor %s removed\n", fs.Arg(0))
		}
		return nil
	}
	return usagef("usage: otvet %s", usage)
}

func contractorFlags(fs *flag.FlagSet) func() directory.ContractorInput {
	name := fs.String("name", "", "the contractor's one-word name (#escalate NAME)")
	display := fs.String("display-name", "", "the name the requester is told")
	hide := fs.Bool("hide-name", false, "tell the requester of \"a contractor\" without its name")
	addrs := fs.String("address", "", "addresses and domains (@vendor.example), comma-separated; requests go to the first address")
	systems := fs.String("systems", "", "the systems it serves, comma-separated")
	hours := fs.String("hours", "", "its support hours, HH:MM-HH:MM (default: the desk's)")
	resp := fs.Int64("response-minutes", 0, "its response target in business minutes (default: the desk's first-response target)")
	tell := fs.Bool("tell-answer", false, "tell the requester when the contractor has answered")
	return func() directory.ContractorInput {
		return directory.ContractorInput{Name: *name, DisplayName: *display, HideName: *hide, Addresses: []string{*addrs},
			Systems: []string{*systems}, Hours: *hours, Response: *resp, TellAnswer: *tell}
	}
}

func responseWords(c store.Contractor) string {
	if c.ResponseMinutes == 0 {
		return "desk"
	}
	return fmt.Sprintf("%d min", c.ResponseMinutes)
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
