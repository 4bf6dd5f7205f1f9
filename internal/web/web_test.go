package web_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/web"
)

const (
	agent    = "agent@kgo66.ru"
	lead     = "lead@kgo66.ru"
	customer = "petrov@uszn.kgo66.ru"
	support  = "sd@kgo66.ru"
)

type fakePoller struct{ st mailin.Status }

func (f *fakePoller) Name() string          { return "sd" }
func (f *fakePoller) Status() mailin.Status { return f.st }

type rig struct {
	t      *testing.T
	db     *store.DB
	svc    *helpdesk.Service
	srv    *httptest.Server
	mu     sync.Mutex
	now    time.Time
	poller *fakePoller
	ticket int64
	m      *web.Metrics
}

func (g *rig) clock() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now
}

func (g *rig) advance(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now = g.now.Add(d)
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: filepath.Join(t.TempDir(), "t.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	g := &rig{t: t, db: db, now: time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC), poller: &fakePoller{}}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, s := range []store.Staff{{Email: agent, Name: "Агент", Role: store.StaffAgent, Active: true},
			{Email: lead, Name: "Старший", Role: store.StaffLead, Active: true}} {
			if err := tx.UpsertStaff(ctx, &s, "test", g.now); err != nil {
				return err
			}
		}
		o := &store.Org{Name: "УСЗН", INN: "6615000001", Domains: []string{"uszn.kgo66.ru"}, SupportLevel: "standard"}
		if err := tx.CreateOrg(ctx, o, "test", g.now); err != nil {
			return err
		}
		u := store.User{Email: customer, FullName: "Петров Сергей", Phone: "2-44-17", Role: store.RoleUser, Confirmed: true,
			OrgID: sql.NullInt64{Int64: o.ID, Valid: true}}
		_, err := tx.UpsertUser(ctx, &u, "test", g.now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := mailout.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := mailout.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	g.svc, err = helpdesk.New(helpdesk.Options{DB: db, Signer: signer, Templates: tmpl, Now: g.clock, Parse: mailmsg.Options{},
		Desks: []helpdesk.Desk{{Name: "sd", SupportAddress: support, DisplayName: "Служба поддержки", Language: "ru", Identification: true}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.svc.OpenPhone(ctx, helpdesk.PhoneRequest{Desk: "sd", Requester: customer, Subject: "Не печатает принтер",
		Body: "Принтер в кабинете 12 не печатает.", Actor: lead})
	if err != nil || out.TicketID == 0 {
		t.Fatalf("ticket: %+v %v", out, err)
	}
	g.ticket = out.TicketID
	g.m = web.NewMetrics()
	g.svc.SetObserver(g.m)
	s, err := web.New(web.Options{Metrics: g.m, DB: db, Service: g.svc, Templates: tmpl, BaseURL: "http://console.test",
		Desks:   []web.Desk{{Name: "sd", DisplayName: "Служба поддержки", SupportAddress: support, Language: "ru"}},
		Pollers: []web.Poller{g.poller}, Now: g.clock})
	if err != nil {
		t.Fatal(err)
	}
	g.srv = httptest.NewServer(s)
	t.Cleanup(g.srv.Close)
	return g
}

// client is a browser: cookies kept, redirects not followed.
func (g *rig) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (g *rig) do(c *http.Client, method, path string, form url.Values) (*http.Response, string) {
	g.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, g.srv.URL+path, body)
	if err != nil {
		g.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in\n%s", page)
	}
	return m[1]
}

// askLink asks for a sign-in link for email and returns the page.
func (g *rig) askLink(c *http.Client, email string) string {
	_, page := g.do(c, "GET", "/signin", nil)
	_, page = g.do(c, "POST", "/signin", url.Values{"csrf": {csrfOf(g.t, page)}, "email": {email}})
	return page
}

var linkRe = regexp.MustCompile(`/signin/link\?token=([A-Za-z0-9_-]+)`)

// lastLink reads the newest sign-in link to email from the outbox.
func (g *rig) lastLink(email string) string {
	g.t.Helper()
	rows, err := g.db.ListOutgoing(context.Background(), 100)
	if err != nil {
		g.t.Fatal(err)
	}
	for _, r := range rows {
		if r.Kind != mailout.TmplWebSignIn || r.Recipients != email {
			continue
		}
		full, _ := g.db.Outgoing(context.Background(), r.ID)
		msg, err := mailmsg.Parse(full.Raw, mailmsg.Options{})
		if err != nil {
			g.t.Fatal(err)
		}
		if m := linkRe.FindStringSubmatch(msg.Text); m != nil {
			return m[1]
		}
	}
	g.t.Fatalf("no sign-in link to %s", email)
	return ""
}

// useLink opens a link and presses its button.
func (g *rig) useLink(c *http.Client, token string) *http.Response {
	_, page := g.do(c, "GET", "/signin/link?token="+token, nil)
	resp, _ := g.do(c, "POST", "/signin/link", url.Values{"csrf": {csrfOf(g.t, page)}, "token": {token}})
	return resp
}

func (g *rig) signIn(email string) *http.Client {
	g.t.Helper()
	c := g.client()
	g.askLink(c, email)
	if resp := g.useLink(c, g.lastLink(email)); resp.StatusCode != http.StatusSeeOther {
		g.t.Fatalf("sign-in: %s", resp.Status)
	}
	return c
}

func TestSecurityHeaders(t *testing.T) {
	g := newRig(t)
	c := g.signIn(agent)
	for _, path := range []string{"/signin", "/queue", "/tickets/1", "/healthz"} {
		resp, _ := g.do(c, "GET", path, nil)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

func TestSignInLinks(t *testing.T) {
	g := newRig(t)
	c := g.client()
	staffPage := g.askLink(c, agent)
	strangerPage := g.askLink(g.client(), "nobody@kgo66.ru")
	strip := func(s string) string { return csrfField.ReplaceAllString(s, "") }
	if strip(staffPage) != strip(strangerPage) || !strings.Contains(staffPage, `id="sent"`) {
		t.Error("the answer tells staff from strangers")
	}
	token := g.lastLink(agent)
	cases := []struct {
		name    string
		advance time.Duration
		token   string
		want    int
	}{
		{"first use signs in", 0, token, http.StatusSeeOther},
		{"second use is refused", 0, token, http.StatusForbidden},
		{"a made-up token is refused", 0, "AAAA", http.StatusForbidden},
	}
	for _, cs := range cases {
		g.advance(cs.advance)
		if resp := g.useLink(g.client(), cs.token); resp.StatusCode != cs.want {
			t.Errorf("%s: %s", cs.name, resp.Status)
		}
	}
	// Expiry: a fresh link used after its 15 minutes.
	g.advance(16 * time.Minute)
	g.askLink(c, agent)
	fresh := g.lastLink(agent)
	g.advance(16 * time.Minute)
	if resp := g.useLink(g.client(), fresh); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an expired link: %s", resp.Status)
	}
	// Per-address limit: the fourth request in 15 minutes mails nothing.
	g.advance(time.Hour)
	before := countLinks(t, g.db)
	for range 4 {
		g.askLink(c, agent)
	}
	if n := countLinks(t, g.db) - before; n != 3 {
		t.Errorf("%d links mailed, want 3", n)
	}
}

func countLinks(t *testing.T, db *store.DB) int {
	rows, err := db.ListOutgoing(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Kind == mailout.TmplWebSignIn {
			n++
		}
	}
	return n
}

func TestCSRF(t *testing.T) {
	g := newRig(t)
	c := g.signIn(agent)
	path := "/tickets/1/act"
	cases := []struct {
		name string
		form url.Values
		want int
	}{
		{"no token", url.Values{"kind": {"command"}, "command": {"take"}}, http.StatusForbidden},
		{"wrong token", url.Values{"csrf": {"forged"}, "kind": {"command"}, "command": {"take"}}, http.StatusForbidden},
	}
	for _, cs := range cases {
		if resp, _ := g.do(c, "POST", path, cs.form); resp.StatusCode != cs.want {
			t.Errorf("%s: %s", cs.name, resp.Status)
		}
	}
	if tk, _ := g.db.Ticket(context.Background(), g.ticket); tk.Assignee != "" {
		t.Errorf("a forged post took the ticket: %q", tk.Assignee)
	}
	// Sign-in without the double-submit cookie.
	if resp, _ := g.do(g.client(), "POST", "/signin", url.Values{"email": {agent}, "csrf": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in request without its cookie: %s", resp.Status)
	}
}

// act posts an action on ticket 1 and follows its redirect (post/redirect/get):
// the status and page of the GET.
func (g *rig) act(c *http.Client, form url.Values) (int, string) {
	g.t.Helper()
	_, page := g.do(c, "GET", "/tickets/1", nil)
	form.Set("csrf", csrfOf(g.t, page))
	resp, body := g.do(c, "POST", "/tickets/1/act", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets/1" {
		g.t.Fatalf("action answered %s (Location %q), want 303 to the ticket\n%s", resp.Status, resp.Header.Get("Location"), body)
	}
	resp, body = g.do(c, "GET", "/tickets/1", nil)
	return resp.StatusCode, body
}

// TestActionsRedirect: every action answers 303 to the ticket's page, which
// shows what was done once; reloading it repeats nothing.
func TestActionsRedirect(t *testing.T) {
	cases := []struct {
		name    string
		form    url.Values
		want    string // on the page after the redirect
		changed func(*store.Ticket) bool
	}{
		{"reply", url.Values{"kind": {"reply"}, "text": {"Перезагрузите принтер."}}, `id="results"`, nil},
		{"note", url.Values{"kind": {"note"}, "text": {"Звонил, не отвечают."}}, `id="results"`, nil},
		{"take", url.Values{"kind": {"command"}, "command": {"take"}}, `id="results"`, func(tk *store.Ticket) bool { return tk.Assignee == lead }},
		{"priority", url.Values{"kind": {"command"}, "command": {"priority"}, "arg": {"high"}}, `id="results"`, func(tk *store.Ticket) bool { return tk.Priority == "high" }},
		{"wait", url.Values{"kind": {"command"}, "command": {"wait"}, "text": {"Пришлите снимок экрана."}}, `id="results"`, func(tk *store.Ticket) bool { return tk.Status == store.StatusWaiting }},
		{"resolve", url.Values{"kind": {"command"}, "command": {"resolve"}, "text": {"Готово."}}, `id="results"`, func(tk *store.Ticket) bool { return tk.Status == store.StatusResolved }},
		{"close", url.Values{"kind": {"command"}, "command": {"close"}}, `id="results"`, func(tk *store.Ticket) bool { return tk.Status == store.StatusClosed }},
		{"nothing", url.Values{"kind": {"reply"}, "text": {"  "}}, `id="problem"`, nil},
		{"unknown command", url.Values{"kind": {"command"}, "command": {"explode"}}, `id="problem"`, nil},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			g := newRig(t)
			c := g.signIn(lead)
			code, page := g.act(c, cs.form)
			if code != http.StatusOK || !strings.Contains(page, cs.want) {
				t.Fatalf("%d: the page after the action lacks %s\n%s", code, cs.want, page)
			}
			tk, _ := g.db.Ticket(context.Background(), g.ticket)
			if cs.changed != nil && !cs.changed(tk) {
				t.Errorf("the action did not happen: %+v", tk)
			}
			events, _ := g.db.Events(context.Background(), g.ticket)
			msgs, _ := g.db.Messages(context.Background(), g.ticket)
			// A reload: the flash is gone and nothing happens again.
			resp, again := g.do(c, "GET", "/tickets/1", nil)
			if resp.StatusCode != http.StatusOK || strings.Contains(again, `id="results"`) || strings.Contains(again, `id="problem"`) {
				t.Errorf("the reload shows the flash again (%s)", resp.Status)
			}
			events2, _ := g.db.Events(context.Background(), g.ticket)
			msgs2, _ := g.db.Messages(context.Background(), g.ticket)
			if len(events2) != len(events) || len(msgs2) != len(msgs) {
				t.Errorf("the reload changed the ticket: %d→%d events, %d→%d messages", len(events), len(events2), len(msgs), len(msgs2))
			}
		})
	}
}

// TestFlashIsTheSessionsOwn: a flash cookie copied into another session,
// or altered, shows nothing.
func TestFlashIsTheSessionsOwn(t *testing.T) {
	g := newRig(t)
	c := g.signIn(lead)
	_, page := g.do(c, "GET", "/tickets/1", nil)
	resp, _ := g.do(c, "POST", "/tickets/1/act", url.Values{"csrf": {csrfOf(t, page)}, "kind": {"note"}, "text": {"Заметка."}})
	var flash *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "otvet_flash" {
			flash = ck
		}
	}
	if flash == nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("no flash cookie with the redirect (%s)", resp.Status)
	}
	other := g.signIn(agent)
	u, _ := url.Parse(g.srv.URL)
	for _, v := range []string{flash.Value, "x" + flash.Value} {
		other.Jar.SetCookies(u, []*http.Cookie{{Name: "otvet_flash", Value: v, Path: "/"}})
		if _, page := g.do(other, "GET", "/tickets/1", nil); strings.Contains(page, `id="results"`) {
			t.Errorf("another session was shown the flash %.20s…", v)
		}
	}
}

func TestPermissions(t *testing.T) {
	cases := []struct {
		name, who, command, arg, want string
	}{
		{"an agent cannot assign to others", agent, "assign", lead, ""},
		{"a lead assigns", lead, "assign", agent, agent},
		{"an agent takes", agent, "take", "", agent},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			g := newRig(t)
			c := g.signIn(cs.who)
			code, body := g.act(c, url.Values{"kind": {"command"}, "command": {cs.command}, "arg": {cs.arg}})
			if code != http.StatusOK || !strings.Contains(body, `id="results"`) {
				t.Fatalf("%d\n%s", code, body)
			}
			tk, _ := g.db.Ticket(context.Background(), g.ticket)
			if tk.Assignee != cs.want {
				t.Errorf("assignee %q, want %q", tk.Assignee, cs.want)
			}
			evs, _ := g.db.Events(context.Background(), g.ticket)
			found := false
			for _, e := range evs {
				found = found || e.Kind == "staff_action" && e.Actor == cs.who && strings.Contains(e.Detail, "via web")
			}
			if !found {
				t.Error("the action was not audited with the web channel")
			}
		})
	}
}

func TestReplyAndDownload(t *testing.T) {
	g := newRig(t)
	c := g.signIn(agent)
	code, body := g.act(c, url.Values{"kind": {"reply"}, "text": {"Перезагрузите принтер, <b>пожалуйста</b>."}})
	if code != http.StatusOK || !strings.Contains(body, "&lt;b&gt;пожалуйста&lt;/b&gt;") {
		t.Fatalf("%d: the reply is not shown escaped", code)
	}
	msgs, _ := g.db.Messages(context.Background(), g.ticket)
	if len(msgs) < 2 || msgs[len(msgs)-1].Direction != store.DirOut {
		t.Fatalf("messages %+v", msgs)
	}
	files, _ := g.db.Attachments(context.Background(), g.ticket)
	_ = files
}

func TestDisabledMemberIsSignedOut(t *testing.T) {
	g := newRig(t)
	c := g.signIn(agent)
	if resp, _ := g.do(c, "GET", "/queue", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("queue: %s", resp.Status)
	}
	err := g.db.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertStaff(context.Background(), &store.Staff{Email: agent, Name: "Агент", Role: store.StaffAgent}, "test", g.now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := g.do(c, "GET", "/queue", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("a disabled member still has a session: %s", resp.Status)
	}
}

func TestPages(t *testing.T) {
	g := newRig(t)
	c := g.signIn(lead)
	for _, path := range []string{"/queue", "/queue?status=all&assignee=-&org=1", "/tickets/1", "/plan", "/dashboard",
		"/maintenance", "/registrations", "/directory?org=1", "/queue?lang=en"} {
		if resp, body := g.do(c, "GET", path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s\n%s", path, resp.Status, body)
		}
	}
	if resp, _ := g.do(c, "GET", "/tickets/999", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing ticket: %s", resp.Status)
	}
	if resp, _ := g.do(g.client(), "GET", "/queue", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("queue without a session: %s", resp.Status)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	g := newRig(t)
	c := g.client()
	if resp, _ := g.do(c, "GET", "/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz %s", resp.Status)
	}
	if resp, body := g.do(c, "GET", "/readyz", nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz before any pass: %s %s", resp.Status, body)
	}
	g.poller.st = mailin.Status{Connected: true, LastPass: g.clock(), Reconnects: 2}
	if resp, body := g.do(c, "GET", "/readyz", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"outbox_pending"`) {
		t.Errorf("readyz after a pass: %s %s", resp.Status, body)
	}
	g.signIn(agent)
	// Two messages ingested: a new request that arrived 3 s before (IMAP
	// internal date) and the same bytes again; then a send and a failure.
	raw := "From: " + customer + "\r\nTo: " + support + "\r\nSubject: Сканер\r\nMessage-ID: <m1@uszn>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nНе сканирует.\r\n"
	for uid := range uint32(2) {
		f := mailin.Fetched{UID: uid + 1, Raw: []byte(raw), Size: int64(len(raw)), InternalDate: g.clock().Add(-3 * time.Second)}
		if _, err := g.svc.Ingest(context.Background(), "sd", 1, f); err != nil {
			t.Fatal(err)
		}
	}
	g.m.Sent("sd", nil)
	g.m.Sent("sd", io.EOF)
	g.m.GaveUp("sd")
	_, body := g.do(c, "GET", "/metrics", nil)
	for _, want := range []string{
		`otvet_web_signins_total{result="signed_in"} 1`,
		`otvet_web_signins_total{result="link_sent"} 1`,
		`otvet_imap_reconnects_total{desk="sd"} 2`,
		`otvet_messages_ingested_total{desk="sd",disposition="ticket"} 1`,
		`otvet_messages_ingested_total{desk="sd",disposition="duplicate"} 1`,
		`otvet_delivery_to_ticket_seconds_bucket{desk="sd",le="2"} 0`,
		`otvet_delivery_to_ticket_seconds_bucket{desk="sd",le="5"} 1`,
		`otvet_delivery_to_ticket_seconds_sum{desk="sd"} 3`,
		`otvet_delivery_to_ticket_seconds_count{desk="sd"} 1`,
		`otvet_outbox_sent_total{desk="sd"} 1`,
		`otvet_outbox_send_failures_total{desk="sd"} 1`,
		`otvet_outbox_given_up_total{desk="sd"} 1`,
		`otvet_sla_alerts_total{desk="sd",kind="breach",metric="resolution"} 0`,
		"otvet_outbox_pending ", "otvet_outbox_oldest_due_seconds ", "otvet_outbox_failed 0",
		"otvet_database_up 1", "go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

func TestMetricsServeOneConsole(t *testing.T) {
	m := web.NewMetrics()
	g := newRig(t)
	tmpl, _ := mailout.LoadTemplates("")
	o := web.Options{DB: g.db, Service: g.svc, Templates: tmpl, BaseURL: "http://console.test", Metrics: m,
		Desks: []web.Desk{{Name: "sd", SupportAddress: support}}}
	if _, err := web.New(o); err != nil {
		t.Fatal(err)
	}
	if _, err := web.New(o); err == nil {
		t.Error("a second console on the same metrics was built")
	}
}
