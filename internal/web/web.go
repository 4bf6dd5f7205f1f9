// Package web is Otvet's web console with its health and metrics endpoints
// (docs/console.md): staff sign in with a one-time link mailed to them, read
// the queue, tickets, the day's visits, the dashboard, maintenance windows,
// registrations and the directory, and act on tickets through
// helpdesk.Service.Act — exactly what a reply by mail does.
package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Desk is what the console needs of a desk.
type Desk struct {
	Name           string
	DisplayName    string
	SupportAddress string
	From           mailout.Address
	Language       string
	Location       *time.Location
	Calendar       sla.BusinessTime // nil: no business time
}

// Poller is a desk's IMAP poller as /readyz and /metrics see it.
type Poller interface {
	Name() string
	Status() mailin.Status
}

// Options wire a Server.
type Options struct {
	DB        *store.DB
	Service   *helpdesk.Service
	Templates mailout.Renderer // mail templates (the sign-in link)
	Desks     []Desk           // the first sends the sign-in links
	Pollers   []Poller
	Digest    *digest.Setup // the dashboard's report (nil: no dashboard figures)
	// BaseURL is the console's address as staff reach it (sign-in links).
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger
	Queued  func() // wakes the outbox after a link or an action was queued
	// LinkTTL is how long a sign-in link is valid (default 15 minutes);
	// SessionTTL how long a session lasts (default 12 hours).
	LinkTTL, SessionTTL time.Duration
	// LinksPerAddress caps the links mailed to one address per LinkTTL
	// (default 3); LinksPerClient the requests from one client address per
	// LinkTTL (default 20).
	LinksPerAddress, LinksPerClient int
	// Stale: /readyz fails when a desk has had no good pass for this long
	// (default 10 minutes).
	Stale time.Duration
	// Metrics are the counters intake, the scheduler and the outbox feed
	// (NewMetrics; nil: the console makes its own, fed by nobody else).
	// One Server per Metrics: the server adds its scrape-time gauges.
	Metrics *Metrics
}

// Server is the console. It is an http.Handler.
type Server struct {
	o       Options
	log     *slog.Logger
	pages   map[string]*template.Template
	mux     *http.ServeMux
	secure  bool
	m       *Metrics
	clients *limiter
	// flashKey signs the flashes of actions (flash.go); made at start, so
	// a restart drops the few not shown yet.
	flashKey []byte
}

// New checks the options and builds the console.
func New(o Options) (*Server, error) {
	if o.DB == nil || o.Service == nil || o.Templates == nil {
		return nil, errors.New("web: a database, the helpdesk service and the mail templates are required")
	}
	if len(o.Desks) == 0 {
		return nil, errors.New("web: no desk to send sign-in links from")
	}
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("web: base URL %q is not an http(s) address", o.BaseURL)
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Queued == nil {
		o.Queued = func() {}
	}
	if o.LinkTTL <= 0 {
		o.LinkTTL = 15 * time.Minute
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.LinksPerAddress <= 0 {
		o.LinksPerAddress = 3
	}
	if o.LinksPerClient <= 0 {
		o.LinksPerClient = 20
	}
	if o.Stale <= 0 {
		o.Stale = 10 * time.Minute
	}
	for i := range o.Desks {
		if o.Desks[i].Location == nil {
			o.Desks[i].Location = time.UTC
		}
	}
	s := &Server{o: o, log: o.Logger, secure: u.Scheme == "https", clients: &limiter{hits: map[string][]time.Time{}},
		flashKey: make([]byte, 32)}
	_, _ = rand.Read(s.flashKey)
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	if err := s.metrics(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) parseTemplates() error {
	base, err := template.New("").Funcs(template.FuncMap{
		"T":    tr,
		"list": func(s ...string) []string { return s },
		"date": func(lang string, t time.Time, loc *time.Location) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("02.01.2006 15:04")
		},
	}).ParseFS(templateFS, "templates/_*.html")
	if err != nil {
		return fmt.Errorf("web templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/[a-z]*.html")
	if err != nil {
		return err
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return fmt.Errorf("web template %s: %w", n, err)
		}
		s.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", s.metricsHandler())
	m.HandleFunc("GET /signin", s.signinForm)
	m.HandleFunc("POST /signin", s.signinRequest)
	m.HandleFunc("GET /signin/link", s.signinLink)
	m.HandleFunc("POST /signin/link", s.signinUse)
	m.HandleFunc("POST /signout", s.member(s.signout))
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/queue", http.StatusSeeOther) })
	m.HandleFunc("GET /queue", s.member(s.queue))
	m.HandleFunc("GET /tickets/{id}", s.member(s.ticket))
	m.HandleFunc("POST /tickets/{id}/act", s.member(s.act))
	m.HandleFunc("GET /attachments/{id}", s.member(s.attachment))
	m.HandleFunc("GET /plan", s.member(s.plan))
	m.HandleFunc("GET /dashboard", s.member(s.dashboard))
	m.HandleFunc("GET /maintenance", s.member(s.maintenance))
	m.HandleFunc("GET /registrations", s.member(s.registrations))
	m.HandleFunc("GET /directory", s.member(s.directory))
	s.mux = m
}

// ServeHTTP sets the security headers of every answer and serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

// Serve listens on addr until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	defer stop()
	s.log.Info("web console listening", "address", ln.Addr().String(), "base_url", s.o.BaseURL)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}

// Registry is the server's metrics registry.
func (s *Server) Registry() *prometheus.Registry { return s.m.reg }

// session is a signed-in request's member.
type session struct {
	ws     *store.WebSession
	member *store.Staff
	hash   string
}

const (
	sessionCookie = "otvet_session"
	csrfCookie    = "otvet_csrf" // before sign-in: double-submit token
	langCookie    = "otvet_lang"
)

// member lets signed-in staff through and sends others to the sign-in page.
// Every POST must carry the session's CSRF token.
func (s *Server) member(h func(w http.ResponseWriter, r *http.Request, ss *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		hash := hashToken(c.Value)
		ws, m, err := s.o.DB.WebSessionByHash(r.Context(), hash, s.o.Now().UTC())
		if errors.Is(err, store.ErrNotFound) {
			s.clearCookie(w, sessionCookie)
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		ss := &session{ws: ws, member: m, hash: hash}
		if r.Method == http.MethodPost && !sameToken(formValue(r, "csrf"), ws.CSRF) {
			s.render(w, r, http.StatusForbidden, "message", ss, "", messagePage{Key: "csrf"})
			return
		}
		h(w, r, ss)
	}
}

// formValue reads a form field of a urlencoded or multipart body.
func formValue(r *http.Request, name string) string {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return ""
		}
	}
	return r.FormValue(name)
}

func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// newToken is 32 random bytes, URL-safe.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the database keeps of a token.
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge.Seconds())})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: s.secure, MaxAge: -1})
}

// lang is the page language: ?lang= (remembered in a cookie), else the
// cookie, else Russian.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "ru" || l == "en" {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
		}
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		return "en"
	}
	return "ru"
}

// view is what every page template gets.
type view struct {
	Lang   string
	Other  string // the other language
	Title  string
	Nav    string
	Member *store.Staff
	CSRF   string
	Loc    *time.Location
	Page   any
}

// T is a page text in the view's language.
func (v *view) T(key string, args ...any) string { return tr(v.Lang, key, args...) }

// messagePage is a page that only says something.
type messagePage struct {
	Key  string
	Args []any
	Link string // a link under it ("": none)
	Text string // the link's text key
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, ss *session, nav string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.fail(w, r, fmt.Errorf("no page template %q", name))
		return
	}
	v := &view{Lang: s.lang(w, r), Nav: nav, Loc: s.o.Desks[0].Location, Page: data}
	v.Other = "en"
	if v.Lang == "en" {
		v.Other = "ru"
	}
	if ss != nil {
		v.Member, v.CSRF = ss.member, ss.ws.CSRF
	}
	if nav != "" {
		v.Title = v.T(nav)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(b.String()))
}

// fail logs an internal error and answers 500 without its details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(tr(s.lang(nil, r), "error") + "\n"))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, ss *session) {
	s.render(w, r, http.StatusNotFound, "message", ss, "", messagePage{Key: "notfound"})
}

// limiter counts requests per key in a sliding window (sign-in requests per client).
type limiter struct {
	mu   sync.Mutex
	hits map[string][]time.Time
}

// allow records a hit of key at now and reports whether it is within max per window.
func (l *limiter) allow(key string, now time.Time, window time.Duration, max int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) > 10000 {
		l.hits = map[string][]time.Time{} // bounded memory under a flood
	}
	kept := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if now.Sub(t) < window {
			kept = append(kept, t)
		}
	}
	if len(kept) >= max {
		l.hits[key] = kept
		return false
	}
	l.hits[key] = append(kept, now)
	return true
}
