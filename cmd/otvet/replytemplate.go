package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otvet/otvet/internal/kb"
	"github.com/otvet/otvet/internal/store"
)

// cmdReplyTemplate manages the canned answers kept in the database (docs/kb.md).
func cmdReplyTemplate(ctx context.Context, e *env, args []string) error {
	const usage = "reply-template add FILE.md [--name NAME] | list [--json] | remove NAME"
	if len(args) == 0 {
		return usagef("usage: otvet %s", usage)
	}
	fs := newFlags(e, "reply-template "+args[0], usage)
	cfg := configFlag(fs)
	switch args[0] {
	case "add":
		name := fs.String("name", "", "the name staff write after #шаблон (default: the file name without .md)")
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		n, data, err := namedFile(fs, "reply-template add", "the answer's file", *name)
		if err != nil {
			return err
		}
		c, err := kb.ParseCanned(n, data)
		if err != nil {
			return usagef("reply-template add: %v", err)
		}
		db, err := openDB(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		r := &store.ReplyTemplate{Name: c.Name, Title: c.Title, Body: c.Body, UpdatedAt: time.Now().UTC()}
		if err := kb.PutReplyTemplate(ctx, db, r, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "canned answer %s saved: #шаблон %s\n", c.Name, c.Name)
		return nil
	case "list":
		type rj struct {
			Name  string `json:"name"`
			Title string `json:"title"`
		}
		return listing[store.ReplyTemplate]{
			jsonHelp: "one JSON array (the database's answers; not the files of replies.dir)",
			head:     []string{"NAME", "TITLE"},
			cells:    func(r store.ReplyTemplate) []string { return []string{r.Name, r.Title} },
			json:     func(r store.ReplyTemplate) any { return rj{r.Name, r.Title} },
			after:    "(and the files of replies.dir)",
		}.run(ctx, e, fs, cfg, args[1:], (*store.DB).ReplyTemplates)
	case "remove":
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("reply-template remove: give the name")
		}
		db, err := openDB(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		err = kb.RemoveReplyTemplate(ctx, db, fs.Arg(0), "cli", time.Now().UTC())
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no canned answer %q in the database", fs.Arg(0))
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "canned answer %s removed\n", fs.Arg(0))
		return nil
	}
	return usagef("reply-template: unknown subcommand %q; usage: otvet %s", args[0], usage)
}
