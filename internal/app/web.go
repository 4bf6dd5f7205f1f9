package app

import (
	"context"
	"fmt"
	"net"

	"github.com/otvet/otvet/internal/web"
)

// Web builds the web console from the configuration (http section); nil
// when http.listen is empty.
func (a *App) Web() (*web.Server, error) {
	h := a.Config.HTTP
	if h.Listen == "" {
		return nil, nil
	}
	base := h.BaseURL
	if base == "" {
		base = "http://" + h.Listen
	}
	var desks []web.Desk
	for _, d := range a.Settings.Desks {
		wd := web.Desk{Name: d.Name, DisplayName: d.DisplayName, SupportAddress: d.SupportAddress, From: d.From,
			Language: d.Language, Location: d.Location}
		if d.Calendar != nil {
			wd.Calendar = d.Calendar
		}
		desks = append(desks, wd)
	}
	var pollers []web.Poller
	for _, p := range a.Pollers {
		pollers = append(pollers, p)
	}
	return web.New(web.Options{DB: a.DB, Service: a.Service, Templates: a.tmpl, Desks: desks, Pollers: pollers,
		Digest: a.Settings.Digest(), BaseURL: base, Now: a.now, Logger: a.log.With("component", "web"), Queued: a.Outbox.Wake,
		Metrics: a.Metrics})
}

// StartWeb listens on http.listen and serves the console, /healthz, /readyz
// and /metrics until ctx is done (nothing when http.listen is empty). It
// returns the address it listens on; a listen error is returned at once.
func (a *App) StartWeb(ctx context.Context) (string, error) {
	s, err := a.Web()
	if err != nil || s == nil {
		return "", err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", a.Config.HTTP.Listen)
	if err != nil {
		return "", fmt.Errorf("http.listen: %w", err)
	}
	go func() {
		if err := s.Serve(ctx, ln); err != nil {
			a.log.Error("web console stopped", "err", err)
		}
	}()
	return ln.Addr().String(), nil
}
