package mailout

import (
	"bytes"
	"fmt"
	"strings"
)

// Shared is one message for several recipients, composed once: the body
// (MIME-Version, the content headers and every part, attachments included)
// is the same bytes for all of them, and each recipient gets only a head of
// its own (Date, From, Reply-To, To, Message-ID, threading, Subject and the
// extra headers). A head followed by the body is the complete message, byte
// for byte what Build would compose with the same MIME boundaries.
//
// The outbox stores the body once and one head per recipient (docs/mail.md,
// "One notification per event"), so that an agent notification to N agents
// does not cost N copies of its text and files.
type Shared struct {
	o        Outgoing
	rendered Rendered
	body     []byte
}

// BuildShared renders o's template (when it names one) and composes its body
// once; o's To, Cc and ReplyTo are ignored: Head gives each recipient its own.
func BuildShared(r Renderer, o Outgoing) (*Shared, error) {
	if o.Template != "" {
		if r == nil {
			return nil, fmt.Errorf("mailout: build %s: no templates", o.Template)
		}
		rd, err := r.Render(o.Lang, o.Template, o.Data)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", o.Template, err)
		}
		o.Rendered, o.Template = rd, ""
	}
	o.To, o.Cc, o.ReplyTo = nil, nil, nil
	body, err := composer{boundary: randomBoundary}.composeBody(Mail{
		Text: o.Rendered.Text, HTML: o.Rendered.HTML, Attachments: o.Attachments,
	})
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return &Shared{o: o, rendered: o.Rendered, body: body}, nil
}

// Ticket is the ticket number the message is about (0: none).
func (s *Shared) Ticket() int64 { return s.o.Ticket }

// Body is the shared part of every recipient's message: it follows a head.
func (s *Shared) Body() []byte { return s.body }

// Head composes the message's head for one recipient, with replyTo (nil:
// none) and a new Message-ID. Built.Raw holds the head only: the message is
// Raw followed by Body.
func (s *Shared) Head(to Address, replyTo *Address) (Built, error) {
	o := s.o
	o.To, o.ReplyTo = []Address{to}, replyTo
	m := o.mail()
	var h strings.Builder
	if err := writeTopHeaders(&h, m); err != nil {
		return Built{}, fmt.Errorf("compose: %w", err)
	}
	b := Built{Raw: []byte(h.String()), MessageID: m.MessageID, Subject: m.Subject, Text: m.Text,
		EnvelopeFrom: o.From.Email, NextAttemptAt: o.Date}
	for _, a := range m.Recipients() {
		b.Recipients = append(b.Recipients, strings.ToLower(a))
	}
	if o.NotBefore.After(b.NextAttemptAt) {
		b.NextAttemptAt = o.NotBefore
	}
	return b, nil
}

// mail is the Mail that o describes, with a new Message-ID in its domain.
func (o Outgoing) mail() Mail {
	domain := o.IDDomain
	if domain == "" {
		_, domain, _ = strings.Cut(o.From.Email, "@")
	}
	headers := make(map[string]string, len(o.Headers)+2)
	for k, v := range o.Headers {
		headers[k] = v
	}
	if o.Loop != "" {
		headers[LoopHeader] = o.Loop
	}
	if o.Ticket != 0 {
		headers[TicketHeader] = fmt.Sprint(o.Ticket)
	}
	if len(headers) == 0 {
		headers = nil
	}
	return Mail{
		From: o.From, To: o.To, Cc: o.Cc, ReplyTo: o.ReplyTo,
		Subject: o.Rendered.Subject, Text: o.Rendered.Text, HTML: o.Rendered.HTML,
		MessageID: NewMessageID(domain), InReplyTo: o.InReplyTo, References: o.References, Date: o.Date,
		AutoSubmitted: o.AutoSubmitted, Headers: headers, Attachments: o.Attachments,
	}
}

// composeBody writes what follows the top headers in compose: MIME-Version,
// the content headers, the empty line and the body.
// The body is written after headRoom bytes kept free for those headers, so
// that they go in front of it without copying it.
func (c composer) composeBody(m Mail) ([]byte, error) {
	const headRoom = 256
	body := bytes.NewBuffer(make([]byte, headRoom, headRoom+bodySize(m)))
	ctype, err := c.writeBody(body, m)
	if err != nil {
		return nil, err
	}
	var h strings.Builder
	h.WriteString("MIME-Version: 1.0\r\n")
	for _, kv := range ctype {
		h.WriteString(kv[0] + ": " + kv[1] + "\r\n")
	}
	h.WriteString("\r\n")
	b := body.Bytes()
	if h.Len() > headRoom {
		return append([]byte(h.String()), b[headRoom:]...), nil
	}
	start := headRoom - h.Len()
	copy(b[start:], h.String())
	return b[start:], nil
}
