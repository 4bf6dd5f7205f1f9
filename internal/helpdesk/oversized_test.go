package helpdesk_test

import (
	"context"
	"encoding/base64"
	"mime"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailin/mailintest"
	"github.com/otvet/otvet/internal/store"
)

// oversizedRaw is what mailin delivers for a message over the size limit:
// the header, the text part, and the parts it did not fetch listed in
// mailin.OmittedHeader fields.
func oversizedRaw(text string, omitted ...map[string]string) string {
	var b strings.Builder
	b.WriteString("From: " + petrov + "\r\nTo: " + support + "\r\nSubject: Отчёт не загружается\r\nMessage-ID: <big2@uszn>\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"otvet-oversized-1\"\r\n")
	for _, p := range omitted {
		kind := p["kind"]
		delete(p, "kind")
		b.WriteString(mailin.OmittedHeader + ": " + mime.FormatMediaType(kind, p) + "\r\n")
	}
	b.WriteString("\r\n--otvet-oversized-1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(base64.StdEncoding.EncodeToString([]byte(text)) + "\r\n--otvet-oversized-1--\r\n")
	return b.String()
}

func TestOversizedMailKeepsItsText(t *testing.T) {
	h := newStaffHarness(t)
	text := "Отчёт за квартал не загружается на портал, ошибка 403 при отправке. Файл отчёта во вложении. Тел. 2-44-17"
	raw := oversizedRaw(text,
		map[string]string{"kind": mailin.OmittedFile, "section": "2", "type": "application/vnd.ms-excel", "filename": "отчёт за квартал.xlsx", "size": "31457280"},
		map[string]string{"kind": mailin.OmittedFile, "section": "3", "type": "image/png", "size": "2048"},
	)
	out := h.ingestFetched(mailin.Fetched{Raw: []byte(raw), Size: 43 << 20, Truncated: true})
	if out.Disposition != store.DispTicket {
		t.Fatalf("outcome %+v", out)
	}
	tk := h.ticket(out.TicketID)
	if tk.Status != store.StatusOpen || !tk.FirstResponseDue.Valid {
		t.Fatalf("ticket %s, first response due %v: want open with the clock running", tk.Status, tk.FirstResponseDue)
	}
	msgs, err := h.db.Messages(context.Background(), out.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	var in *store.Message
	for i := range msgs {
		if msgs[i].Direction == store.DirIn {
			in = &msgs[i]
		}
	}
	if in == nil || !strings.Contains(string(in.BodyText), "ошибка 403") {
		t.Fatalf("stored messages %+v: want the customer's text", msgs)
	}
	r, err := h.db.RawMessage(context.Background(), in.RawID.Int64)
	if err != nil || !r.Truncated || !strings.Contains(r.Note, "oversized") || !strings.Contains(r.Note, "2 parts not fetched") {
		t.Errorf("raw note %q (truncated %v), %v", r.Note, r.Truncated, err)
	}

	acks := h.sent("too_large")
	if len(acks) != 1 {
		t.Fatalf("%d too_large answers", len(acks))
	}
	ack := parse(t, acks[0].Raw).Text
	due := tk.FirstResponseDue.Time.In(friday.Location()).Format("02.01.2006 15:04")
	for _, want := range []string{"43 МБ", "(25 МБ)", "приняли только его текст", "отчёт за квартал.xlsx (30 МБ)",
		"вложение без имени (2 КБ)", "Мы ответим не позднее " + due} {
		if !strings.Contains(ack, want) {
			t.Errorf("the answer lacks %q:\n%s", want, ack)
		}
	}
	if strings.Contains(ack, "опишите вопрос ещё раз") {
		t.Errorf("the answer asks for the text it has:\n%s", ack)
	}

	notes := h.sent("agent_notify")
	if len(notes) == 0 {
		t.Fatal("agents not notified")
	}
	note := parse(t, notes[0].Raw).Text
	for _, want := range []string{"ошибка 403", "Письмо больше допустимого размера (43 МБ при пределе 25 МБ)",
		"отчёт за квартал.xlsx (30 МБ) — не получено"} {
		if !strings.Contains(note, want) {
			t.Errorf("the notification lacks %q:\n%s", want, note)
		}
	}
}

// A message over the limit without any text part still opens a ticket and
// asks the customer to write the text again.
func TestOversizedMailWithoutTextAsksForIt(t *testing.T) {
	h := newHarness(t)
	raw := "From: " + petrov + "\r\nTo: " + support + "\r\nSubject: Скан\r\nMessage-ID: <big3@uszn>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n" + mailin.OmittedHeader + ": file; filename=scan.pdf; size=40000000\r\n\r\n--b--\r\n"
	out := h.ingestFetched(mailin.Fetched{Raw: []byte(raw), Size: 40 << 20, Truncated: true})
	if out.Disposition != store.DispTicket {
		t.Fatalf("outcome %+v", out)
	}
	acks := h.sent("too_large")
	if len(acks) != 1 {
		t.Fatalf("%d too_large answers", len(acks))
	}
	ack := parse(t, acks[0].Raw).Text
	for _, want := range []string{"опишите вопрос ещё раз", "scan.pdf (38,1 МБ)"} {
		if !strings.Contains(ack, want) {
			t.Errorf("the answer lacks %q:\n%s", want, ack)
		}
	}
}

// The whole way: an oversized message in an IMAP mailbox (the in-process
// server) is fetched by parts by the poller and opens its ticket with the
// text; the same assembled message delivered again is a duplicate.
func TestOversizedMailThroughThePoller(t *testing.T) {
	h := newStaffHarness(t, func(o *helpdesk.Options) { o.MaxMessageBytes = 20000 })
	env := mailintest.MemEnv(t)
	raw := "From: " + petrov + "\r\nTo: " + support + "\r\nSubject: Отчёт не загружается\r\nMessage-ID: <poll-big@uszn>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"=CE=F2=F7=B8=F2 =ED=E5 =E7=E0=E3=F0=F3=E6=E0=E5=F2=F1=FF, =EE=F8=E8=E1=EA=E0 403.\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		strings.Repeat(strings.Repeat("QUFB", 19)+"\r\n", 600) + "--b--\r\n"
	mailintest.Append(t, env.Account.Client(t), env.Folder, []byte(raw))
	opts := env.Options()
	opts.Name, opts.MaxMessageBytes = "sd", 20000
	p, err := mailin.New(opts, h.svc)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := p.PollOnce(context.Background()); err != nil || st.Truncated != 1 {
		t.Fatalf("poll: %+v, %v", st, err)
	}
	acks := h.sent("too_large")
	if len(acks) != 1 {
		t.Fatalf("%d too_large answers", len(acks))
	}
	ack := parse(t, acks[0].Raw).Text
	for _, want := range []string{"приняли только его текст", "report.pdf (33,4 КБ)", "Мы ответим не позднее"} {
		if !strings.Contains(ack, want) {
			t.Errorf("the answer lacks %q:\n%s", want, ack)
		}
	}
	id := acks[0].TicketID.Int64
	msgs, err := h.db.Messages(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var in *store.Message
	for i := range msgs {
		if msgs[i].Direction == store.DirIn {
			in = &msgs[i]
		}
	}
	if in == nil || !strings.Contains(string(in.BodyText), "Отчёт не загружается, ошибка 403.") {
		t.Fatalf("stored %+v: want the decoded text", msgs)
	}
	r, err := h.db.RawMessage(context.Background(), in.RawID.Int64)
	if err != nil {
		t.Fatal(err)
	}
	again := h.ingestFetched(mailin.Fetched{Raw: r.Data, Size: r.Size, Truncated: true})
	if !again.Duplicate {
		t.Errorf("the same oversized message again: %+v, want a duplicate", again)
	}
}
