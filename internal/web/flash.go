package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
)

// Post/redirect/get: every action on a ticket answers 303 to the ticket's
// page, and what the action did travels to that page in a flash — a
// short-lived cookie signed with the server's key and bound to the
// session, shown once and cleared. Reloading the page never repeats the
// action, and the flash is gone after it was shown.

const (
	flashCookie = "otvet_flash"
	flashTTL    = 2 * time.Minute
	// flashMax bounds the cookie's value (browsers keep 4 KiB a cookie).
	flashMax = 3500
)

// flash is what an action did, for the page after the redirect.
type flash struct {
	Ticket    int64                   `json:"t"`
	Results   []mailout.CommandResult `json:"r,omitempty"`
	Delivered bool                    `json:"d,omitempty"`
	Problem   string                  `json:"p,omitempty"` // a console text key (texts.go)
	Expires   int64                   `json:"e"`           // Unix seconds
}

// redirectFlash answers an action: f in a signed cookie and 303 to the
// ticket's page.
func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, ss *session, f flash) {
	f.Expires = s.o.Now().Add(flashTTL).Unix()
	if v, ok := s.sealFlash(ss, f); ok {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v, Path: "/", HttpOnly: true, Secure: s.secure,
			SameSite: http.SameSiteLaxMode, MaxAge: int(flashTTL.Seconds())})
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(f.Ticket, 10), http.StatusSeeOther)
}

// sealFlash encodes and signs f for the session; results are shortened
// until the value fits in a cookie.
func (s *Server) sealFlash(ss *session, f flash) (string, bool) {
	limit := 400
	for range 20 {
		b, err := json.Marshal(f)
		if err != nil {
			return "", false
		}
		v := base64.RawURLEncoding.EncodeToString(b)
		v += "." + base64.RawURLEncoding.EncodeToString(s.flashMAC(ss, v))
		if len(v) <= flashMax {
			return v, true
		}
		switch {
		case limit > 50: // every message cut shorter
			limit /= 2
			for i := range f.Results {
				if m := []rune(f.Results[i].Message); len(m) > limit {
					f.Results[i].Message = string(m[:limit]) + "…"
				}
			}
		case len(f.Results) > 1: // then fewer results
			f.Results = f.Results[:len(f.Results)/2]
		default:
			return "", false
		}
	}
	return "", false
}

// flashMAC signs a flash's encoded value for one session.
func (s *Server) flashMAC(ss *session, v string) []byte {
	m := hmac.New(sha256.New, s.flashKey)
	m.Write([]byte(ss.hash))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return m.Sum(nil)
}

// takeFlash reads the flash meant for the ticket's page and clears it; nil
// when there is none, it is not this session's, or it has expired.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request, ss *session, ticket int64) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	v, sig, ok := strings.Cut(c.Value, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	var f flash
	if ok && err == nil && hmac.Equal(mac, s.flashMAC(ss, v)) {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || json.Unmarshal(b, &f) != nil {
			f = flash{}
		}
	}
	if f.Ticket != 0 && f.Ticket != ticket && f.Expires > s.o.Now().Unix() {
		return nil // another ticket's: kept for its page
	}
	s.clearCookie(w, flashCookie)
	if f.Ticket != ticket || f.Expires <= s.o.Now().Unix() {
		return nil
	}
	return &f
}

// result is a flash's results as the ticket page shows them.
func (f *flash) result() *helpdesk.Result {
	if f == nil || (len(f.Results) == 0 && !f.Delivered) {
		return nil
	}
	return &helpdesk.Result{Results: f.Results, Delivered: f.Delivered}
}
