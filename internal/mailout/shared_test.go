package mailout

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// A head followed by the shared body is byte for byte what compose makes.
func TestSharedHeadAndBodyAreCompose(t *testing.T) {
	for _, name := range []string{"plain", "alternative", "attachments"} {
		t.Run(name, func(t *testing.T) {
			m := sampleMail(t)
			switch name {
			case "plain":
				m.HTML = ""
			case "attachments":
				m.Attachments = []Attachment{{Filename: "отчёт.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("%PDF "), 50)}}
			}
			want, err := fixedBoundaries().compose(m)
			if err != nil {
				t.Fatal(err)
			}
			var h strings.Builder
			if err := writeTopHeaders(&h, m); err != nil {
				t.Fatal(err)
			}
			body, err := fixedBoundaries().composeBody(m)
			if err != nil {
				t.Fatal(err)
			}
			if got := append([]byte(h.String()), body...); !bytes.Equal(got, want) {
				t.Errorf("head+body differs from compose:\n%s\n----\n%s", got, want)
			}
		})
	}
}

// Each recipient's head has its own To, Reply-To and Message-ID; the body
// (text and files) is the one composed once.
func TestBuildSharedHeads(t *testing.T) {
	tm := mustTemplates(t)
	o := Outgoing{Lang: "ru", Template: TmplAgentNotify,
		From: Address{Name: "Служба поддержки", Email: "sd@kgo66.ru"}, IDDomain: "kgo66.ru",
		Date: time.Date(2024, 12, 27, 16, 5, 0, 0, time.UTC), AutoSubmitted: "auto-generated", Loop: "sd", Ticket: 7,
		InReplyTo: "root@example.com", Headers: map[string]string{"X-Otvet-Notify": "note"},
		Attachments: []Attachment{{Filename: "скан.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 data")}},
		NotBefore:   time.Date(2024, 12, 28, 9, 0, 0, 0, time.UTC),
	}
	for _, c := range goldenCases() {
		if c.tmpl == TmplAgentNotify {
			o.Data = c.data
			break
		}
	}
	s, err := BuildShared(tm, o)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, who := range []string{"petrov", "sidorov"} {
		to := Address{Name: who, Email: who + "@kgo66.ru"}
		reply := &Address{Name: "Служба поддержки", Email: "sd+" + who + "@kgo66.ru"}
		b, err := s.Head(to, reply)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b.Raw, []byte("\r\n\r\n")) || !bytes.HasSuffix(b.Raw, []byte("\r\n")) {
			t.Fatalf("head is not a block of header lines:\n%s", b.Raw)
		}
		if seen[b.MessageID] {
			t.Errorf("Message-ID %s given twice", b.MessageID)
		}
		seen[b.MessageID] = true
		if len(b.Recipients) != 1 || b.Recipients[0] != to.Email || !b.NextAttemptAt.Equal(o.NotBefore) || b.EnvelopeFrom != "sd@kgo66.ru" {
			t.Errorf("built %+v", b)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(append(b.Raw, s.Body()...)))
		if err != nil {
			t.Fatal(err)
		}
		h := msg.Header
		if got := h.Get("Reply-To"); !strings.Contains(got, reply.Email) {
			t.Errorf("Reply-To %q", got)
		}
		if got := h.Get("To"); !strings.Contains(got, to.Email) {
			t.Errorf("To %q", got)
		}
		if h.Get("Message-Id") != "<"+b.MessageID+">" || h.Get("In-Reply-To") != "<root@example.com>" ||
			h.Get("X-Otvet-Ticket") != "7" || h.Get("X-Otvet-Notify") != "note" || h.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("headers %v", h)
		}
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil || mt != "multipart/mixed" {
			t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		var names []string
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, p.FileName())
		}
		if len(names) != 2 || names[1] != "скан.pdf" {
			t.Errorf("parts %q", names)
		}
	}
}
