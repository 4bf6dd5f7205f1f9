package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/kb"
	"github.com/otvet/otvet/internal/store"
)

// newKnowledge builds the knowledge base and canned answers from kb.dir,
// replies.dir and the database, and reads them once.
func newKnowledge(ctx context.Context, c *config.Config, db *store.DB, log *slog.Logger, at time.Time) *kb.Library {
	lib := kb.NewLibrary(kb.Options{DB: db, Dir: c.KB.Dir, RepliesDir: c.Replies.Dir, BaseURL: c.KB.BaseURL,
		Threshold: c.KB.Threshold, Logger: log.With("component", "kb")})
	if err := lib.Reload(ctx, at); err != nil {
		log.Warn("knowledge base not loaded", "err", err)
	}
	return lib
}

// knowledge is what the helpdesk gets: without kb.suggest, no suggestions.
func knowledge(c *config.Config, lib *kb.Library) helpdesk.Knowledge {
	if !c.KB.Suggest.On() {
		return noSuggest{lib}
	}
	return lib
}

type noSuggest struct{ *kb.Library }

func (noSuggest) Suggest(string, string) []kb.Match { return nil }

// reloadKB reads the knowledge base and canned answers again (each
// scheduler tick), so that edited files and otvet kb add take effect.
func (a *App) reloadKB(ctx context.Context) {
	if a.Knowledge == nil {
		return
	}
	if err := a.Knowledge.Reload(ctx, now(a.now)); err != nil && ctx.Err() == nil {
		a.log.Warn("knowledge base not reloaded", "err", err)
	}
}
