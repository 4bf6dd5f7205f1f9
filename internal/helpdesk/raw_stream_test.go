package helpdesk

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// contentKeyFrom reads a message in pieces and gets contentKey's key,
// wherever the pieces end (a CR at the end of one, a CRLF across two).
func TestContentKeyFromIsContentKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, 200<<10)
	for i := range big {
		big[i] = "ab\r\n\r\n \t"[r.IntN(8)]
	}
	cases := []string{
		"", "\r\n", "\n", "Subject: s", "Subject: s\r\n", "Subject: s\r\n\r\n", "Subject: s\n\nbody\r\n",
		"Subject: s\r\nX-Trace: 1\r\nReceived: a\r\n b\r\n\r\nline\r\nline\r\r\n\r", " folded first\r\nA: b\r\n\r\nx",
		"A: b\r\nno colon line\r\n\tcont\r\n\r\n\r\n\r\n", "A: b\r\n\r\n" + string(big), string(big),
	}
	for _, raw := range cases {
		want := contentKey([]byte(raw))
		for name, rd := range map[string]io.Reader{
			"whole":    bytes.NewReader([]byte(raw)),
			"one byte": iotest.OneByteReader(bytes.NewReader([]byte(raw))),
			"halves":   iotest.HalfReader(bytes.NewReader([]byte(raw))),
		} {
			got, err := contentKeyFrom(rd)
			if err != nil || got != want {
				t.Errorf("%.30q read %s: %s, %v; want %s", raw, name, got, err, want)
			}
		}
	}
}

func FuzzContentKeyFrom(f *testing.F) {
	f.Add([]byte("Subject: s\r\nX-Trace: 1\r\n\r\nline\r\nline\r\r\n\r"))
	f.Add([]byte("A: b\n \tc\nReceived: x\n\nbody\r"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := contentKey(raw)
		got, err := contentKeyFrom(iotest.HalfReader(bytes.NewReader(raw)))
		if err != nil || got != want {
			t.Fatalf("%q: %s, %v; want %s", raw, got, err, want)
		}
	})
}
