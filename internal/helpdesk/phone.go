package helpdesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
)

// PhoneRequest is a call to the hotline that staff register as a ticket.
type PhoneRequest struct {
	Desk      string
	Requester string // e-mail address: the acknowledgement goes there
	Name      string // full name, when the caller gave it
	Subject   string
	Body      string // what the caller said, in staff's words
	Actor     string // who registered it
}

// OpenPhone registers a phone request. It goes through the same rules as mail
// (identification included) and the requester is acknowledged by mail.
func (s *Service) OpenPhone(ctx context.Context, r PhoneRequest) (Outcome, error) {
	d, err := s.desk(r.Desk)
	if err != nil {
		return Outcome{}, err
	}
	addr, err := mail.ParseAddress(r.Requester)
	if err != nil || addr.Name != "" {
		return Outcome{}, fmt.Errorf("requester %q is not an e-mail address", r.Requester)
	}
	if strings.TrimSpace(r.Subject) == "" && strings.TrimSpace(r.Body) == "" {
		return Outcome{}, errors.New("a phone request needs a subject or a body")
	}
	now := s.now().UTC()
	_, domain, _ := strings.Cut(d.SupportAddress, "@")
	raw, err := mailout.Compose(mailout.Mail{
		From: mailout.Address{Name: r.Name, Email: addr.Address}, To: []mailout.Address{{Email: d.SupportAddress}},
		Subject: r.Subject, Text: r.Body, MessageID: mailout.NewMessageID(domain), Date: now,
		Headers: map[string]string{"X-Otvet-Channel": "phone", "X-Otvet-Registered-By": r.Actor},
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("phone request: %w", err)
	}
	msg, err := mailmsg.Parse(raw, s.parseOpts)
	if err != nil {
		return Outcome{}, fmt.Errorf("phone request: %w", err)
	}
	sum := sha256.Sum256(raw)
	var out Outcome
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		in := &intake{deskTx: s.deskTx(tx, d, now), msg: msg, phone: true, raw: &store.RawMessage{
			Desk: d.Name, MessageID: msg.MessageID, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(raw)),
			Disposition: "pending", Data: raw, ReceivedAt: now,
		}}
		var err error
		if out, err = in.run(ctx, nil); err != nil {
			return err
		}
		if out.TicketID != 0 {
			return in.tx.AddEvent(ctx, out.TicketID, now, "phone_registered", r.Actor, "")
		}
		return nil
	})
	if err != nil {
		return Outcome{}, err
	}
	s.queued()
	return out, nil
}

// errDryRun rolls a TestRules transaction back.
var errDryRun = errors.New("dry run")

// TestRules tells what the rules would decide about a raw message arriving at
// at, with the directory and maintenance windows as they are now, without
// storing anything (`otvet rules test`).
func (s *Service) TestRules(ctx context.Context, desk string, raw []byte, at time.Time) (*mailmsg.Message, rules.Decision, error) {
	d, err := s.desk(desk)
	if err != nil {
		return nil, rules.Decision{}, err
	}
	msg, err := mailmsg.Parse(raw, s.parseOpts)
	if err != nil {
		return nil, rules.Decision{}, fmt.Errorf("the message cannot be read: %w", err)
	}
	if msg.From == nil {
		return msg, rules.Decision{}, errors.New("the message has no usable From: intake would quarantine it")
	}
	var dec rules.Decision
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		in := &intake{deskTx: s.deskTx(tx, d, at.UTC()), msg: msg}
		r, err := in.triage(ctx, nil)
		if err != nil {
			return err
		}
		dec = explainRoute(r)
		return errDryRun
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, rules.Decision{}, err
	}
	return msg, dec, nil
}
