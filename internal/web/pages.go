package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/sla"
	"github.com/otvet/otvet/internal/store"
)

var statuses = store.AllStatuses()

type queuePage struct {
	Status, Assignee, Search string
	OrgID                    int64
	Statuses                 []string
	Staff                    []store.Staff
	Orgs                     []store.Org
	Tickets                  []store.QueueItem
}

// queue lists tickets with the shared ticket filter (store.TicketFilter,
// as `otvet tickets list` and #queue): status, assignee, organisation and
// full-text search.
func (s *Server) queue(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	p := queuePage{Status: q.Get("status"), Assignee: q.Get("assignee"), Search: strings.TrimSpace(q.Get("q")), Statuses: statuses}
	p.OrgID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	f := store.TicketFilter{OrgID: p.OrgID, Search: p.Search, Now: s.o.Now(), Limit: 200}
	switch p.Status {
	case "":
		f.Statuses = []string{store.StatusActive}
	case "all":
	default:
		if validStatus(p.Status) {
			f.Statuses = []string{p.Status}
		}
	}
	switch p.Assignee {
	case "":
	case "-":
		f.Unassigned = true
	default:
		f.Assignee = p.Assignee
	}
	var err error
	if p.Tickets, err = s.o.DB.FindTickets(r.Context(), f); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Staff, err = s.o.DB.ListStaff(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Orgs, err = s.o.DB.ListOrgs(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "queue", ss, "queue", p)
}

func validStatus(st string) bool {
	for _, s := range statuses {
		if s == st {
			return true
		}
	}
	return false
}

// clockView is an SLA clock as the ticket page shows it.
type clockView struct {
	Name, State, Left, Due string
	Over                   bool
}

type ticketPage struct {
	Ticket       *store.Ticket
	Organisation string
	Clocks       []clockView
	Participants []store.Participant
	Messages     []store.Message
	Files        map[int64][]store.Attachment
	Events       []store.Event
	Staff        []store.Staff
	Levels       []string
	CanAct       bool
	Result       *helpdesk.Result
	Problem      string
	Commands     []string
}

// commands are the actions the console offers in its list (any command
// may also be typed at the top of a reply, as by mail).
var commands = []string{"take", "assign", "wait", "defer", "reject", "level", "priority", "plan", "resolve", "close", "reopen", "merge"}

func (s *Server) ticketID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) ticket(w http.ResponseWriter, r *http.Request, ss *session) {
	id, ok := s.ticketID(r)
	if !ok {
		s.notFound(w, r, ss)
		return
	}
	f := s.takeFlash(w, r, ss, id)
	var problem string
	if f != nil && f.Problem != "" {
		problem = tr(s.lang(w, r), f.Problem)
	}
	s.showTicket(w, r, ss, id, http.StatusOK, f.result(), problem)
}

func (s *Server) showTicket(w http.ResponseWriter, r *http.Request, ss *session, id int64, code int, res *helpdesk.Result, problem string) {
	ctx := r.Context()
	t, err := s.o.DB.Ticket(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, ss)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.lang(w, r)
	p := ticketPage{Ticket: t, Result: res, Problem: problem, Commands: commands,
		CanAct: ss.member.Role == store.StaffAgent || ss.member.Role == store.StaffLead}
	if t.OrgID.Valid {
		if o, err := s.o.DB.OrgByID(ctx, t.OrgID.Int64); err == nil {
			p.Organisation = o.Name
		}
	}
	d := s.desk(t.Desk)
	now := s.o.Now()
	for _, c := range []struct{ key, raw string }{{"clock.first", t.SLAFirstResponse}, {"clock.resolution", t.SLAResolution}} {
		if c.raw == "" {
			continue
		}
		cl, err := sla.Decode([]byte(c.raw), d.Calendar)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Clocks = append(p.Clocks, clockOf(lang, tr(lang, c.key), cl, now, d.Location))
	}
	if p.Participants, err = s.o.DB.Participants(ctx, id); err == nil {
		if p.Messages, err = s.o.DB.Messages(ctx, id); err == nil {
			if p.Files, err = s.o.DB.Attachments(ctx, id); err == nil {
				if p.Events, err = s.o.DB.Events(ctx, id); err == nil {
					p.Staff, err = s.o.DB.ListStaff(ctx)
				}
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.o.Digest != nil {
		for name := range s.o.Digest.Levels {
			p.Levels = append(p.Levels, name)
		}
	}
	s.render(w, r, code, "ticket", ss, "queue", p)
}

func clockOf(lang, name string, c *sla.Clock, now time.Time, loc *time.Location) clockView {
	v := clockView{Name: name}
	left := c.Remaining(now)
	switch {
	case c.Stopped():
		v.State = tr(lang, "clock.stopped")
	case c.Events()[len(c.Events())-1].Kind == sla.EventPause:
		v.State = tr(lang, "clock.paused")
	}
	if left >= 0 {
		v.Left = tr(lang, "clock.left", hm(left))
	} else {
		v.Left, v.Over = tr(lang, "clock.over", hm(-left)), true
	}
	if due, ok := c.Due(); ok && !c.Stopped() {
		v.Due = tr(lang, "clock.due", due.In(loc).Format("02.01.2006 15:04"))
	}
	return v
}

// hm formats business time as hours and minutes: 5:07.
func hm(d time.Duration) string {
	d = d.Round(time.Minute)
	return fmt.Sprintf("%d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

func (s *Server) desk(name string) Desk {
	for _, d := range s.o.Desks {
		if d.Name == name {
			return d
		}
	}
	return s.o.Desks[0]
}

// act carries out a form's action through helpdesk.Service.Act: the text
// is composed exactly as a reply by mail would be. It answers 303 to the
// ticket's page with what was done in a flash (flash.go), so that a reload
// never repeats the action.
func (s *Server) act(w http.ResponseWriter, r *http.Request, ss *session) {
	id, ok := s.ticketID(r)
	if !ok {
		s.notFound(w, r, ss)
		return
	}
	text := strings.TrimSpace(r.FormValue("text"))
	switch kind := r.FormValue("kind"); kind {
	case "note":
		text = "#note\n" + text
	case "command":
		cmd := r.FormValue("command")
		if !validCommand(cmd) {
			s.redirectFlash(w, r, ss, flash{Ticket: id, Problem: "problem.command"})
			return
		}
		line := "#" + cmd
		if arg := strings.TrimSpace(strings.ReplaceAll(r.FormValue("arg"), "\n", " ")); arg != "" {
			line += " " + arg
		}
		text = strings.TrimSpace(line + "\n" + text)
	}
	var files []mailout.Attachment
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			f, err := fh.Open()
			if err != nil {
				s.fail(w, r, err)
				return
			}
			data, err := io.ReadAll(io.LimitReader(f, 32<<20))
			f.Close()
			if err != nil {
				s.fail(w, r, err)
				return
			}
			ct := fh.Header.Get("Content-Type")
			if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
				ct = "application/octet-stream"
			}
			files = append(files, mailout.Attachment{Filename: fh.Filename, ContentType: ct, Data: data})
		}
	}
	res, err := s.o.Service.Act(r.Context(), helpdesk.Action{TicketID: id, Agent: ss.member.Email, Text: text, Files: files, Via: helpdesk.ViaWeb})
	switch {
	case errors.Is(err, helpdesk.ErrEmptyAction):
		s.redirectFlash(w, r, ss, flash{Ticket: id, Problem: "problem.empty"})
		return
	case errors.Is(err, helpdesk.ErrNotAgent):
		s.redirectFlash(w, r, ss, flash{Ticket: id, Problem: "problem.notagent"})
		return
	case errors.Is(err, helpdesk.ErrOwnRequest):
		s.redirectFlash(w, r, ss, flash{Ticket: id, Problem: "problem.own"})
		return
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r, ss)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.log.Info("web action", "ticket", id, "member", ss.member.Email, "results", len(res.Results), "delivered", res.Delivered)
	s.redirectFlash(w, r, ss, flash{Ticket: id, Results: res.Results, Delivered: res.Delivered})
}

func validCommand(c string) bool {
	for _, k := range commands {
		if k == c {
			return true
		}
	}
	return false
}

// attachment sends a stored file as a download, never shown inline.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request, ss *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, ss)
		return
	}
	a, _, err := s.o.DB.Attachment(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Data == nil) {
		s.notFound(w, r, ss)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	name := a.Filename
	if name == "" {
		name = fmt.Sprintf("attachment-%d", a.ID)
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = w.Write(a.Data)
}

type planPage struct {
	Date    string
	Tickets []store.Ticket
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request, ss *session) {
	date := r.URL.Query().Get("date")
	if _, err := time.Parse("2006-01-02", date); err != nil {
		date = s.o.Now().In(s.o.Desks[0].Location).Format("2006-01-02")
	}
	ts, err := s.o.DB.PlannedOn(r.Context(), date)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plan", ss, "plan", planPage{Date: date, Tickets: ts})
}

type dashboardPage struct {
	Period string
	Report *digest.Report
}

// dashboard shows the digest's figures for today, 7 days or the month so
// far, computed by the digest's own report code.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, ss *session) {
	p := dashboardPage{Period: r.URL.Query().Get("period")}
	loc := s.o.Desks[0].Location
	now := s.o.Now().In(loc)
	y, m, d := now.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, loc)
	switch p.Period {
	case "week":
		from = from.AddDate(0, 0, -6)
	case "month":
		from = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	default:
		p.Period = "day"
	}
	if s.o.Digest != nil {
		rep, err := digest.NewReporter(s.o.DB, s.o.Digest)
		if err == nil {
			p.Report, err = rep.Report(r.Context(), digest.Params{From: from.UTC(), To: now.UTC().Add(time.Second), Now: now.UTC(), Limit: 10})
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", ss, "dashboard", p)
}

func (s *Server) maintenance(w http.ResponseWriter, r *http.Request, ss *session) {
	ws, err := s.o.DB.ListMaintenance(r.Context(), s.o.Now().Add(-30*24*time.Hour))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "maintenance", ss, "maintenance", ws)
}

func (s *Server) registrations(w http.ResponseWriter, r *http.Request, ss *session) {
	rs, err := s.o.DB.ListRegistrations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "registrations", ss, "registrations", rs)
}

type directoryPage struct {
	Orgs  []store.Org
	Org   *store.Org
	Users []store.User
	Staff []store.Staff
}

func (s *Server) directory(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx := r.Context()
	var p directoryPage
	var err error
	if p.Orgs, err = s.o.DB.ListOrgs(ctx); err == nil {
		p.Staff, err = s.o.DB.ListStaff(ctx)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64); id > 0 {
		for i := range p.Orgs {
			if p.Orgs[i].ID == id {
				p.Org = &p.Orgs[i]
			}
		}
		if p.Org != nil {
			if p.Users, err = s.o.DB.ListUsers(ctx, id); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	s.render(w, r, http.StatusOK, "directory", ss, "directory", p)
}
