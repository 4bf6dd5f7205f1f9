package helpdesk_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailmsg"
)

// riskFile is an attachment of a test message.
type riskFile struct {
	name, ctype string
	data        []byte
}

var (
	exeFile  = riskFile{"setup.exe", "application/octet-stream", append([]byte("MZ"), bytes.Repeat([]byte{0x90}, 200)...)}
	pdfFile  = riskFile{"otchet.pdf", "application/pdf", []byte("%PDF-1.4 report")}
	docmFile = riskFile{"raschet.docm", "application/octet-stream", []byte("PK\x03\x04 not really")}
)

func zipWith(t *testing.T, name string) riskFile {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("MZ program"))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return riskFile{"dokumenty.zip", "application/zip", b.Bytes()}
}

// multipart is a multipart/mixed body (after the top headers) with text and files.
func multipart(text string, files []riskFile) string {
	var b strings.Builder
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BND\r\n\r\n")
	b.WriteString("--BND\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n")
	for _, f := range files {
		fmt.Fprintf(&b, "--BND\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", f.ctype, f.name, base64.StdEncoding.EncodeToString(f.data))
	}
	b.WriteString("--BND--\r\n")
	return b.String()
}

func filenames(m *mailmsg.Message) []string {
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Filename)
	}
	return names
}

// TestRiskyAttachmentsWarnAgents: a customer's risky file is listed in the
// agent notification with a warning in words and is not attached to it;
// the other files are attached as before. limits.risky_extensions adds
// extensions.
func TestRiskyAttachmentsWarnAgents(t *testing.T) {
	cases := []struct {
		name         string
		exts         []string
		files        func(t *testing.T) []riskFile
		warn         []string // in the notification's text
		attached     []string // attached to the notification
		notAttached  []string
		noWarning    bool
		wantNoticeOf string
	}{
		{name: "program", files: func(*testing.T) []riskFile { return []riskFile{pdfFile, exeFile} },
			warn:     []string{"ОСТОРОЖНО", "setup.exe", "программа: не запускайте, если не ждали её", "otvet tickets show"},
			attached: []string{"otchet.pdf"}, notAttached: []string{"setup.exe"}},
		{name: "macro document", files: func(*testing.T) []riskFile { return []riskFile{docmFile} },
			warn: []string{"raschet.docm", "документ с макросами"}, notAttached: []string{"raschet.docm"}},
		{name: "archive with a program", files: func(t *testing.T) []riskFile { return []riskFile{zipWith(t, "scan/run.exe")} },
			warn: []string{"dokumenty.zip", "архив с программой внутри (run.exe)"}, notAttached: []string{"dokumenty.zip"}},
		{name: "harmless files", files: func(*testing.T) []riskFile { return []riskFile{pdfFile} },
			attached: []string{"otchet.pdf"}, noWarning: true},
		{name: "configured extension", exts: []string{"pdf"}, files: func(*testing.T) []riskFile { return []riskFile{pdfFile} },
			warn: []string{"otchet.pdf"}, notAttached: []string{"otchet.pdf"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t, func(o *helpdesk.Options) { o.Parse.RiskyExtensions = c.exts })
			raw := "From: " + petrov + "\r\nTo: " + support + "\r\nSubject: Документы\r\nMessage-ID: <risky@uszn>\r\n" +
				multipart("Не работает принтер в кабинете 12, файлы во вложении. Тел. 2-44-17", c.files(t))
			if out := h.ingest(raw); out.TicketID == 0 {
				t.Fatalf("no ticket: %+v", out)
			}
			n := h.notification(agent1)
			for _, w := range c.warn {
				if !strings.Contains(n.Text, w) || !strings.Contains(n.HTML, w) {
					t.Errorf("notification lacks %q:\n%s", w, n.Text)
				}
			}
			if c.noWarning && (strings.Contains(n.Text, "ОСТОРОЖНО") || strings.Contains(n.Text, "⚠")) {
				t.Errorf("harmless files flagged:\n%s", n.Text)
			}
			got := strings.Join(filenames(n), ",")
			for _, a := range c.attached {
				if !strings.Contains(got, a) {
					t.Errorf("%s not attached to the notification (attached: %s)", a, got)
				}
			}
			for _, a := range c.notAttached {
				if strings.Contains(got, a) {
					t.Errorf("risky %s attached to the notification", a)
				}
			}
		})
	}
}

// TestRiskyFilesInAgentReplyAreHeldBack: a program or macro document in an
// agent's reply reaches the customer only with #send-files; otherwise the
// agent's confirmation says it was held back, why, and how to send it.
func TestRiskyFilesInAgentReplyAreHeldBack(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		files      []riskFile
		answer     bool     // an agent_reply is queued
		sent, kept []string // files to the customer, held back
		confirm    []string // in the confirmation
	}{
		{name: "program held back", body: "Установите, пожалуйста, драйвер.", files: []riskFile{pdfFile, exeFile},
			answer: true, sent: []string{"otchet.pdf"}, kept: []string{"setup.exe"},
			confirm: []string{"setup.exe", "не отправлен пользователю: это программа", "#отправить-файлы"}},
		{name: "only a program: nothing to the customer", files: []riskFile{exeFile},
			kept: []string{"setup.exe"}, confirm: []string{"setup.exe", "это программа"}},
		{name: "macro document held back", body: "Расчёт во вложении.", files: []riskFile{docmFile},
			answer: true, kept: []string{"raschet.docm"}, confirm: []string{"это документ с макросами"}},
		{name: "sent on the agent's choice", body: "#отправить-файлы\nУстановите, пожалуйста, драйвер.", files: []riskFile{pdfFile, exeFile},
			answer: true, sent: []string{"otchet.pdf", "setup.exe"}, confirm: []string{"отправлено пользователю по вашему выбору: setup.exe"}},
		{name: "english alias", body: "#send-files\nSee the driver.", files: []riskFile{exeFile},
			answer: true, sent: []string{"setup.exe"}, confirm: []string{"по вашему выбору: setup.exe"}},
		{name: "command without risky files", body: "#send-files\nОтчёт во вложении.", files: []riskFile{pdfFile},
			answer: true, sent: []string{"otchet.pdf"}, confirm: []string{"нет программ и документов с макросами"}},
		{name: "harmless files go as before", body: "Отчёт во вложении.", files: []riskFile{pdfFile},
			answer: true, sent: []string{"otchet.pdf"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			h.newTicket()
			h.now = h.now.Add(30 * time.Minute)
			n := h.notification(agent1)
			raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%d@kgo66.ru>\r\nIn-Reply-To: <%s>\r\n",
				agent1, n.ReplyTo[0].Email, n.Subject, time.Now().UnixNano(), n.MessageID) + multipart(c.body, c.files)
			if out := h.ingest(raw); out.Disposition != helpdesk.DispStaff {
				t.Fatalf("outcome %+v", out)
			}
			answers := h.sent("agent_reply")
			if c.answer != (len(answers) == 1) {
				t.Fatalf("%d answers to the customer, want answer=%v", len(answers), c.answer)
			}
			var got string
			if c.answer {
				got = strings.Join(filenames(parse(t, answers[0].Raw)), ",")
			}
			for _, f := range c.sent {
				if !strings.Contains(got, f) {
					t.Errorf("%s not sent to the customer (sent: %s)", f, got)
				}
			}
			for _, f := range c.kept {
				if strings.Contains(got, f) {
					t.Errorf("risky %s sent to the customer without #send-files", f)
				}
			}
			results := h.sent("command_result")
			if len(c.confirm) == 0 {
				if len(results) != 0 {
					t.Errorf("unexpected confirmation:\n%s", parse(t, results[0].Raw).Text)
				}
				return
			}
			if len(results) != 1 {
				t.Fatalf("%d confirmations, want 1", len(results))
			}
			text := parse(t, results[0].Raw).Text
			for _, w := range c.confirm {
				if !strings.Contains(text, w) {
					t.Errorf("confirmation lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestSendFilesInEnglish: the held-back line in an English desk's confirmation.
func TestSendFilesInEnglish(t *testing.T) {
	h := newStaffHarness(t, func(o *helpdesk.Options) { o.Desks[0].Language = "en" })
	h.newTicket()
	n := h.notification(agent1)
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <en@kgo66.ru>\r\nIn-Reply-To: <%s>\r\n",
		agent1, n.ReplyTo[0].Email, n.Subject, n.MessageID) + multipart("Here is the tool.", []riskFile{exeFile})
	h.ingest(raw)
	results := h.sent("command_result")
	if len(results) != 1 {
		t.Fatalf("%d confirmations", len(results))
	}
	text := parse(t, results[0].Raw).Text
	for _, w := range []string{"setup.exe", "not sent to the customer: it is a program", "#send-files"} {
		if !strings.Contains(text, w) {
			t.Errorf("confirmation lacks %q:\n%s", w, text)
		}
	}
}
