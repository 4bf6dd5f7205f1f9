package web

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
)

type signinPage struct {
	CSRF    string
	Token   string
	Sent    bool
	Minutes int
	Bad     bool
}

// signinForm asks for the member's address. The form carries a
// double-submit token (a cookie and a field) against cross-site posts.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	tok := newToken()
	s.setCookie(w, csrfCookie, tok, s.o.LinkTTL)
	s.render(w, r, http.StatusOK, "signin", nil, "signin", signinPage{CSRF: tok})
}

func (s *Server) preSessionCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && sameToken(r.PostFormValue("csrf"), c.Value)
}

// signinRequest mails a one-time link to the address when it belongs to an
// active member, and always answers the same: nobody learns from it who is
// staff. Links are limited per address and per client.
func (s *Server) signinRequest(w http.ResponseWriter, r *http.Request) {
	if !s.preSessionCSRF(r) {
		s.render(w, r, http.StatusForbidden, "message", nil, "signin", messagePage{Key: "csrf", Link: "/signin", Text: "signin.again"})
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	now := s.o.Now().UTC()
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		client = r.RemoteAddr
	}
	if !s.clients.allow(client, now, s.o.LinkTTL, s.o.LinksPerClient) {
		s.log.Warn("sign-in requests from one client over the limit", "client", client)
		s.m.signin("limited")
	} else if err := s.mailLink(r.Context(), email); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "signin", nil, "signin", signinPage{Sent: true, Minutes: int(s.o.LinkTTL.Minutes())})
}

// mailLink queues the sign-in mail through the outbox (nothing for an
// address that is not an active member, or over its limit).
func (s *Server) mailLink(ctx context.Context, email string) error {
	now := s.o.Now().UTC()
	d := s.o.Desks[0]
	sent := false
	err := s.o.DB.Tx(ctx, func(tx *store.Tx) error {
		m, err := tx.StaffByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !m.Active) {
			s.m.signin("unknown")
			return nil
		} else if err != nil {
			return err
		}
		n, err := tx.CountWebLinksSince(ctx, m.Email, now.Add(-s.o.LinkTTL))
		if err != nil {
			return err
		}
		if n >= s.o.LinksPerAddress {
			s.log.Warn("sign-in links for one address over the limit", "email", m.Email)
			s.m.signin("limited")
			return nil
		}
		tok := newToken()
		if err := tx.InsertWebLink(ctx, hashToken(tok), m.Email, now, now.Add(s.o.LinkTTL)); err != nil {
			return err
		}
		_, domain, _ := strings.Cut(d.SupportAddress, "@")
		from := d.From
		if from.Email == "" {
			from = mailout.Address{Name: d.DisplayName, Email: d.SupportAddress}
		}
		o := mailout.Outgoing{Lang: d.Language, Template: mailout.TmplWebSignIn, From: from, IDDomain: domain, Date: now,
			To: []mailout.Address{{Name: m.Name, Email: m.Email}}, AutoSubmitted: "auto-generated", Loop: d.Name,
			Data: mailout.WebSignInData{Link: s.o.BaseURL + "/signin/link?token=" + url.QueryEscape(tok),
				Minutes: int(s.o.LinkTTL.Minutes()), DeskName: d.DisplayName, SupportAddress: d.SupportAddress}}
		b, err := mailout.BuildWith(s.o.Templates, o)
		if err != nil {
			return err
		}
		if err := tx.InsertOutgoing(ctx, &store.Outgoing{Desk: d.Name, Kind: mailout.TmplWebSignIn, MessageID: b.MessageID,
			EnvelopeFrom: b.EnvelopeFrom, Recipients: strings.Join(b.Recipients, "\n"), RcptKey: b.Recipients[0],
			Subject: b.Subject, Raw: b.Raw, NextAttemptAt: b.NextAttemptAt, CreatedAt: now}); err != nil {
			return err
		}
		sent = true
		return tx.AddEvent(ctx, 0, now, "web_signin_link", m.Email, "")
	})
	if err != nil {
		return err
	}
	if sent {
		s.m.signin("link_sent")
		s.log.Info("sign-in link queued", "email", email)
		s.o.Queued()
	}
	return nil
}

// signinLink shows a button that spends the link: a mail scanner that opens
// links does not sign anybody in, nor spend it.
func (s *Server) signinLink(w http.ResponseWriter, r *http.Request) {
	tok := newToken()
	s.setCookie(w, csrfCookie, tok, s.o.LinkTTL)
	s.render(w, r, http.StatusOK, "signin", nil, "signin", signinPage{CSRF: tok, Token: r.URL.Query().Get("token")})
}

// signinUse spends a link and opens a session.
func (s *Server) signinUse(w http.ResponseWriter, r *http.Request) {
	if !s.preSessionCSRF(r) {
		s.render(w, r, http.StatusForbidden, "message", nil, "signin", messagePage{Key: "csrf", Link: "/signin", Text: "signin.again"})
		return
	}
	now := s.o.Now().UTC()
	token := r.PostFormValue("token")
	sessTok := newToken()
	var email string
	err := s.o.DB.Tx(r.Context(), func(tx *store.Tx) error {
		var err error
		if email, err = tx.UseWebLink(r.Context(), hashToken(token), now); err != nil {
			return err
		}
		m, err := tx.StaffByEmail(r.Context(), email)
		if err != nil {
			return err
		}
		if !m.Active {
			return store.ErrNotFound
		}
		if err := tx.InsertWebSession(r.Context(), &store.WebSession{TokenHash: hashToken(sessTok), Email: m.Email, Role: m.Role,
			CSRF: newToken(), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.o.SessionTTL)}); err != nil {
			return err
		}
		return tx.AddEvent(r.Context(), 0, now, "web_signed_in", m.Email, "")
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, sql.ErrNoRows) {
		s.m.signin("refused")
		s.render(w, r, http.StatusForbidden, "signin", nil, "signin", signinPage{Bad: true})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.m.signin("signed_in")
	s.log.Info("signed in to the web console", "email", email)
	s.clearCookie(w, csrfCookie)
	s.setCookie(w, sessionCookie, sessTok, s.o.SessionTTL)
	http.Redirect(w, r, "/queue", http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request, ss *session) {
	if err := s.o.DB.DeleteWebSession(r.Context(), ss.hash); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
