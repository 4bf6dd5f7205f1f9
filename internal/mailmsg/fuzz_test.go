package mailmsg

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func addCorpusSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(""))
	f.Add([]byte("From: a@b.c\r\nSubject: =?utf-8?b?SGVsbG8NCkJjYzogeEB5?=\r\n\r\nx"))
	f.Add([]byte("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nx\n--c--\n--b"))
	f.Add([]byte("Content-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\xd7\xc5\xd4\x00"))
}

// FuzzParse checks the contract of Parse on arbitrary input: no panic (a
// recovered one shows up as ErrInternal), an error only as a sentinel and
// never together with a message, valid UTF-8 in Text and Subject, and a
// single-line Subject.
func FuzzParse(f *testing.F) {
	addCorpusSeeds(f)
	f.Add([]byte("From: a@b.c\nContent-Type: text/html\n\n" + strings.Repeat("<ul><li>x", 300)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		opts := Options{MaxParts: 50, MaxDepth: 8, LoopHeader: "X-Otvet-Loop", MaxTextBytes: 64 << 10, MaxTotalAttachmentBytes: 1 << 20}
		var m *Message
		var err error
		n := allocated(func() { m, err = Parse(raw, opts) })
		// Generous but finite: a bomb (work growing faster than the input)
		// fails here.
		if limit := uint64(4<<20 + 32*len(raw)); n > limit {
			t.Fatalf("allocated %d bytes for %d bytes of mail (bound %d)", n, len(raw), limit)
		}
		if err != nil {
			if errors.Is(err, ErrInternal) {
				t.Fatalf("parser panicked: %v", err)
			}
			if !errors.Is(err, ErrNoHeader) && !errors.Is(err, ErrHeaderTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			if m != nil {
				t.Fatal("message returned with an error")
			}
			return
		}
		if m == nil {
			t.Fatal("nil message with nil error")
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.HTML) {
			t.Fatal("invalid UTF-8 in Text, Subject or HTML")
		}
		if strings.ContainsAny(m.Subject, "\r\n\x00") || strings.ContainsRune(m.Text, 0) {
			t.Fatalf("control characters: subject %q", m.Subject)
		}
		if m.From != nil && !utf8.ValidString(m.From.Name+m.From.Email) {
			t.Fatal("invalid UTF-8 in From")
		}
		for _, a := range m.Attachments {
			if a.Dropped != (a.Data == nil) && !(a.Size == 0 && !a.Dropped) {
				t.Fatalf("attachment %+v: Dropped and Data disagree", a)
			}
		}
		if len(m.Text) > opts.MaxTextBytes || len(m.HTML) > opts.MaxTextBytes {
			t.Fatalf("Text %d / HTML %d bytes over the budget", len(m.Text), len(m.HTML))
		}
		if len(m.Cuts) > maxCuts {
			t.Fatalf("%d cuts", len(m.Cuts))
		}
		if m.Size != len(raw) {
			t.Fatal("Size")
		}
	})
}

func FuzzHTMLToText(f *testing.F) {
	f.Add("<p>a<br>b</p><ul><li>x</li></ul><a href='u'>t</a>")
	f.Add("<head><title>x</title><body><pre>a\n b</pre><table><tr><td>1<td>2</table>")
	f.Add("<script>alert(1)</script>&amp;&#0;&#xD800;<ul><ul><li>")
	f.Add(strings.Repeat("<ul><li>x", 300))
	f.Fuzz(func(t *testing.T, s string) {
		const maxOut = 16 << 10
		var out string
		var cuts []string
		n := allocated(func() { out, cuts = htmlToText(s, maxOut) })
		if len(out) > maxOut {
			t.Fatalf("rendered %d bytes, budget %d", len(out), maxOut)
		}
		if limit := uint64(1<<20 + 64*len(s)); n > limit {
			t.Fatalf("allocated %d bytes for %d bytes of HTML (bound %d)", n, len(s), limit)
		}
		if len(cuts) > 2 {
			t.Fatalf("cuts %q", cuts)
		}
		if !utf8.ValidString(s) {
			return
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if strings.Contains(out, "\n\n\n") {
			t.Fatalf("three newlines in %q", out)
		}
	})
}

func FuzzAuthResults(f *testing.F) {
	f.Add("example.com; spf=pass smtp.mailfrom=example.net")
	f.Add(`mx (c) 1; dkim=pass (k (n)) header.d="x"; none`)
	f.Add("spf=pass;dkim=none reason=\"a\\\"b\"; ;;=;=x")
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := parseAuthResults(s)
		if !ok && (r.AuthServID != "" || len(r.Methods) > 0) {
			t.Fatal("not ok but has content")
		}
		for _, m := range r.Methods {
			if m.Method == "" {
				t.Fatal("empty method")
			}
		}
	})
}

func FuzzDecodeWords(f *testing.F) {
	f.Add("=?utf-8?B?0J/R?= =?utf-8?B?gNC4?= plain =?koi8-r?Q?=F0?=")
	f.Add("=?x?q?=ZZ?= =?=?=")
	f.Fuzz(func(t *testing.T, s string) {
		var p problems
		out := decodeWords(s, &p)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
	})
}
