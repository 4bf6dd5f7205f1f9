package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/kb"
	"github.com/otvet/otvet/internal/store"
)

// cmdKB manages the knowledge base's articles (docs/kb.md).
func cmdKB(ctx context.Context, e *env, args []string) error {
	const usage = "kb add FILE.md [--slug NAME] | list [--json] | show N | remove N"
	if len(args) == 0 {
		return usagef("usage: otvet %s", usage)
	}
	fs := newFlags(e, "kb "+args[0], usage)
	cfg := configFlag(fs)
	switch args[0] {
	case "add":
		slug := fs.String("slug", "", "the article's name (default: the file name without .md)")
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		name, data, err := namedFile(fs, "kb add", "the article's Markdown file", *slug)
		if err != nil {
			return err
		}
		a, err := kb.ParseArticle(name, data)
		if err != nil {
			return usagef("kb add: %v", err)
		}
		db, err := openDB(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		row := kb.ToRow(a)
		row.Source, row.UpdatedAt = "cli", time.Now().UTC()
		if err := kb.AddArticle(ctx, db, &row, "cli"); err != nil {
			return err
		}
		vis := "public"
		if !a.Public {
			vis = "internal"
		}
		fmt.Fprintf(e.Stdout, "article #%d %s (%s): %s\n", row.ID, row.Slug, vis, row.Title)
		return nil
	case "list":
		type aj struct {
			ID       int64  `json:"id"`
			Slug     string `json:"slug"`
			Title    string `json:"title"`
			Systems  string `json:"systems,omitempty"`
			Keywords string `json:"keywords,omitempty"`
			Public   bool   `json:"public"`
			Source   string `json:"source"`
		}
		return listing[store.KBArticle]{
			head: []string{"N", "NAME", "PUBLIC", "SOURCE", "SYSTEMS", "TITLE"},
			cells: func(a store.KBArticle) []string {
				return []string{fmt.Sprint(a.ID), a.Slug, fmt.Sprint(a.Public), a.Source, a.Systems, a.Title}
			},
			json: func(a store.KBArticle) any {
				return aj{a.ID, a.Slug, a.Title, a.Systems, a.Keywords, a.Public, a.Source}
			},
		}.run(ctx, e, fs, cfg, args[1:], (*store.DB).KBArticles)
	case "show", "remove":
		if err := parseFlags(fs, flagsFirst(fs, args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("kb %s: give the article's number", args[0])
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(fs.Arg(0), "#"), 10, 64)
		if err != nil || id <= 0 {
			return usagef("kb %s: %q is not an article number", args[0], fs.Arg(0))
		}
		db, err := openDB(ctx, e, *cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		if args[0] == "remove" {
			err := kb.RemoveArticle(ctx, db, id, "cli", time.Now().UTC())
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no article #%d", id)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "article #%d removed (a file of kb.dir comes back at the next reload: delete the file)\n", id)
			return nil
		}
		r, err := db.KBArticle(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no article #%d", id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "# %d %s (%s)\n", r.ID, r.Slug, r.Source)
		_, err = e.Stdout.Write(kb.FromRow(*r).Render())
		return err
	}
	return usagef("kb: unknown subcommand %q; usage: otvet %s", args[0], usage)
}

// namedFile reads the one file argument of an add command (cmd) and its
// name: name when given, else the file's name without .md; a name is made
// of letters, digits, '-' and '_' (kb.ValidSlug).
func namedFile(fs *flag.FlagSet, cmd, what, name string) (string, []byte, error) {
	if fs.NArg() != 1 {
		return "", nil, usagef("%s: give %s", cmd, what)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return "", nil, err
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(fs.Arg(0)), ".md")
	}
	if !kb.ValidSlug(name) {
		return "", nil, usagef("%s: %q is not a name: letters, digits, '-' and '_'", cmd, name)
	}
	return name, data, nil
}
