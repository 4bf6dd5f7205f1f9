package store

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestPackUnpack(t *testing.T) {
	pack := new(DB).pack
	text := []byte(strings.Repeat("0J3QvtCy0L7QtSDQvtCx0YDQsNGJ0LXQvdC40LUg\r\n", 200))
	head := []byte("To: a@x\r\nMessage-ID: <1@x>\r\n")
	tests := []struct {
		name   string
		stored []byte
		want   []byte
	}{
		{"plain old row", []byte("whole message"), []byte("whole message")},
		{"empty (purged)", []byte{}, []byte{}},
		{"small stays plain", pack(head), head},
		{"packed whole row", pack(text), text},
		{"plain head, packed body", append(pack(head), pack(text)...), append(append([]byte{}, head...), text...)},
		{"packed head, packed body", append(pack(text), pack(text)...), append(append([]byte{}, text...), text...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := unpack(tt.stored)
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("unpack = %d bytes, %v; want %d bytes", len(got), err, len(tt.want))
			}
		})
	}
	if p := pack(text); len(p)*3 > len(text) || !bytes.HasPrefix(p, []byte(base64Mark)) {
		t.Errorf("packed %d bytes into %d", len(text), len(p))
	}
	if _, err := unpack([]byte("head" + packedMark + "not deflate")); err == nil {
		t.Error("a damaged packed part was read without error")
	}
	var m MessageBytes
	buf := pack(text)
	if err := m.Scan(buf); err != nil || !bytes.Equal(m, text) {
		t.Fatalf("Scan: %v", err)
	}
	if err := m.Scan(string(head)); err != nil || !bytes.Equal(m, head) {
		t.Fatalf("Scan string: %v", err)
	}
	if err := m.Scan(nil); err != nil || m != nil {
		t.Fatalf("Scan nil: %v", err)
	}
}

// TestPackBase64Blocks: base64 blocks are stored as their bytes and come
// back byte for byte; what only looks like one is kept as it is.
func TestPackBase64Blocks(t *testing.T) {
	pack := new(DB).pack
	data := []byte(strings.Repeat("Принтер не печатает, мигает лампочка. ", 120))
	b76 := encodeBlock(nil, data, 76)
	odd := encodeBlock(nil, data[:len(data)-1], 76) // padding on the last line
	for _, c := range []struct {
		name   string
		msg    string
		blocks bool
	}{
		{"one part", "Content-Transfer-Encoding: base64\r\n\r\n" + string(b76) + "--b--\r\n", true},
		{"two parts, padded", "A: b\r\n\r\n" + string(odd) + "\r\n--b\r\n\r\n" + string(b76) + "--b--\r\n", true},
		{"lines of 72", string(encodeBlock(nil, data, 72)), true},
		{"no CRLF", strings.ReplaceAll(string(b76), "\r\n", "\n") + strings.Repeat("x", 2000), false},
		{"non-canonical padding bits", "QR==\r\nQR==\r\n" + strings.Repeat("текст ", 300), false},
		{"a longer line in the middle", string(b76[:78]) + "QUFBQUFB" + string(b76[78:]), true},
		{"width not a multiple of 4", strings.Repeat("QUFBQUF\r\n", 300), false},
		{"plain text", strings.Repeat("Добрый день! Не работает почта.\r\n", 100), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := pack([]byte(c.msg))
			if got := bytes.HasPrefix(p, []byte(base64Mark)); got != c.blocks {
				t.Errorf("stored with its base64 decoded: %v, want %v", got, c.blocks)
			}
			got, err := unpack(p)
			if err != nil || string(got) != c.msg {
				t.Fatalf("round trip: %v (%d bytes, want %d)", err, len(got), len(c.msg))
			}
		})
	}
	if p, q := pack(b76), pack(data); len(p) > len(q)+64 {
		t.Errorf("a base64 block packs into %d bytes, its bytes alone into %d", len(p), len(q))
	}
	if _, err := unpack([]byte(base64Mark)); err == nil {
		t.Error("an empty packed part was read without error")
	}
}

// FuzzUnpack: stored bytes of any shape are read or refused, never a panic,
// and packing then unpacking gives the bytes back.
func FuzzUnpack(f *testing.F) {
	pack := new(DB).pack
	f.Add([]byte("plain"), []byte("body"))
	f.Add(pack([]byte(strings.Repeat("x", 3000))), []byte(packedMark))
	f.Add([]byte(strings.Repeat("QUFB\r\n", 300)), []byte(strings.Repeat("QUE=\r\nQQ==\r\n", 300)))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		_, _ = unpack(append(append([]byte{}, a...), b...))
		if bytes.Contains(a, []byte{0}) || bytes.Contains(b, []byte{0}) {
			return // composed mail holds no NUL
		}
		stored := append(append([]byte{}, pack(a)...), pack(b)...)
		got, err := unpack(stored)
		if err != nil || !bytes.Equal(got, append(append([]byte{}, a...), b...)) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// BenchmarkPack packs a notification's body as composed: a 6 KB Russian
// text, base64-encoded, as plain text and again in HTML (≈ 27 KB).
func BenchmarkPack(b *testing.B) {
	words := strings.Fields("Не открывается электронный журнал после обновления пишет Ошибка 500 пробовали другой браузер и очистить кэш не помогло прошу разобраться как можно скорее сроки сдачи отчётности подходят к концу")
	var text strings.Builder
	for i := 0; text.Len() < 6000; i++ {
		text.WriteString(words[(i*7+i/5)%len(words)])
		text.WriteByte(' ')
	}
	enc := base64.StdEncoding.EncodeToString([]byte(text.String()))
	var body strings.Builder
	for range 2 {
		for i := 0; i < len(enc); i += 76 {
			body.WriteString(enc[i:min(i+76, len(enc))] + "\r\n")
		}
	}
	raw := []byte(body.String())
	pack := new(DB).pack
	b.SetBytes(int64(len(raw)))
	var n int
	for b.Loop() {
		n = len(pack(raw))
	}
	b.ReportMetric(float64(n), "stored-bytes")
	b.ReportMetric(float64(len(raw)), "bytes")
}
