package helpdesk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// contentKey hashes the body with CRLF as LF without copying it: the same
// key as hashing bytes.ReplaceAll of the body.
func TestContentKeyBodyNormalisedInPlace(t *testing.T) {
	for _, body := range []string{"", "a", "a\r\nb", "a\r\n\r\nb\r\n", "\r\r\n\n", "x\r", "\r\n", "line\nonly\nLF\r\n"} {
		raw := []byte("Subject: s\r\nX-Trace: 1\r\n\r\n" + body)
		h := sha256.New()
		h.Write([]byte("subject:s\n"))
		h.Write([]byte{'\n'})
		h.Write(bytes.ReplaceAll([]byte(body), []byte("\r\n"), []byte("\n")))
		if got, want := contentKey(raw), hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("body %q: key %s, want %s", body, got, want)
		}
	}
}
