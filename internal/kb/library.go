package kb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/otvet/otvet/internal/search"
	"github.com/otvet/otvet/internal/store"
)

// Options configure a Library.
type Options struct {
	DB         *store.DB
	Dir        string  // kb.dir: article files (may be empty)
	RepliesDir string  // replies.dir: canned answers (may be empty)
	BaseURL    string  // kb.base_url: an article's link is BaseURL + slug, unless it has its own url
	Threshold  float64 // kb.threshold (0: DefaultThreshold)
	Analyzer   Analyzer
	Logger     *slog.Logger
}

// Library holds the knowledge base and the canned answers in memory: the
// article files of kb.dir kept in step with the database, the articles of
// `otvet kb add`, the reply files of replies.dir and those of `otvet
// reply-template add`. Reload reads them again; readers always see one
// consistent set. Safe for concurrent use.
type Library struct {
	o      Options
	mu     sync.RWMutex
	ix     *Index
	byID   map[int64]Article
	canned map[string]Canned
	names  []Canned
}

// NewLibrary makes an empty library; Reload fills it.
func NewLibrary(o Options) *Library {
	if o.Threshold <= 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Analyzer == nil {
		o.Analyzer = CachedAnalyzer(search.NewStemmer())
	}
	return &Library{o: o, ix: NewIndex(nil, o.Analyzer), byID: map[int64]Article{}, canned: map[string]Canned{}}
}

// Reload syncs the article files into the database and reads everything
// again. A file that cannot be read is logged and left out (the others
// load); a database error is returned and the previous set stays.
func (l *Library) Reload(ctx context.Context, now time.Time) error {
	files, errs := LoadDir(l.o.Dir)
	for _, err := range errs {
		l.o.Logger.Warn("knowledge base article not loaded", "err", err)
	}
	if l.o.Dir != "" && (len(errs) == 0 || len(files) > 0) {
		rows := make([]store.KBArticle, 0, len(files))
		for _, a := range files {
			rows = append(rows, ToRow(a))
		}
		if err := l.o.DB.SyncKBFiles(ctx, rows, now); err != nil {
			return fmt.Errorf("kb.dir: %w", err)
		}
	}
	stored, err := l.o.DB.KBArticles(ctx)
	if err != nil {
		return err
	}
	arts := make([]Article, 0, len(stored))
	byID := make(map[int64]Article, len(stored))
	for _, r := range stored {
		a := FromRow(r)
		if a.URL == "" && l.o.BaseURL != "" {
			a.URL = l.o.BaseURL + a.Slug
		}
		arts = append(arts, a)
		byID[a.ID] = a
	}
	cs, errs := LoadReplies(l.o.RepliesDir)
	for _, err := range errs {
		l.o.Logger.Warn("canned answer not loaded", "err", err)
	}
	dbc, err := l.o.DB.ReplyTemplates(ctx)
	if err != nil {
		return err
	}
	canned := map[string]Canned{}
	for _, c := range cs {
		canned[FoldName(c.Name)] = c
	}
	for _, r := range dbc {
		c := Canned{Name: r.Name, Title: r.Title, Body: r.Body}
		if c.Title == "" {
			first, _, _ := strings.Cut(c.Body, "\n")
			c.Title = Cut(first, 60)
		}
		canned[FoldName(r.Name)] = c
	}
	names := make([]Canned, 0, len(canned))
	for _, c := range canned {
		names = append(names, c)
	}
	sortCanned(names)
	ix := NewIndex(arts, l.o.Analyzer)
	l.mu.Lock()
	l.ix, l.byID, l.canned, l.names = ix, byID, canned, names
	l.mu.Unlock()
	return nil
}

func sortCanned(cs []Canned) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
}

// MaxSuggestions is how many articles an acknowledgement names at most.
const MaxSuggestions = 3

// Suggest ranks the public articles against a request and returns those
// scoring above the threshold, best first, at most MaxSuggestions.
func (l *Library) Suggest(subject, text string) []Match {
	l.mu.RLock()
	ix := l.ix
	l.mu.RUnlock()
	return ix.Suggest(subject, text, l.o.Threshold, MaxSuggestions)
}

// Article finds an article by id.
func (l *Library) Article(id int64) (Article, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	a, ok := l.byID[id]
	return a, ok
}

// Canned finds a canned answer by name (case and ё folded).
func (l *Library) Canned(name string) (Canned, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	c, ok := l.canned[FoldName(name)]
	return c, ok
}

// CannedList lists the canned answers by name.
func (l *Library) CannedList() []Canned {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]Canned(nil), l.names...)
}

// ToRow is an article as the store keeps it.
func ToRow(a Article) store.KBArticle {
	return store.KBArticle{ID: a.ID, Slug: a.Slug, Title: a.Title, Systems: strings.Join(a.Systems, ", "),
		Keywords: strings.Join(a.Keywords, ", "), Body: a.Body, Public: a.Public, URL: a.URL, Source: a.Source}
}

// FromRow is a stored article.
func FromRow(r store.KBArticle) Article {
	return Article{ID: r.ID, Slug: r.Slug, Title: r.Title, Systems: splitList(r.Systems), Keywords: splitList(r.Keywords),
		Body: r.Body, Public: r.Public, URL: r.URL, Source: r.Source}
}

// ErrNoArticle is returned for an article number that does not exist.
var ErrNoArticle = errors.New("no such article")
