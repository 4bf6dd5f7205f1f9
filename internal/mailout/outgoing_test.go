package mailout

import (
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestBuild(t *testing.T) {
	tm, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 1, 9, 10, 0, 0, 0, time.FixedZone("", 5*3600))
	later := now.Add(3 * time.Hour)
	from := Address{Name: "Поддержка", Email: "noreply@mail.kgo66.ru"}
	ack := AckData{TicketNumber: 42, Subject: "Принтер", SubjectToken: "[#42]"}
	cases := []struct {
		name    string
		o       Outgoing
		subject string            // a part of the subject
		text    string            // a part of the text
		headers map[string]string // header → value ("" = absent)
		rcpts   []string
		next    time.Time
		domain  string // of the Message-ID
	}{
		{
			name: "template, ticket, loop, threading",
			o: Outgoing{Lang: "ru", Template: TmplAck, Data: ack, From: from, To: []Address{{Name: "Иван", Email: "Ivanov@KGO66.ru"}},
				ReplyTo: &Address{Email: "sd+1abc@kgo66.ru"}, IDDomain: "kgo66.ru", Date: now, InReplyTo: "in@x.ru",
				References: []string{"a@x.ru", "in@x.ru"}, AutoSubmitted: "auto-replied", Loop: "sd", Ticket: 42},
			subject: "[#42]", text: "Принтер",
			headers: map[string]string{"X-Otvet-Loop": "sd", "X-Otvet-Ticket": "42", "Auto-Submitted": "auto-replied",
				"In-Reply-To": "<in@x.ru>", "Reply-To": "sd+1abc@kgo66.ru", "X-Otvet-Digest": ""},
			rcpts: []string{"ivanov@kgo66.ru"}, next: now, domain: "kgo66.ru",
		},
		{
			name: "English template",
			o: Outgoing{Lang: "en", Template: TmplAck, Data: ack, From: from, To: []Address{{Email: "a@b.ru"}},
				Date: now, Loop: "sd"},
			subject: "[#42]", text: "registered",
			headers: map[string]string{"X-Otvet-Ticket": "", "Auto-Submitted": ""},
			rcpts:   []string{"a@b.ru"}, next: now, domain: "mail.kgo66.ru",
		},
		{
			name: "ready text, Cc, extra header, not before",
			o: Outgoing{Rendered: Rendered{Subject: "Сводка", Text: "Текст\n"}, From: from,
				To: []Address{{Email: "head@org.ru"}}, Cc: []Address{{Email: "Deputy@Org.ru"}, {Email: "HEAD@org.ru"}},
				Date: now, NotBefore: later, Headers: map[string]string{"X-Otvet-Digest": "daily 2025-01-09"}},
			subject: "Сводка", text: "Текст",
			headers: map[string]string{"X-Otvet-Digest": "daily 2025-01-09", "X-Otvet-Loop": "", "Cc": "<Deputy@Org.ru>, <HEAD@org.ru>"},
			rcpts:   []string{"head@org.ru", "deputy@org.ru"}, next: later, domain: "mail.kgo66.ru",
		},
		{
			name: "not before in the past",
			o: Outgoing{Rendered: Rendered{Subject: "s", Text: "t\n"}, From: from, To: []Address{{Email: "a@b.ru"}},
				Date: now, NotBefore: now.Add(-time.Hour)},
			subject: "s", text: "t", rcpts: []string{"a@b.ru"}, next: now, domain: "mail.kgo66.ru",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := tm.Build(c.o)
			if err != nil {
				t.Fatal(err)
			}
			m, err := mail.ReadMessage(strings.NewReader(string(b.Raw)))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Header.Get("Message-Id"); got != "<"+b.MessageID+">" || !strings.HasSuffix(b.MessageID, "@"+c.domain) {
				t.Errorf("Message-ID %q, built %q, want one in %s", got, b.MessageID, c.domain)
			}
			if !strings.Contains(b.Subject, c.subject) || !strings.Contains(b.Text, c.text) {
				t.Errorf("subject %q, text %q: want %q and %q in them", b.Subject, b.Text, c.subject, c.text)
			}
			dec := new(mime.WordDecoder)
			for h, want := range c.headers {
				got, _ := dec.DecodeHeader(m.Header.Get(h))
				if want == "" && got != "" || !strings.Contains(got, want) {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			if b.EnvelopeFrom != from.Email {
				t.Errorf("envelope sender %q", b.EnvelopeFrom)
			}
			if strings.Join(b.Recipients, ",") != strings.Join(c.rcpts, ",") {
				t.Errorf("recipients %v, want %v", b.Recipients, c.rcpts)
			}
			if !b.NextAttemptAt.Equal(c.next) {
				t.Errorf("next attempt %v, want %v", b.NextAttemptAt, c.next)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tm, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ok := Outgoing{Rendered: Rendered{Subject: "s", Text: "t"}, From: Address{Email: "sd@kgo66.ru"}, To: []Address{{Email: "a@b.ru"}}, Date: now}
	cases := []struct {
		name    string
		build   func(Outgoing) (Built, error)
		edit    func(*Outgoing)
		invalid bool // wraps ErrInvalidMessage
	}{
		{"unknown template", tm.Build, func(o *Outgoing) { o.Template = "nope" }, false},
		{"unknown language", tm.Build, func(o *Outgoing) { o.Template, o.Lang = TmplAck, "de" }, false},
		{"template without templates", Build, func(o *Outgoing) { o.Template = TmplAck }, false},
		{"no renderer", func(o Outgoing) (Built, error) { return BuildWith(nil, o) }, func(o *Outgoing) { o.Template = TmplAck }, false},
		{"no recipients", Build, func(o *Outgoing) { o.To = nil }, true},
		{"bad address", Build, func(o *Outgoing) { o.To = []Address{{Email: "a@b.ru\r\nBcc: x@y.ru"}} }, true},
		{"no date", Build, func(o *Outgoing) { o.Date = time.Time{} }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := ok
			c.edit(&o)
			_, err := c.build(o)
			if err == nil {
				t.Fatal("built")
			}
			if errors.Is(err, ErrInvalidMessage) != c.invalid {
				t.Errorf("%v: invalid message %v, want %v", err, !c.invalid, c.invalid)
			}
		})
	}
}
