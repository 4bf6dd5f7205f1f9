package mailmsg

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// eml joins lines with CRLF.
func eml(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n"))
}

func mustParse(t *testing.T, raw []byte, opts Options) *Message {
	t.Helper()
	m, err := Parse(raw, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if m == nil {
		t.Fatal("Parse returned nil message and nil error")
	}
	return m
}

func hasProblem(m *Message, sub string) bool {
	for _, p := range m.Problems {
		if strings.Contains(p, sub) {
			return true
		}
	}
	return false
}

func wantProblem(t *testing.T, m *Message, sub string) {
	t.Helper()
	if !hasProblem(m, sub) {
		t.Errorf("no problem mentioning %q in %q", sub, m.Problems)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		opts Options
		want error
	}{
		{"empty input", nil, Options{}, ErrNoHeader},
		{"only blank lines", []byte("\r\n\r\n"), Options{}, ErrNoHeader},
		{"plain text without header", []byte("hello world\nthis is not mail\n"), Options{}, ErrNoHeader},
		{"binary junk", []byte{0, 1, 2, 0xff, 0xfe, '\n', 0}, Options{}, ErrNoHeader},
		{"1 MB header line", append([]byte("Subject: "), bytes.Repeat([]byte("a"), 1<<20)...), Options{}, ErrHeaderTooLarge},
		{"header over a small limit", eml("From: a@b.c", "Subject: "+strings.Repeat("x", 200), "", "body"), Options{MaxHeaderBytes: 100}, ErrHeaderTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.raw, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if m != nil {
				t.Errorf("message returned with error")
			}
		})
	}
}

func TestLongButAllowedHeaderLine(t *testing.T) {
	long := strings.Repeat("слово ", 20000) // ~240 KB, under the 256 KiB default
	m := mustParse(t, eml("From: a@b.c", "Subject: "+long, "", "body"), Options{})
	if !strings.HasPrefix(m.Subject, "слово слово") || strings.HasSuffix(m.Subject, " ") {
		t.Errorf("subject not kept: %q...", m.Subject[:40])
	}
}

func TestHeaderWithoutBody(t *testing.T) {
	m := mustParse(t, []byte("From: a@b.c\r\nSubject: hi"), Options{})
	if m.Subject != "hi" || m.Text != "" {
		t.Errorf("subject %q text %q", m.Subject, m.Text)
	}
}

func TestNoBlankLineBeforeBody(t *testing.T) {
	m := mustParse(t, eml("From: a@b.c", "Subject: hi", "Hello there,", "how are you", ""), Options{})
	if !strings.Contains(m.Text, "Hello there,") {
		t.Errorf("text = %q", m.Text)
	}
	wantProblem(t, m, "no blank line")
}

func TestMboxFromLineSkipped(t *testing.T) {
	m := mustParse(t, eml("From a@b.c Mon Mar  3 10:00:00 2025", "From: a@b.c", "Subject: hi", "", "x"), Options{})
	if m.From == nil || m.From.Email != "a@b.c" || m.Subject != "hi" {
		t.Errorf("from %+v subject %q", m.From, m.Subject)
	}
}

func TestNoFrom(t *testing.T) {
	m := mustParse(t, eml("To: support@otvet.example", "Subject: hi", "", "body"), Options{})
	if m.From != nil || m.FromRaw != "" {
		t.Errorf("From = %+v, FromRaw %q", m.From, m.FromRaw)
	}
	wantProblem(t, m, "no From header")
}

func TestUnparseableFrom(t *testing.T) {
	tests := []struct {
		name, from, wantEmail, wantName string
	}{
		{"missing closing bracket", "Иван <ivan@X.RU", "ivan@x.ru", "Иван"},
		{"unquoted dot in name", "Ivan I. Petrov, Jr <ivan@x.ru>", "ivan@x.ru", ""},
		{"address then junk", "ivan@x.ru (Иван", "ivan@x.ru", "Иван"},
		{"no address at all", "Иван Петров", "", ""},
		{"empty", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, eml("From: "+tc.from, "Subject: x", "", "body"), Options{})
			if m.FromRaw != tc.from {
				t.Errorf("FromRaw = %q", m.FromRaw)
			}
			if tc.wantEmail == "" {
				if m.From != nil {
					t.Errorf("From = %+v, want nil", m.From)
				}
				wantProblem(t, m, "unparseable From")
				return
			}
			if m.From == nil {
				t.Fatalf("From = nil, want %s", tc.wantEmail)
			}
			if m.From.Email != tc.wantEmail || (tc.wantName != "" && m.From.Name != tc.wantName) {
				t.Errorf("From = %+v", *m.From)
			}
		})
	}
}

func TestSalvagedFromIsNoted(t *testing.T) {
	m := mustParse(t, eml("From: Иван <ivan@x.ru", "", "x"), Options{})
	wantProblem(t, m, "address salvaged as ivan@x.ru")
}

func TestBrokenBoundary(t *testing.T) {
	t.Run("missing closing boundary", func(t *testing.T) {
		m := mustParse(t, eml("From: a@b.c", "Content-Type: multipart/mixed; boundary=XYZ", "",
			"--XYZ", "Content-Type: text/plain", "", "first part", "--XYZ",
			"Content-Type: application/pdf; name=a.pdf", "", "%PDF-1.4 truncated"), Options{})
		if m.Text != "first part" {
			t.Errorf("text = %q", m.Text)
		}
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "a.pdf" {
			t.Errorf("attachments = %+v", m.Attachments)
		}
		wantProblem(t, m, "missing closing boundary")
	})
	t.Run("boundary never found", func(t *testing.T) {
		m := mustParse(t, eml("From: a@b.c", `Content-Type: multipart/alternative; boundary="nope"`, "",
			"--other", "Content-Type: text/plain", "", "hello", "--other--"), Options{})
		if !strings.Contains(m.Text, "hello") {
			t.Errorf("text = %q", m.Text)
		}
		wantProblem(t, m, "never found")
	})
	t.Run("no boundary parameter", func(t *testing.T) {
		m := mustParse(t, eml("From: a@b.c", "Content-Type: multipart/mixed", "", "just text"), Options{})
		if m.Text != "just text" {
			t.Errorf("text = %q", m.Text)
		}
		wantProblem(t, m, "has no boundary")
	})
	t.Run("longer boundary is not ours", func(t *testing.T) {
		m := mustParse(t, eml("From: a@b.c", `Content-Type: multipart/mixed; boundary="b"`, "",
			"--b", `Content-Type: multipart/alternative; boundary="b2"`, "",
			"--b2", "Content-Type: text/plain", "", "plain", "--b2", "Content-Type: text/html", "", "<p>html</p>", "--b2--",
			"--b--"), Options{})
		if m.Text != "plain" || m.HTML != "<p>html</p>" || len(m.Problems) > 0 {
			t.Errorf("text %q html %q problems %q", m.Text, m.HTML, m.Problems)
		}
	})
	t.Run("LF line ends", func(t *testing.T) {
		raw := "From: a@b.c\nContent-Type: multipart/mixed; boundary=q\n\n--q\n\nheaderless part\n--q--\n"
		m := mustParse(t, []byte(raw), Options{})
		if m.Text != "headerless part" || len(m.Problems) > 0 {
			t.Errorf("text %q problems %q", m.Text, m.Problems)
		}
	})
}

func TestUnknownCharsetInMessage(t *testing.T) {
	body := encode(t, csKOI8R, "Добрый день, не работает интернет в кабинете директора.")
	raw := append(eml("From: a@b.c", "Content-Type: text/plain; charset=x-unknown-ru", "Content-Transfer-Encoding: 8bit", "", ""), body...)
	m := mustParse(t, raw, Options{})
	if m.Text != "Добрый день, не работает интернет в кабинете директора." {
		t.Errorf("text = %q", m.Text)
	}
	wantProblem(t, m, `unknown charset "x-unknown-ru" in the body; decoded as koi8-r by detection`)
}

func TestWrongCharsetInMessage(t *testing.T) {
	body := encode(t, csCP1251, "Здравствуйте! Прошу установить антивирус на новый компьютер.")
	raw := append(eml("From: a@b.c", "Content-Type: multipart/mixed; boundary=B", "", "--B",
		"Content-Type: text/plain; charset=koi8-r", "", ""), body...)
	raw = append(raw, "\r\n--B--\r\n"...)
	m := mustParse(t, raw, Options{})
	if m.Text != "Здравствуйте! Прошу установить антивирус на новый компьютер." {
		t.Errorf("text = %q", m.Text)
	}
	wantProblem(t, m, "part 1 declared koi8-r but looks like windows-1251")
}

func TestUnlabelled8bitBody(t *testing.T) {
	body := encode(t, csCP866, "Не печатает принтер, бумага застряла.")
	raw := append(eml("From: a@b.c", "", ""), body...)
	m := mustParse(t, raw, Options{})
	if m.Text != "Не печатает принтер, бумага застряла." {
		t.Errorf("text = %q", m.Text)
	}
	wantProblem(t, m, "decoded as ibm866 by detection")
}

func TestRaw8bitHeaders(t *testing.T) {
	subj := "Не работает почта у бухгалтера"
	t.Run("detected without any charset", func(t *testing.T) {
		raw := append(eml("From: a@b.c", "Subject: "), encode(t, csKOI8R, subj)...)
		raw = append(raw, "\r\n\r\nbody"...)
		m := mustParse(t, raw, Options{})
		if m.Subject != subj {
			t.Errorf("subject = %q", m.Subject)
		}
	})
	t.Run("from the message charset", func(t *testing.T) {
		raw := append([]byte("From: "), encode(t, csCP1251, "Иван Петров")...)
		raw = append(raw, " <ivan@x.ru>\r\nContent-Type: text/plain; charset=windows-1251\r\nSubject: "...)
		raw = append(raw, encode(t, csCP1251, subj)...)
		raw = append(raw, "\r\n\r\nbody"...)
		m := mustParse(t, raw, Options{})
		if m.Subject != subj || m.From == nil || m.From.Name != "Иван Петров" {
			t.Errorf("subject %q from %+v", m.Subject, m.From)
		}
	})
	t.Run("raw utf-8 (RFC 6532)", func(t *testing.T) {
		m := mustParse(t, eml("From: Иван <иван@почта.рф>", "Subject: "+subj, "", "x"), Options{})
		if m.Subject != subj || m.From == nil || m.From.Email != "иван@почта.рф" {
			t.Errorf("subject %q from %+v", m.Subject, m.From)
		}
	})
}

func TestNULBytes(t *testing.T) {
	m := mustParse(t, eml("From: a@b.c", "Subject: a\x00b", "", "hel\x00lo\x00"), Options{})
	if m.Text != "hello" || m.Subject != "a b" {
		t.Errorf("text %q subject %q", m.Text, m.Subject)
	}
	wantProblem(t, m, "2 NUL bytes removed from the body")
}

func TestDeepNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	const depth = 1000
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n", depth)
	for i := depth; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	m := mustParse(t, []byte(b.String()), Options{})
	wantProblem(t, m, "MIME nesting deeper than 20 levels")
	if len(m.Attachments) != 1 || m.Attachments[0].DropReason != DropTooDeep {
		t.Errorf("attachments = %+v", m.Attachments)
	}
	if m.Text != "" {
		t.Errorf("text from below the limit: %q", m.Text)
	}
}

func TestMaxParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "--B\r\nContent-Type: application/octet-stream; name=f%d.bin\r\n\r\ndata%d\r\n", i, i)
	}
	b.WriteString("--B--\r\n")
	m := mustParse(t, []byte(b.String()), Options{MaxParts: 10})
	if len(m.Attachments) != 9 { // the top-level multipart counts as a part
		t.Errorf("%d attachments", len(m.Attachments))
	}
	wantProblem(t, m, "more than 10 MIME parts")
}

func TestSubjectInjection(t *testing.T) {
	tests := []struct{ name, header, want string }{
		{"encoded CRLF", "Subject: =?utf-8?b?SGVsbG8NCkJjYzogeEB5?=", "Hello Bcc: x@y"},
		{"encoded LF in Q", "Subject: =?utf-8?q?Hi=0ABcc:_x@y?=", "Hi Bcc: x@y"},
		{"raw fold", "Subject: Hello\r\n Bcc: x@y", "Hello Bcc: x@y"},
		{"raw tab fold", "Subject: Hello\r\n\tworld", "Hello world"},
		{"NUL and controls", "Subject: a\x00\x07b\x1b[31m", "a b [31m"},
		{"unicode line separator", "Subject: =?utf-8?b?YeKAqGI=?=", "a b"},
		{"bare CR", "Subject: a\rBcc: x@y", "a Bcc: x@y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, eml("From: a@b.c", tc.header, "", "body"), Options{})
			if m.Subject != tc.want {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.want)
			}
			if strings.ContainsAny(m.Subject, "\r\n\x00") {
				t.Errorf("Subject has CR/LF/NUL: %q", m.Subject)
			}
			if h := m.Header("Subject"); strings.ContainsAny(h, "\r\n") {
				t.Errorf("Header(Subject) has CR/LF: %q", h)
			}
		})
	}
}

func TestTransferEncodings(t *testing.T) {
	tests := []struct {
		name, cte, body, want, problem string
	}{
		{"base64", "base64", "0J/RgNC40LLQtdGC", "Привет", ""},
		{"base64 no padding", "base64", "0J/RgNC40LLQtdGCIQ", "Привет!", ""},
		{"base64 garbage line", "base64", "0J/RgNC4\r\n-- \r\nlist footer!\r\n0LLQtdGC", "Привет", "invalid bytes"},
		{"base64 stray chars", "base64", "0J/R*gNC40LLQtdGC", "Привет", "invalid bytes"},
		{"base64 concatenated blocks", "base64", "YQ==Yg==", "ab", ""},
		{"quoted-printable", "quoted-printable", "=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82 =\r\n=D0=BC=D0=B8=D1=80", "Привет мир", ""},
		{"quoted-printable lower hex", "quoted-printable", "=d0=9f=d1=80", "Пр", ""},
		{"quoted-printable broken", "quoted-printable", "100=% sure =ZZ=", "100=% sure =ZZ", "invalid bytes"},
		{"quoted-printable soft break with space", "quoted-printable", "a= \r\nb", "ab", ""},
		{"7bit", "7bit", "plain", "plain", ""},
		{"binary", "binary", "Привет", "Привет", ""},
		{"uppercase name", "BASE64", "YWJj", "abc", ""},
		{"unknown", "x-uuencode", "as is", "as is", "unknown Content-Transfer-Encoding"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, eml("From: a@b.c", "Content-Type: text/plain; charset=utf-8",
				"Content-Transfer-Encoding: "+tc.cte, "", tc.body), Options{})
			if m.Text != tc.want {
				t.Errorf("Text = %q, want %q", m.Text, tc.want)
			}
			if tc.problem != "" {
				wantProblem(t, m, tc.problem)
			} else if len(m.Problems) > 0 {
				t.Errorf("problems %q", m.Problems)
			}
		})
	}
}

func TestUndecodableAttachment(t *testing.T) {
	m := mustParse(t, eml("From: a@b.c", "Content-Type: multipart/mixed; boundary=B", "", "--B",
		"Content-Type: image/png; name=x.png", "Content-Transfer-Encoding: base64", "",
		"!!!! ???? ****", "--B--"), Options{})
	if len(m.Attachments) != 1 || m.Attachments[0].DropReason != DropUndecodable || m.Attachments[0].Data != nil {
		t.Errorf("attachments = %+v", m.Attachments)
	}
}

func TestAttachmentLimits(t *testing.T) {
	part := func(name string, n int) string {
		return "--B\r\nContent-Type: application/octet-stream; name=" + name + "\r\n\r\n" + strings.Repeat("x", n) + "\r\n"
	}
	raw := "From: a@b.c\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		part("big.bin", 2000) + part("a.bin", 600) + part("b.bin", 600) + part("c.bin", 100) + "--B--\r\n"
	m := mustParse(t, []byte(raw), Options{MaxAttachmentBytes: 1000, MaxTotalAttachmentBytes: 1000})
	want := []struct {
		name   string
		reason string
		size   int64
	}{{"big.bin", DropTooLarge, 2000}, {"a.bin", "", 600}, {"b.bin", DropTotalTooLarge, 600}, {"c.bin", "", 100}}
	if len(m.Attachments) != len(want) {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	for i, w := range want {
		a := m.Attachments[i]
		if a.Filename != w.name || a.DropReason != w.reason || a.Size != w.size || a.Dropped != (w.reason != "") || (a.Data == nil) != a.Dropped {
			t.Errorf("attachment %d = %+v (data %d bytes)", i, a, len(a.Data))
		}
	}
}

func TestTextTruncated(t *testing.T) {
	m := mustParse(t, eml("From: a@b.c", "", strings.Repeat("я", 1000)), Options{MaxTextBytes: 101})
	if len(m.Text) != 100 || !strings.HasPrefix(m.Text, "яя") {
		t.Errorf("len(Text) = %d", len(m.Text))
	}
	wantProblem(t, m, "truncated to 101 bytes")
}

// TestLargeMessage parses a generated 50 MB message: the 37 MB attachment
// is dropped without its data being kept, and parsing allocates far less
// than the message size.
func TestLargeMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB message")
	}
	var b bytes.Buffer
	b.WriteString("From: a@b.c\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n")
	b.WriteString("--B\r\nContent-Type: application/octet-stream; name=dump.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUJD", 19) + "\r\n" // 76 chars
	for b.Len() < 50<<20 {
		b.WriteString(line)
	}
	b.WriteString("--B--\r\n")
	raw := b.Bytes()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := mustParse(t, raw, Options{})
	runtime.ReadMemStats(&after)

	if m.Text != "see attached" || len(m.Attachments) != 1 {
		t.Fatalf("text %q attachments %d", m.Text, len(m.Attachments))
	}
	a := m.Attachments[0]
	if !a.Dropped || a.DropReason != DropTooLarge || a.Data != nil || a.Size < 36<<20 {
		t.Errorf("attachment = %s %v %q size %d data %d", a.Filename, a.Dropped, a.DropReason, a.Size, len(a.Data))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("Parse allocated %d bytes for a %d byte message", alloc, len(raw))
	}
}

// TestPanicBecomesError proves that a panic inside the parser is recovered
// and returned as ErrInternal (the hook stands in for a parser bug).
func TestPanicBecomesError(t *testing.T) {
	m, err := Parse(eml("From: a@b.c", "", "x"), Options{panicHook: func() { panic("boom") }})
	if !errors.Is(err, ErrInternal) || m != nil {
		t.Fatalf("m = %v, err = %v", m, err)
	}
	if !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v", err)
	}
}

// The commonest mislabelling — KOI8-R and windows-1251 swapped — in subjects
// as short as users write them: swapped text still reads as Cyrillic letters
// with their case flipped, so the label must lose to a clearly better reading.
func TestSwappedLabelOnShortText(t *testing.T) {
	for _, s := range []string{"Не работает принтер", "Ошибка входа", "Не открывается журнал", "Пароль", "ЕИС не работает",
		"Вопрос по МИС", "Спасибо", "Как сбросить пароль?", "Отчёт за май", "Прошу помочь", "Здравствуйте"} {
		for _, c := range [][2]string{{csCP1251, csKOI8R}, {csKOI8R, csCP1251}} {
			b := encode(t, c[0], s)
			raw := append(eml("From: a@b.c", "Subject: x", "Content-Type: text/plain; charset="+c[1], "", ""), b...)
			if m := mustParse(t, raw, Options{}); m.Text != s {
				t.Errorf("%s labelled %s: body %q", c[0], c[1], m.Text)
			}
			subj := "=?" + c[1] + "?B?" + base64.StdEncoding.EncodeToString(b) + "?="
			if m := mustParse(t, eml("From: a@b.c", "Subject: "+subj, "", "x"), Options{}); m.Subject != s {
				t.Errorf("%s labelled %s: subject %q", c[0], c[1], m.Subject)
			}
		}
	}
}
