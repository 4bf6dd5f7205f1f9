package mailmsg

import (
	"strings"
	"testing"
	"time"
)

func TestDecodeWords(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "hello", "hello"},
		{"B utf-8", "=?UTF-8?B?0J/RgNC40LLQtdGC?=", "Привет"},
		{"Q utf-8 underscore", "=?utf-8?Q?=D0=9F=D1=80=D0=B8_=D0=B2?=", "При в"},
		{"Q koi8-r", "=?koi8-r?Q?=F0=D2=C9=D7=C5=D4?=", "Привет"},
		{"B windows-1251", "=?windows-1251?B?z/Do4uXy?=", "Привет"},
		{"adjacent words lose the blank", "=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"},
		{"adjacent words across a fold", "=?utf-8?Q?a?=\r\n =?utf-8?Q?b?=", "ab"},
		{"text between words kept", "=?utf-8?Q?a?= x =?utf-8?Q?b?=", "a x b"},
		{"mixed charsets", "=?koi8-r?B?8NLJ18XU?= =?windows-1251?B?7Ojw?=", "Приветмир"},
		{"split utf-8 character", "=?utf-8?B?0J/R?= =?utf-8?B?gNC4?=", "При"},
		{"language suffix", "=?utf-8*ru?Q?=D0=94=D0=B0?=", "Да"},
		{"broken base64 kept raw", "=?utf-8?B?@@@@?=", "=?utf-8?B?@@@@?="},
		{"unknown encoding kept raw", "=?utf-8?X?abc?=", "=?utf-8?X?abc?="},
		{"unterminated kept raw", "=?utf-8?Q?abc", "=?utf-8?Q?abc"},
		{"lowercase b", "=?utf-8?b?0JTQsA==?=", "Да"},
		{"encoded word inside text", "Re:=?utf-8?Q?=D0=94=D0=B0?=!", "Re:Да!"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p problems
			if got := decodeWords(tc.in, &p); got != tc.want {
				t.Errorf("decodeWords(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSubjectUnknownCharsetDetected(t *testing.T) {
	enc := "=?x-bogus?B?" + b64(encode(t, csKOI8R, "Не работает принтер в кабинете")) + "?="
	m := mustParse(t, eml("From: a@b.c", "Subject: "+enc, "", "x"), Options{})
	if m.Subject != "Не работает принтер в кабинете" {
		t.Errorf("subject %q", m.Subject)
	}
	wantProblem(t, m, `unknown charset "x-bogus"`)
}

func b64(b []byte) string {
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var sb strings.Builder
	for i := 0; i < len(b); i += 3 {
		var n uint32
		k := min(3, len(b)-i)
		for j := 0; j < 3; j++ {
			n <<= 8
			if j < k {
				n |= uint32(b[i+j])
			}
		}
		for j := 0; j < 4; j++ {
			if j <= k {
				sb.WriteByte(alpha[n>>(18-6*j)&63])
			} else {
				sb.WriteByte('=')
			}
		}
	}
	return sb.String()
}

func TestFilenames(t *testing.T) {
	tests := []struct{ name, headers, want string }{
		{"plain", `Content-Disposition: attachment; filename="report.pdf"`, "report.pdf"},
		{"unquoted with spaces", `Content-Disposition: attachment; filename=my report.pdf`, "my report.pdf"},
		{"2231 utf-8", `Content-Disposition: attachment; filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf`, "отчёт.pdf"},
		{"2231 koi8-r with language", `Content-Disposition: attachment; filename*=koi8-r'ru'%CF%D4%DE%A3%D4.pdf`, "отчёт.pdf"},
		{"2231 continuations", "Content-Disposition: attachment;\r\n filename*0*=UTF-8''%D0%BE%D1%82;\r\n filename*1*=%D1%87%D1%91%D1%82;\r\n filename*2=.pdf", "отчёт.pdf"},
		{"2231 continuations out of order", "Content-Disposition: attachment; filename*1=b.txt; filename*0=a", "ab.txt"},
		{"2231 wins over plain", `Content-Disposition: attachment; filename="fallback.pdf"; filename*=utf-8''%D1%8F.pdf`, "я.pdf"},
		{"2047 in quotes", `Content-Disposition: attachment; filename="=?utf-8?B?0L7RgtGH0ZHRgi5wZGY=?="`, "отчёт.pdf"},
		{"name parameter only", `Content-Type: application/pdf; name="=?koi8-r?B?z9Te o9QucGRm?="`, "отчёт.pdf"},
		{"path stripped", `Content-Disposition: attachment; filename="..\..\windows\evil.exe"`, "evil.exe"},
		{"missing semicolon", `Content-Disposition: attachment filename="a.txt"`, "a.txt"},
		{"unterminated quote", `Content-Disposition: attachment; filename="a b.txt`, "a b.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := "Content-Type: application/octet-stream"
			if strings.HasPrefix(tc.headers, "Content-Type") {
				ct = tc.headers
				tc.headers = "Content-Disposition: attachment"
			}
			m := mustParse(t, eml("From: a@b.c", "Content-Type: multipart/mixed; boundary=B", "", "--B",
				ct, tc.headers, "", "data", "--B--"), Options{})
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments %+v", m.Attachments)
			}
			if got := m.Attachments[0].Filename; got != tc.want {
				t.Errorf("Filename = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAddressesAndIDs(t *testing.T) {
	m := mustParse(t, eml(
		"From: \"Петров, Иван\" <Ivan.Petrov@Mail.RU>",
		"Sender: robot@x.example",
		"To: a@b.example, \"=?utf-8?B?0JDQvdC90LA=?=\" <anna@B.example>, undisclosed-recipients:;",
		"Cc: =?utf-8?Q?=D0=9E=D0=BB=D1=8C=D0=B3=D0=B0?= <olga@c.example>",
		"Reply-To: reply@x.example",
		"Message-ID: <abc@host>",
		"In-Reply-To: <p1@host> (comment)",
		"References: <r1@host>\r\n <r2@host> <r3@host>",
		"Delivered-To: support@otvet.example",
		"Delivered-To: helpdesk@otvet.example",
		"Return-Path: <Bounce@Host.Example>",
		"Date: Mon, 3 Mar 2025 10:00:00 +0300 (MSK)",
		"", "x"), Options{})
	if m.From == nil || m.From.Name != "Петров, Иван" || m.From.Email != "Ivan.Petrov@mail.ru" {
		t.Errorf("From = %+v", m.From)
	}
	if m.Sender == nil || m.Sender.Email != "robot@x.example" {
		t.Errorf("Sender = %+v", m.Sender)
	}
	if len(m.To) != 2 || m.To[1].Name != "Анна" || m.To[1].Email != "anna@b.example" {
		t.Errorf("To = %+v", m.To)
	}
	if len(m.Cc) != 1 || m.Cc[0].Name != "Ольга" {
		t.Errorf("Cc = %+v", m.Cc)
	}
	if len(m.ReplyTo) != 1 || m.ReplyTo[0].Email != "reply@x.example" {
		t.Errorf("ReplyTo = %+v", m.ReplyTo)
	}
	if m.MessageID != "abc@host" || strings.Join(m.InReplyTo, ",") != "p1@host" || strings.Join(m.References, ",") != "r1@host,r2@host,r3@host" {
		t.Errorf("ids %q %q %q", m.MessageID, m.InReplyTo, m.References)
	}
	if strings.Join(m.DeliveredTo, ",") != "support@otvet.example,helpdesk@otvet.example" {
		t.Errorf("DeliveredTo = %q", m.DeliveredTo)
	}
	if m.ReturnPath != "Bounce@host.example" || m.NullSender {
		t.Errorf("ReturnPath = %q null %v", m.ReturnPath, m.NullSender)
	}
	if want := time.Date(2025, 3, 3, 7, 0, 0, 0, time.UTC); !m.Date.Equal(want) {
		t.Errorf("Date = %v", m.Date)
	}
	if got := m.Header("cc"); got != "Ольга <olga@c.example>" {
		t.Errorf("Header(cc) = %q", got)
	}
	if got := m.HeaderValues("Delivered-To"); len(got) != 2 {
		t.Errorf("HeaderValues = %q", got)
	}
	if m.Header("X-Missing") != "" || (*Message)(nil).Header("From") != "" {
		t.Error("missing header not empty")
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 in UTC, "" for unparseable
	}{
		{"Mon, 3 Mar 2025 10:00:00 +0300", "2025-03-03T07:00:00Z"},
		{"3 Mar 2025 10:00:00 +0300", "2025-03-03T07:00:00Z"},
		{"Mon,  3 Mar 2025 10:00:00 +0300 (MSK)", "2025-03-03T07:00:00Z"},
		{"Mon, 3 Mar 2025 10:00 +0300", "2025-03-03T07:00:00Z"},
		{"Mon, 03-Mar-2025 10:00:00 +0300", "2025-03-03T07:00:00Z"},
		{"2025-03-03T10:00:00+03:00", "2025-03-03T07:00:00Z"},
		{"вчера", ""},
	}
	for _, tc := range tests {
		got, ok := parseDate(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("parseDate(%q) = %v, want failure", tc.in, got)
			}
			continue
		}
		if !ok || got.UTC().Format(time.RFC3339) != tc.want {
			t.Errorf("parseDate(%q) = %v %v, want %s", tc.in, got, ok, tc.want)
		}
	}
	m := mustParse(t, eml("From: a@b.c", "Date: вчера", "", "x"), Options{})
	if !m.Date.IsZero() {
		t.Errorf("Date = %v", m.Date)
	}
	wantProblem(t, m, "unparseable Date")
}

func TestAutoSignals(t *testing.T) {
	tests := []struct {
		name   string
		hdr    []string
		reason string // "" for not Auto
	}{
		{"ordinary", []string{"From: a@b.c"}, ""},
		{"auto-submitted no", []string{"From: a@b.c", "Auto-Submitted: no"}, ""},
		{"auto-replied", []string{"From: a@b.c", "Auto-Submitted: Auto-Replied"}, "auto-submitted: auto-replied"},
		{"auto-generated with comment", []string{"From: a@b.c", "Auto-Submitted: auto-generated (vacation)"}, "auto-submitted: auto-generated"},
		{"precedence bulk", []string{"From: a@b.c", "Precedence: bulk"}, "precedence: bulk"},
		{"precedence junk", []string{"From: a@b.c", "Precedence: junk"}, "precedence: junk"},
		{"precedence first-class", []string{"From: a@b.c", "Precedence: first-class"}, ""},
		{"list-id", []string{"From: a@b.c", "List-Id: <x.lists.example>"}, "list-id"},
		{"list-unsubscribe", []string{"From: a@b.c", "List-Unsubscribe: <mailto:u@x>"}, "list-unsubscribe"},
		{"x-autoreply", []string{"From: a@b.c", "X-Autoreply: yes"}, "x-autoreply"},
		{"x-autorespond", []string{"From: a@b.c", "X-Autorespond: yes"}, "x-autorespond"},
		{"suppress all", []string{"From: a@b.c", "X-Auto-Response-Suppress: All"}, "x-auto-response-suppress: all"},
		{"suppress oof", []string{"From: a@b.c", "X-Auto-Response-Suppress: DR, OOF"}, "x-auto-response-suppress: oof"},
		{"suppress rn only", []string{"From: a@b.c", "X-Auto-Response-Suppress: RN, NRN"}, ""},
		{"null sender", []string{"From: a@b.c", "Return-Path: <>"}, "null sender"},
		{"mailer-daemon", []string{"From: MAILER-DAEMON@x.example"}, "from: mailer-daemon"},
		{"postmaster", []string{"From: Postmaster <postmaster@x.example>"}, "from: postmaster"},
		{"own loop first", []string{"From: a@b.c", "X-Otvet-Loop: desk-1", "Precedence: bulk"}, "loop: x-otvet-loop"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, eml(append(tc.hdr, "", "body")...), Options{LoopHeader: "X-Otvet-Loop"})
			if m.AutoReason != tc.reason || m.Auto != (tc.reason != "") {
				t.Errorf("Auto = %v, AutoReason = %q, want %q", m.Auto, m.AutoReason, tc.reason)
			}
		})
	}
	m := mustParse(t, eml("From: a@b.c", "X-Otvet-Loop: desk-1", "Auto-Submitted: Auto-Replied", "Precedence: Bulk", "", ""), Options{LoopHeader: "X-Otvet-Loop"})
	if !m.OwnLoop || m.LoopValue != "desk-1" || m.AutoSubmitted != "auto-replied" || m.Precedence != "bulk" {
		t.Errorf("OwnLoop %v LoopValue %q AutoSubmitted %q Precedence %q", m.OwnLoop, m.LoopValue, m.AutoSubmitted, m.Precedence)
	}
	m = mustParse(t, eml("From: a@b.c", "X-Otvet-Loop: desk-1", "", ""), Options{})
	if m.OwnLoop || m.Auto {
		t.Error("loop header counted without Options.LoopHeader")
	}
}
