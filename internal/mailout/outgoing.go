package mailout

import (
	"fmt"
	"strings"
	"time"
)

// Headers Otvet puts on its own mail.
const (
	// LoopHeader names the desk that sent a message, so that intake knows
	// its own mail when it comes back.
	LoopHeader = "X-Otvet-Loop"
	// TicketHeader carries the ticket number a message is about.
	TicketHeader = "X-Otvet-Ticket"
)

// Outgoing is one message Otvet sends, as its caller describes it: the
// content (a template with its data, or text already rendered), who sends it
// to whom, threading and headers. Build turns it into the exact bytes the
// outbox stores; every message of the helpdesk and the digests is made here.
type Outgoing struct {
	// Lang and Template name the template to render with Data; with an
	// empty Template, Rendered is the content as it is.
	Lang     string
	Template string
	Data     any
	Rendered Rendered

	// From is the desk's sender: the From header and the envelope sender.
	From    Address
	To, Cc  []Address
	ReplyTo *Address
	// IDDomain is the domain of the new Message-ID (default: From's domain).
	IDDomain string

	Date          time.Time // the Date header, and when the message is queued
	InReplyTo     string    // without brackets
	References    []string  // without brackets
	AutoSubmitted string    // "auto-replied", "auto-generated"; "" = a person's message
	Loop          string    // the desk's name for LoopHeader; "" = none
	Ticket        int64     // TicketHeader when not 0
	// Headers are further extra headers (e.g. X-Otvet-Digest).
	Headers     map[string]string
	Attachments []Attachment
	// NotBefore holds the message back until then (e.g. working hours).
	NotBefore time.Time
}

// Built is a composed message, ready for an outbox row.
type Built struct {
	Raw           []byte
	MessageID     string // without brackets
	Subject       string
	Text          string   // the plain-text body, for the ticket's conversation
	EnvelopeFrom  string   // MAIL FROM
	Recipients    []string // RCPT TO: To then Cc, lower case
	NextAttemptAt time.Time
}

// Renderer renders a named template: *Templates, or a wrapper of it.
type Renderer interface {
	Render(lang, name string, data any) (Rendered, error)
}

// Build renders o's template (when it names one) and composes the message.
func (t *Templates) Build(o Outgoing) (Built, error) { return BuildWith(t, o) }

// BuildWith is Build with the templates of r.
func BuildWith(r Renderer, o Outgoing) (Built, error) {
	if o.Template != "" {
		if r == nil {
			return Built{}, fmt.Errorf("mailout: build %s: no templates", o.Template)
		}
		rd, err := r.Render(o.Lang, o.Template, o.Data)
		if err != nil {
			return Built{}, fmt.Errorf("render %s: %w", o.Template, err)
		}
		o.Rendered, o.Template = rd, ""
	}
	return Build(o)
}

// Build composes o with its ready content (o.Rendered; o.Template must be
// empty: use Templates.Build to render one) and gives it a new Message-ID.
func Build(o Outgoing) (Built, error) {
	if o.Template != "" {
		return Built{}, fmt.Errorf("mailout: build: template %s not rendered (use Templates.Build)", o.Template)
	}
	m := o.mail()
	raw, err := Compose(m)
	if err != nil {
		return Built{}, fmt.Errorf("compose: %w", err)
	}
	b := Built{Raw: raw, MessageID: m.MessageID, Subject: m.Subject, Text: m.Text, EnvelopeFrom: o.From.Email,
		NextAttemptAt: o.Date}
	for _, a := range m.Recipients() {
		b.Recipients = append(b.Recipients, strings.ToLower(a))
	}
	if o.NotBefore.After(b.NextAttemptAt) {
		b.NextAttemptAt = o.NotBefore
	}
	return b, nil
}
