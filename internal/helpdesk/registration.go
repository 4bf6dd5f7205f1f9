package helpdesk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/regform"
	"github.com/otvet/otvet/internal/store"
)

// registration opens a ticket of kind registration for a connection request.
// It returns handled=false when the mail holds no table of people after all.
func (in *intake) registration(ctx context.Context) (Outcome, bool, error) {
	req, err := regform.Parse(in.msg)
	if errors.Is(err, regform.ErrNoTable) {
		return Outcome{}, false, nil
	}
	if err != nil {
		return Outcome{}, false, err
	}
	m, d := in.msg, in.desk
	subject := strings.TrimSpace(subjectToken.ReplaceAllString(m.Subject, ""))
	t := &store.Ticket{
		Desk: d.Name, Status: store.StatusOpen, Channel: "email", Subject: subject, RequesterEmail: strings.ToLower(m.From.Email),
		RequesterName: m.From.Name, SupportLevel: d.Level, Priority: store.PriorityNormal, CreatedAt: in.now, UpdatedAt: in.now,
	}
	if !req.HasAuthorityDocument {
		t.Status, t.Reason, t.Missing = store.StatusDeferred, "insufficient_info", "authority_document"
	}
	if err := in.startClocks(t, Targets{d.FirstResponse, d.Resolution}); err != nil {
		return Outcome{}, true, err
	}
	if err := in.tx.CreateTicket(ctx, t); err != nil {
		return Outcome{}, true, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return Outcome{}, true, err
	}
	if err := in.tx.InsertRegistration(ctx, &store.Registration{TicketID: t.ID, Request: string(body)}); err != nil {
		return Outcome{}, true, err
	}
	t.Kind = store.KindRegistration
	p, err := in.tx.AddParticipant(ctx, t.ID, m.From.Email, m.From.Name, "requester", in.now)
	if err != nil {
		return Outcome{}, true, err
	}
	if err := in.storeMessage(ctx, t.ID); err != nil {
		return Outcome{}, true, err
	}
	if err := in.event(ctx, t.ID, "registration_received",
		fmt.Sprintf("%s: %d people from %s; authority document %v", req.Organisation.Name, len(req.People), req.Source, req.HasAuthorityDocument)); err != nil {
		return Outcome{}, true, err
	}
	data := mailout.RegistrationData{TicketNumber: t.ID, Subject: t.Subject, SubjectToken: mailout.TicketToken(t.ID),
		Organisation: req.Organisation.Name, People: len(req.People), Problems: req.Problems, NeedsAuthority: !req.HasAuthorityDocument,
		DeskName: d.DisplayName, SupportAddress: d.SupportAddress}
	if err := in.autoReply(ctx, t, p, mailout.TmplRegistrationReceived, data); err != nil {
		return Outcome{}, true, err
	}
	if t.Status == store.StatusDeferred {
		if err := in.changeClocks(ctx, t, "pause", "authority document missing"); err != nil {
			return Outcome{}, true, err
		}
	}
	if err := in.notifyAgents(ctx, t, mailout.NotifyNew, t.RequesterEmail, registrationSummary(req), ""); err != nil {
		return Outcome{}, true, err
	}
	return Outcome{Disposition: store.DispTicket, TicketID: t.ID, Note: "registration"}, true, nil
}

// registrationSummary is the request as agents read it in the notification.
func registrationSummary(req *regform.Request) string {
	var b strings.Builder
	o := req.Organisation
	fmt.Fprintf(&b, "ЗАЯВКА НА ПОДКЛЮЧЕНИЕ: %s (ИНН %s, ОГРН %s)\n", o.Name, o.INN, o.OGRN)
	for _, p := range req.People {
		fmt.Fprintf(&b, "%d. %s — %s; %s; %s %s [%s]\n", p.Row, p.FullName, p.Position, p.Systems, p.Email, p.Phone, p.Action)
	}
	if !req.HasAuthorityDocument {
		b.WriteString("Нет документа о полномочиях подписавшего.\n")
	}
	for _, pr := range req.Problems {
		b.WriteString("! " + pr + "\n")
	}
	b.WriteString("\n#approve (#одобрить) — зарегистрировать и отправить протокол; #reject REASON — отклонить.")
	return b.String()
}

// approveRegistration registers the organisation and the people of a pending
// connection request and mails the connection protocol to the requester.
func (in *intake) approveRegistration(ctx context.Context, t *store.Ticket, actor string) (string, error) {
	reg, err := in.tx.Registration(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", errNotRegistration
	}
	if err != nil {
		return "", err
	}
	if reg.State != store.RegPending {
		return "", fmt.Errorf("%w: already %s", errNotRegistration, reg.State)
	}
	var req regform.Request
	if err := json.Unmarshal([]byte(reg.Request), &req); err != nil {
		return "", fmt.Errorf("connection request #%d: %w", t.ID, err)
	}
	org, err := in.registerOrg(ctx, t, &req, actor)
	if err != nil {
		return "", err
	}
	var rows []mailout.ProtocolRow
	added, removed := 0, 0
	for _, p := range req.People {
		if p.Email == "" {
			continue
		}
		if p.Action == regform.ActionRemove {
			if err := in.tx.SetUserBlocked(ctx, p.Email, true, fmt.Sprintf("исключён по заявке #%d", t.ID), actor, in.now); err != nil &&
				!errors.Is(err, store.ErrNotFound) {
				return "", err
			}
			removed++
			continue
		}
		u := &store.User{Email: p.Email, FullName: p.FullName, Position: p.Position, Phone: p.Phone,
			OrgID: sql.NullInt64{Int64: org.ID, Valid: true}, Role: store.RoleUser, Confirmed: true}
		if _, err := in.tx.UpsertUser(ctx, u, actor, in.now); err != nil {
			return "", fmt.Errorf("register %s: %w", p.Email, err)
		}
		rights := p.Rights
		if rights == "" {
			rights = p.Systems
		}
		rows = append(rows, mailout.ProtocolRow{FullName: p.FullName, Department: p.Department, Position: p.Position,
			Email: p.Email, Account: p.Email, Rights: rights, KeyChannel: in.say("электронная почта", "e-mail")})
		added++
	}
	if err := in.tx.DecideRegistration(ctx, t.ID, store.RegApproved, sql.NullInt64{Int64: org.ID, Valid: true}, actor, in.now); err != nil {
		return "", err
	}
	if err := in.tx.SetTicketRequester(ctx, t.ID, t.RequesterName, sql.NullInt64{Int64: org.ID, Valid: true}, in.now); err != nil {
		return "", err
	}
	data := mailout.ProtocolData{RequestTicket: t.ID, Organisation: org.Name, INN: org.INN,
		Date: in.now.In(in.desk.Location).Format("02.01.2006"), Rows: rows, DeskName: in.desk.DisplayName, SupportAddress: in.desk.SupportAddress}
	p, err := in.tx.Participant(ctx, t.ID, t.RequesterEmail)
	if err != nil {
		return "", err
	}
	reply, err := in.s.signer.ReplyAddress(in.desk.SupportAddress, t.ID, p.ID)
	if err != nil {
		return "", err
	}
	if err := in.compose(ctx, t, mailout.Address{Name: p.Name, Email: p.Email}, reply, mailout.TmplProtocol, data,
		sendOpts{autoSubmitted: "auto-generated", record: true}); err != nil {
		return "", err
	}
	if err := in.event(ctx, t.ID, "registration_approved", fmt.Sprintf("%s: %d registered, %d removed, by %s", org.Name, added, removed, actor)); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: %d registered, %d removed", org.Name, added, removed), nil
}

var errNotRegistration = errors.New("not a pending connection request")

// registerOrg finds the request's organisation (by INN, then by name) or creates it.
func (in *intake) registerOrg(ctx context.Context, t *store.Ticket, req *regform.Request, actor string) (*store.Org, error) {
	ro := req.Organisation
	if ro.INN != "" {
		if o, err := in.tx.OrgByINN(ctx, ro.INN); err == nil {
			return o, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if ro.Name != "" {
		ids, err := in.tx.OrgIDsByName(ctx, ro.Name)
		if err != nil {
			return nil, err
		}
		if len(ids) == 1 {
			return in.tx.OrgByID(ctx, ids[0])
		}
	}
	name := ro.Name
	if name == "" {
		name = fmt.Sprintf("Организация из заявки #%d", t.ID)
	}
	o := &store.Org{Name: name, INN: ro.INN, OGRN: ro.OGRN, Address: ro.Address, SupportLevel: in.desk.Level}
	seen := map[string]bool{}
	for _, e := range append([]string{t.RequesterEmail}, peopleEmails(req)...) {
		_, domain, _ := strings.Cut(e, "@")
		if d, err := store.OrgDomain(domain); err == nil && !seen[d] {
			if other, err := in.tx.OrgByDomain(ctx, d); err == nil && other != nil {
				continue // the domain belongs to another organisation
			}
			seen[d] = true
			o.Domains = append(o.Domains, d)
		}
	}
	if err := in.tx.CreateOrg(ctx, o, actor, in.now); err != nil {
		return nil, fmt.Errorf("register organisation %q: %w", name, err)
	}
	return o, nil
}

func peopleEmails(req *regform.Request) []string {
	var out []string
	for _, p := range req.People {
		if p.Email != "" && p.Action != regform.ActionRemove {
			out = append(out, p.Email)
		}
	}
	return out
}

// DecideRegistration approves or rejects a connection request from the command
// line (`otvet registration approve|reject N`), as #approve and #reject do by mail.
func (s *Service) DecideRegistration(ctx context.Context, ticketID int64, approve bool, reason, actor string) (string, error) {
	var summary string
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		d, err := s.desk(t.Desk)
		if err != nil {
			return err
		}
		in := &intake{s: s, tx: tx, desk: d, now: s.now().UTC()}
		if !approve {
			reg, err := tx.Registration(ctx, t.ID)
			if err != nil || reg.State != store.RegPending {
				return errNotRegistration
			}
			if err := in.setState(ctx, t, store.StatusRejected, reason, sql.NullTime{}, "stop", "rejected"); err != nil {
				return err
			}
			if err := tx.DecideRegistration(ctx, t.ID, store.RegRejected, sql.NullInt64{}, actor, in.now); err != nil {
				return err
			}
			summary = "rejected"
			return in.noticeRequester(ctx, t, mailout.TmplRejected, mailout.NoticeData{Reason: reason})
		}
		if summary, err = in.approveRegistration(ctx, t, actor); err != nil {
			return err
		}
		if err := in.setState(ctx, t, store.StatusResolved, "", sql.NullTime{}, "stop", "approved"); err != nil {
			return err
		}
		return tx.SetTicketField(ctx, t.ID, store.FieldResolvedAt, in.now, in.now)
	})
	if err != nil {
		return "", err
	}
	s.queued()
	return summary, nil
}
