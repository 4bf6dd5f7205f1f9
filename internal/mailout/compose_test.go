package mailout

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixedBoundaries returns a composer whose boundaries are b1, b2, ...
func fixedBoundaries() composer {
	n := 0
	return composer{boundary: func() string { n++; return fmt.Sprintf("b%d", n) }}
}

func sampleMail(t testing.TB) Mail {
	t.Helper()
	tm := mustTemplates(t)
	r, err := tm.Render("ru", TmplAck, goldenCases()[1].data)
	if err != nil {
		t.Fatal(err)
	}
	return Mail{
		From:          Address{Name: "Служба поддержки", Email: "sd@kgo66.ru"},
		To:            []Address{{Name: "Иванов Иван Иванович", Email: "ivanov@kgo66.ru"}},
		Cc:            []Address{{Name: "O'Brien, Pat", Email: "pat@example.com"}, {Email: "boss@kgo66.ru"}},
		ReplyTo:       &Address{Name: "Служба поддержки", Email: "sd+1abcdefghijklmnop@kgo66.ru"},
		Subject:       r.Subject,
		Text:          r.Text,
		HTML:          r.HTML,
		MessageID:     "otvet.124.ack@kgo66.ru",
		InReplyTo:     "CAFx1=abc@mail.gmail.com",
		References:    []string{"root@example.com", "CAFx1=abc@mail.gmail.com"},
		Date:          time.Date(2024, 12, 27, 16, 5, 0, 0, time.FixedZone("+08", 8*3600)),
		AutoSubmitted: "auto-replied",
		Headers:       map[string]string{"X-Otvet-Ticket": "124", "X-Otvet-Loop": "sd@kgo66.ru"},
	}
}

func TestComposeGolden(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Mail)
	}{
		{"ack", func(*Mail) {}},
		{"text_only", func(m *Mail) { m.HTML = ""; m.Cc = nil; m.ReplyTo = nil; m.Headers = nil; m.AutoSubmitted = "" }},
		{"attachments", func(m *Mail) {
			m.Attachments = []Attachment{
				{Filename: "отчёт за 2024 год.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("%PDF-1.4 "), 20)},
				{Filename: `C:\Users\ivanov\logo.png`, ContentType: "image/png", Data: []byte("\x89PNG\r\n"), ContentID: "logo@otvet"},
				{Filename: "", ContentType: "not a type", Data: nil},
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail(t)
			tt.edit(&m)
			out, err := fixedBoundaries().compose(m)
			if err != nil {
				t.Fatal(err)
			}
			checkWire(t, out)
			checkGolden(t, filepath.Join("testdata", "golden", "compose_"+tt.name+".eml"), out)
		})
	}
}

// checkWire checks the invariants of every composed message: CRLF only, no
// NUL, no line over 998 octets, parseable by net/mail.
func checkWire(t *testing.T, out []byte) *mail.Message {
	t.Helper()
	for i, c := range out {
		switch {
		case c == 0:
			t.Fatalf("NUL at %d", i)
		case c == '\n' && (i == 0 || out[i-1] != '\r'):
			t.Fatalf("bare LF at %d", i)
		case c == '\r' && (i+1 == len(out) || out[i+1] != '\n'):
			t.Fatalf("bare CR at %d", i)
		}
	}
	for _, line := range bytes.Split(out, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatalf("line of %d octets", len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("net/mail cannot parse output: %v\n%s", err, out)
	}
	return msg
}

var allowedHeaders = []string{
	"Date", "From", "Reply-To", "To", "Cc", "Message-Id", "In-Reply-To", "References", "Subject",
	"Auto-Submitted", "X-Auto-Response-Suppress", "X-Otvet-Ticket", "X-Otvet-Loop",
	"Mime-Version", "Content-Type", "Content-Transfer-Encoding",
}

func TestComposeHeaders(t *testing.T) {
	m := sampleMail(t)
	out, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	msg := checkWire(t, out)
	h := msg.Header
	exact := map[string]string{
		"Message-Id":               "<otvet.124.ack@kgo66.ru>",
		"In-Reply-To":              "<CAFx1=abc@mail.gmail.com>",
		"References":               "<root@example.com> <CAFx1=abc@mail.gmail.com>",
		"Auto-Submitted":           "auto-replied",
		"X-Auto-Response-Suppress": "All",
		"Date":                     "Fri, 27 Dec 2024 16:05:00 +0800",
		"X-Otvet-Ticket":           "124",
		"Mime-Version":             "1.0",
	}
	for k, want := range exact {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	var dec mime.WordDecoder
	subj, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil || subj != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", subj, err, m.Subject)
	}
	if !strings.Contains(h.Get("Subject"), "=?utf-8?b?") {
		t.Errorf("Cyrillic subject not encoded: %q", h.Get("Subject"))
	}
	checkAddrs := func(name string, want []Address) {
		t.Helper()
		got, err := h.AddressList(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i].Name != want[i].Name || got[i].Address != want[i].Email {
				t.Errorf("%s[%d] = %q <%s>, want %q <%s>", name, i, got[i].Name, got[i].Address, want[i].Name, want[i].Email)
			}
		}
	}
	checkAddrs("From", []Address{m.From})
	checkAddrs("To", m.To)
	checkAddrs("Cc", m.Cc)
	checkAddrs("Reply-To", []Address{*m.ReplyTo})
	for k := range h {
		if !slices.Contains(allowedHeaders, k) {
			t.Errorf("unexpected header %q", k)
		}
	}
	// Bodies decode back to the rendered text and HTML.
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []string{m.Text, m.HTML} {
		p, err := mr.NextPart() // decodes quoted-printable, not base64
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			body, err = decodeBase64Lines(body)
			if err != nil {
				t.Fatal(err)
			}
		}
		want = strings.ReplaceAll(want, "\n", "\r\n")
		if string(body) != want {
			t.Errorf("body part decodes to\n%q\nwant\n%q", body, want)
		}
	}
}

func TestComposeDeterministic(t *testing.T) {
	m := sampleMail(t)
	a, err := fixedBoundaries().compose(m)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fixedBoundaries().compose(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("Compose is not deterministic")
	}
	r1, _ := Compose(m)
	r2, _ := Compose(m)
	if bytes.Equal(r1, r2) {
		t.Fatal("random boundaries repeat")
	}
}

func TestComposeHeaderInjection(t *testing.T) {
	const evil = "\r\nBcc: evil@attacker.example"
	encoded := "=?utf-8?b?" + "DQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==" + "?=" // "\r\nBcc: evil@attacker.example"
	tests := []struct {
		name    string
		edit    func(*Mail)
		wantErr bool
	}{
		{"subject CRLF", func(m *Mail) { m.Subject = "hi" + evil }, false},
		{"subject LF", func(m *Mail) { m.Subject = "hi\nBcc: evil@attacker.example" }, false},
		{"subject CR", func(m *Mail) { m.Subject = "hi\rBcc: evil@attacker.example" }, false},
		{"subject NUL", func(m *Mail) { m.Subject = "hi\x00Bcc: evil@attacker.example" }, false},
		{"subject cyrillic CRLF", func(m *Mail) { m.Subject = "Привет" + evil }, false},
		{"subject encoded word", func(m *Mail) { m.Subject = encoded }, false},
		{"subject unicode separators", func(m *Mail) { m.Subject = "hi\u2028Bcc: evil@attacker.example\u0085x" }, false},
		{"from name", func(m *Mail) { m.From.Name = "Support" + evil }, false},
		{"to name quoted", func(m *Mail) { m.To[0].Name = `"x"` + evil }, false},
		{"to name cyrillic", func(m *Mail) { m.To[0].Name = "Иван" + evil }, false},
		{"to name encoded", func(m *Mail) { m.To[0].Name = encoded }, false},
		{"reply-to name", func(m *Mail) { m.ReplyTo.Name = "x" + evil }, false},
		{"header value", func(m *Mail) { m.Headers["X-Otvet-Ticket"] = "1" + evil }, false},
		{"in-reply-to", func(m *Mail) { m.InReplyTo = "a@b>" + evil }, false},
		{"references", func(m *Mail) { m.References = []string{"a@b" + evil, "c@d"} }, false},
		{"attachment name", func(m *Mail) {
			m.Attachments = []Attachment{{Filename: "a.txt" + evil, ContentType: "text/plain" + evil, Data: []byte("x")}}
		}, false},
		{"to address", func(m *Mail) { m.To[0].Email = "a@b.example" + evil }, true},
		{"to address brackets", func(m *Mail) { m.To[0].Email = "a@b.example>, <evil@attacker.example" }, true},
		{"from address", func(m *Mail) { m.From.Email = "sd@kgo66.ru" + evil }, true},
		{"message-id", func(m *Mail) { m.MessageID = "a@b" + evil }, true},
		{"header name", func(m *Mail) { m.Headers["X-A"+evil] = "1" }, true},
		{"reserved header", func(m *Mail) { m.Headers["bcc"] = "evil@attacker.example" }, true},
		{"auto-submitted", func(m *Mail) { m.AutoSubmitted = "auto-replied" + evil }, false},
		{"content-id", func(m *Mail) {
			m.Attachments = []Attachment{{Filename: "a", ContentID: "x" + evil, Data: []byte("x")}}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail(t)
			tt.edit(&m)
			out, err := Compose(m)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Compose succeeded:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			msg := checkWire(t, out)
			for k := range msg.Header {
				if !slices.Contains(allowedHeaders, k) {
					t.Errorf("extra header %q", k)
				}
			}
			for _, line := range strings.Split(string(out), "\r\n") {
				if strings.HasPrefix(strings.ToLower(line), "bcc:") {
					t.Errorf("line %q in output", line)
				}
			}
		})
	}
}

func TestComposeErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Mail)
	}{
		{"no message-id", func(m *Mail) { m.MessageID = "" }},
		{"bracketed message-id", func(m *Mail) { m.MessageID = "<a@b>" }},
		{"no date", func(m *Mail) { m.Date = time.Time{} }},
		{"no recipients", func(m *Mail) { m.To, m.Cc = nil, nil }},
		{"named email", func(m *Mail) { m.To[0].Email = "Bob <bob@example.com>" }},
		{"empty from", func(m *Mail) { m.From.Email = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail(t)
			tt.edit(&m)
			if _, err := Compose(m); err == nil {
				t.Fatal("Compose succeeded")
			}
		})
	}
}

func TestComposeFolding(t *testing.T) {
	m := sampleMail(t)
	m.Subject = strings.Repeat("word ", 40) + strings.Repeat("x", 200)
	m.References = nil
	for i := range 30 {
		m.References = append(m.References, fmt.Sprintf("ref%02d.%s@example.com", i, strings.Repeat("z", 20)))
	}
	out, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	msg := checkWire(t, out)
	for _, line := range strings.Split(string(out[:bytes.Index(out, []byte("\r\n\r\n"))]), "\r\n") {
		if len(line) > maxLineLen {
			t.Errorf("header line of %d octets: %q", len(line), line)
		}
	}
	var dec mime.WordDecoder
	if s, _ := dec.DecodeHeader(msg.Header.Get("Subject")); s != m.Subject {
		t.Errorf("long subject decodes to %q", s)
	}
	refs := strings.Fields(msg.Header.Get("References"))
	if len(refs) != maxReferences || refs[0] != "<"+m.References[0]+">" || refs[len(refs)-1] != "<"+m.References[29]+">" {
		t.Errorf("References = %v", refs)
	}
}

func TestNewMessageID(t *testing.T) {
	a, b := NewMessageID("kgo66.ru"), NewMessageID("kgo66.ru")
	if a == b || !strings.HasSuffix(a, "@kgo66.ru") || !validMsgID(a) {
		t.Fatalf("NewMessageID = %q, %q", a, b)
	}
	for _, d := range []string{"", "bad domain\r\n", "<x>"} {
		if id := NewMessageID(d); !validMsgID(id) {
			t.Errorf("NewMessageID(%q) = %q is invalid", d, id)
		}
	}
}

func FuzzCompose(f *testing.F) {
	f.Add("Тема", "Иван", "text", "v", "a@b.example")
	f.Add("hi\r\nBcc: x@y", "\"q\\\" ", "\x00\r", "=?utf-8?q?x?=", "x@y")
	f.Add(strings.Repeat("я", 300), strings.Repeat("a,", 50), "", "\xff\xfe", "\"a b\"@c.example")
	f.Fuzz(func(t *testing.T, subject, name, text, hval, email string) {
		m := Mail{
			From:      Address{Name: name, Email: "sd@kgo66.ru"},
			To:        []Address{{Name: name, Email: email}},
			Subject:   subject,
			Text:      text,
			HTML:      text,
			MessageID: "x@kgo66.ru",
			InReplyTo: hval,
			Date:      time.Unix(1735286700, 0).UTC(),
			Headers:   map[string]string{"X-Otvet-Ticket": hval},
		}
		out, err := Compose(m)
		if err != nil {
			return
		}
		msg := checkWire(t, out)
		for k := range msg.Header {
			if !slices.Contains(allowedHeaders, k) {
				t.Fatalf("extra header %q", k)
			}
		}
		var dec mime.WordDecoder
		if s, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || s != sanitize(subject) {
			t.Fatalf("subject %q decodes to %q (%v)", subject, s, err)
		}
		if got, err := msg.Header.AddressList("From"); err != nil || len(got) != 1 || got[0].Name != sanitize(name) {
			t.Fatalf("From name %q: %v %v", name, got, err)
		}
	})
}

func BenchmarkComposeAck(b *testing.B) {
	m := sampleMail(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compose(m); err != nil {
			b.Fatal(err)
		}
	}
}

func decodeBase64Lines(b []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
}

func TestMailRecipients(t *testing.T) {
	m := Mail{To: []Address{{Email: "a@x.ru"}, {Email: "B@x.ru"}}, Cc: []Address{{Email: "b@x.ru"}, {Email: "c@x.ru"}}}
	if got := strings.Join(m.Recipients(), ","); got != "a@x.ru,B@x.ru,c@x.ru" {
		t.Fatalf("Recipients() = %s", got)
	}
}
