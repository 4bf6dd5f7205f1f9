package mailmsg

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readerKnobs are ParseReader's thresholds, made small so that tests and
// the fuzzer reach its piecewise paths with small messages.
var readerKnobs = []struct{ inMemory, headerWindow int64 }{
	{1, 1}, {7, 3}, {40, 16}, {300, 64}, {0, 0},
}

// sameAsParse fails when ParseReader over raw, with any of the knobs, gives
// another result than Parse.
func sameAsParse(t *testing.T, raw []byte, opts Options) {
	t.Helper()
	want, wantErr := Parse(raw, opts)
	for _, k := range readerKnobs {
		o := opts
		o.inMemory, o.headerWindow = k.inMemory, k.headerWindow
		got, err := ParseReader(bytes.NewReader(raw), int64(len(raw)), o)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("knobs %v: error %v, Parse's %v", k, err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("knobs %v: ParseReader differs from Parse\n got %+v\nwant %+v", k, got, want)
		}
	}
}

func b64Lines(data []byte, width int, sep string) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > width {
		b.WriteString(enc[:width] + sep)
		enc = enc[width:]
	}
	b.WriteString(enc)
	return b.String()
}

func TestParseReaderMatchesParse(t *testing.T) {
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(i*7919 + i>>8)
	}
	att := func(cte, body string) string {
		return "From: a@b.c\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
			"--b1\r\nContent-Type: application/pdf; name=\"s.pdf\"\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n" + body + "\r\n--b1--\r\n"
	}
	cases := map[string]string{
		"base64 attachment":          att("base64", b64Lines(data, 76, "\r\n")),
		"base64 with LF only":        strings.ReplaceAll(att("base64", b64Lines(data, 76, "\n")), "\r\n", "\n"),
		"base64 on one line":         att("base64", b64Lines(data, 1<<20, "")),
		"base64 without padding":     att("base64", strings.TrimRight(b64Lines(data[:100], 76, "\r\n"), "=")),
		"base64 with a garbage line": att("base64", b64Lines(data[:500], 76, "\r\n")+"\r\n-- \r\nThanks, the list\r\n"+b64Lines(data[:10], 76, "\r\n")),
		"base64 undecodable":         att("base64", "!!!! ???? ****"),
		"base64 with bad bytes":      att("base64", "QUJD*REVG\r\nR0hJ"),
		"base64 padding inside":      att("base64", "QQ==QUJD\r\n"),
		"quoted-printable":           att("quoted-printable", strings.Repeat("caf=C3=A9 =\r\nsoft line   \r\n=ZZ bad\r\n", 50)),
		"8bit":                       att("8bit", strings.Repeat("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 binary\x00\r\n", 40)),
		"blanks after the delimiter": "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b \t \nA: b\n\nx\n--b\t\r\n\nyy\n--b--  \n",
		"longer boundary":            "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--bb\nstill one\n--b-\n--b--junk",
		"no closing delimiter":       "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\none\r\n--b\r\n\r\ntwo",
		"delimiter at the end":       "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\npreamble\n--b\n\none\n--b",
		"delimiter then CR":          "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\r",
		"boundary not at line start": "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\nx--b\n\none\n--b\n\ntwo\n--b--\n",
		"boundary never found":       "From: a@b.c\nContent-Type: multipart/mixed; boundary=zz\n\n" + strings.Repeat("text\n", 200),
		"no boundary":                "From: a@b.c\nContent-Type: multipart/mixed\n\n" + strings.Repeat("text\n", 200),
		"nested": "From: a@b.c\nContent-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/alternative; boundary=i\n\n--i\nContent-Type: text/plain\n\nplain " +
			strings.Repeat("x", 500) + "\n--i\nContent-Type: text/html\n\n<p>html</p>\n--i--\n--o\nContent-Type: message/rfc822\n\nSubject: inner\nMessage-Id: <in@x>\n\nbody\n--o--\n",
		"part without a header":  "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\r\n" + strings.Repeat("z", 300) + "\n--b\n" + strings.Repeat("no header line\n", 30) + "--b--\n",
		"part header not closed": "From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nX-A: " + strings.Repeat("y", 400) + "\nnot a field\nX-B: c\n\nbody\n--b--\n",
		"no blank line":          "From: a@b.c\nSubject: s\nthis is the body\nand more " + strings.Repeat("w", 400),
		"mbox From line":         "From sender@x Mon Jan  1 00:00:00 2024\nFrom: a@b.c\nSubject: s\n\nbody " + strings.Repeat("v", 300),
		"header only":            "From: a@b.c\nSubject: " + strings.Repeat("h", 400),
		"empty":                  "",
		"text body":              "From: a@b.c\nContent-Transfer-Encoding: quoted-printable\n\n" + strings.Repeat("=D0=9F=D1=80=D0=B8 ", 300),
		"delivery status": "From: MAILER-DAEMON@x\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\n\nfailed\n--r\n" +
			"Content-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\nFinal-Recipient: rfc822; u@x\nAction: failed\nStatus: 5.1.1\n--r\n" +
			"Content-Type: text/rfc822-headers\n\nMessage-Id: <orig@x>\nSubject: s\n--r--\n",
	}
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		cases[filepath.Base(name)] = string(b)
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			sameAsParse(t, []byte(raw), Options{})
			sameAsParse(t, []byte(raw), Options{MaxAttachmentBytes: 1000, MaxTextBytes: 100, MaxHeaderBytes: 200, MaxParts: 3})
		})
	}
}

// TestParseReaderReadError: a failure to read the message is an error of
// its own, not a parse result.
func TestParseReaderReadError(t *testing.T) {
	raw := []byte("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n" + strings.Repeat("x", 1000) + "\n--b--\n")
	for _, at := range []int64{0, 10, 60, 500, int64(len(raw)) - 3} {
		r := &failingReader{data: raw, at: at}
		m, err := ParseReader(r, int64(len(raw)), Options{inMemory: 16, headerWindow: 8})
		if err == nil || !errors.Is(err, errBroken) || m != nil {
			t.Errorf("failing at %d: %v, %v", at, m != nil, err)
		}
	}
}

var errBroken = errors.New("broken disk")

type failingReader struct {
	data []byte
	at   int64
}

func (r *failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.at {
		return 0, errBroken
	}
	return copy(p, r.data[off:]), nil
}

// FuzzParseReader: ParseReader gives Parse's result on any input.
func FuzzParseReader(f *testing.F) {
	addCorpusSeeds(f)
	f.Add([]byte("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b \n\nx\r\n--b--junk"))
	f.Add([]byte("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\nContent-Type: x/y\n\nQUJD\r\nQQ==\n--b"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sameAsParse(t, raw, Options{MaxParts: 50, MaxDepth: 8, MaxTextBytes: 4 << 10, MaxAttachmentBytes: 8 << 10, MaxHeaderBytes: 1 << 10})
	})
}

// BenchmarkParseReader: an 8 MB message with a 6 MB attachment, parsed
// in memory (Parse) and from a file (ParseReader): B/op shows the bytes
// ParseReader leaves on disk.
func BenchmarkParseReader(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	att := make([]byte, 6<<20)
	for i := range att {
		att[i] = byte(r.Uint32())
	}
	raw := []byte("From: a@b.c\r\nSubject: scan\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n" +
		benchText(1500) + "\r\n--b1\r\nContent-Type: application/pdf; name=\"s.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64Lines(att, 76, "\r\n") + "\r\n--b1--\r\n")
	path := filepath.Join(b.TempDir(), "m.eml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	opts := Options{MaxAttachmentBytes: 10 << 20}
	for name, parse := range map[string]func() (*Message, error){
		"Parse":       func() (*Message, error) { return Parse(raw, opts) },
		"ParseReader": func() (*Message, error) { return ParseReader(f, int64(len(raw)), opts) },
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			cpu0 := processCPUTime()
			for b.Loop() {
				m, err := parse()
				if err != nil || len(m.Attachments) != 1 || len(m.Attachments[0].Data) != len(att) {
					b.Fatalf("%v", err)
				}
			}
			if cpu := processCPUTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// FuzzDecodeAt: counting and decoding a body read from a file give what
// decodeTransfer gives on it in memory, whatever the encoding's damage.
func FuzzDecodeAt(f *testing.F) {
	f.Add([]byte("QUJD\r\nREVG\r\n"), uint8(0))
	f.Add([]byte("QQ==QUJD\r\n"), uint8(0))
	f.Add([]byte("QUJD*REVG\n-- \nThanks\nR0g"), uint8(0))
	f.Add([]byte("QUJ\r\nD\rREVG=\n="), uint8(0))
	f.Add([]byte("caf=C3=A9 =\r\nsoft   \r\n=ZZ"), uint8(1))
	f.Add([]byte("8bit\x00\xff\r\n"), uint8(2))
	ctes := []string{"base64", "quoted-printable", "8bit"}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		cte := ctes[int(which)%len(ctes)]
		_, wantN, wantBad := decodeTransfer(body, cte, true)
		wantData, _, _ := decodeTransfer(body, cte, false)
		if cte != "base64" && cte != "quoted-printable" {
			wantData = append([]byte(nil), wantData...)
		}
		w := &walker{}
		sec := io.NewSectionReader(bytes.NewReader(body), 0, int64(len(body)))
		n, bad := w.countAt(sec, cte)
		data := w.decodeAt(sec, cte)
		if n != wantN || bad != wantBad || !bytes.Equal(data, wantData) || (data == nil) != (wantData == nil) || w.readErr != nil {
			t.Fatalf("%s %q: %d bytes, %d bad, %q; want %d, %d, %q", cte, body, n, bad, data, wantN, wantBad, wantData)
		}
	})
}
