package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
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
	f.Add([]byte(dictMark+"\x01"), []byte("Date: Mon, 01 Jan 2026 09:00:00 +0300\r\nTo: a@x\r\n"))
	packMail, packAgainst := new(DB).packMail, new(DB).PackAgainstText
	f.Fuzz(func(t *testing.T, a, b []byte) {
		_, _ = unpack(append(append([]byte{}, a...), b...))
		if bytes.Contains(a, []byte{0}) || bytes.Contains(b, []byte{0}) {
			return // composed mail holds no NUL
		}
		want := append(append([]byte{}, a...), b...)
		// a packed against b as its text and raw message, as a row reads it
		packed, _ := packAgainst(a, string(b), b)
		against := append(append(append(append([]byte{}, packed...), fmt.Sprintf("%d:", len(b))...), b...), b...)
		for _, stored := range [][]byte{
			append(append([]byte{}, pack(a)...), pack(b)...),
			append(append([]byte{}, packMail(a)...), packMail(b)...),
			append(append([]byte{}, packMail(a)...), pack(b)...),
		} {
			got, err := unpack(stored)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("round trip: %v", err)
			}
		}
		if bytes.HasPrefix(against, []byte(textMark)) { // else a stands alone, b after it
			if got, err := unpack(against); err != nil || !bytes.Equal(got, a) {
				t.Fatalf("round trip against a text: %v", err)
			}
		}
	})
}

// TestPackMail: outgoing mail is packed against the mail dictionary — a
// head as much as a body — and read back byte for byte, alone or joined
// with parts packed otherwise; what is small or holds a NUL is not.
func TestPackMail(t *testing.T) {
	db := new(DB)
	head := []byte("Date: Wed, 02 Dec 2026 14:53:45 +0000\r\n" +
		"From: =?utf-8?b?0KHQu9GD0LbQsdCwINGC0LXRhdC90LjRh9C10YHQutC+0Lkg0L8=?=\r\n =?utf-8?b?0L7QtNC00LXRgNC20LrQuA==?= <sd@kgo66.ru>\r\n" +
		"To: =?utf-8?b?0JDQs9C10L3RgiAx?= <agent1@kgo66.ru>\r\nMessage-ID: <7ubz5flojk3iqykxyrdlegof6y@kgo66.ru>\r\n" +
		"Subject: =?utf-8?b?WyMxXSDQndC+0LLQvtC1INC+0LHRgNCw0YnQtdC90LjQtTog0J0=?=\r\n" +
		"Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\nX-Otvet-Loop: sd-kgo66-ru\r\nX-Otvet-Ticket: 1\r\n")
	text := "Здравствуйте!\r\n\r\nВаше обращение зарегистрировано под номером #17 («Не печатает принтер»).\r\n"
	body := []byte("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	body = encodeBlock(body, []byte(strings.Repeat(text, 3)), 76)
	for _, c := range []struct {
		name   string
		stored []byte
		want   []byte
	}{
		{"head", db.packMail(head), head},
		{"whole", db.packMail(append(append([]byte{}, head...), body...)), append(append([]byte{}, head...), body...)},
		{"head and body", append(db.packMail(head), db.packMail(body)...), append(append([]byte{}, head...), body...)},
		{"plain head, body", append(append([]byte{}, head[:100]...), db.packMail(body)...), append(append([]byte{}, head[:100]...), body...)},
		{"small stays plain", db.packMail(head[:100]), head[:100]},
		{"with a NUL", db.packMail(append([]byte("\x00"), head...)), append([]byte("\x00"), head...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := unpack(c.stored)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("unpack = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if p := db.packMail(head); !bytes.HasPrefix(p, []byte(dictMark)) || len(p)*2 > len(head) {
		t.Errorf("a head of %d bytes packed into %d: %.40q", len(head), len(p), p)
	}
	if _, err := unpack([]byte(dictMark + "\x09rest")); err == nil {
		t.Error("a part packed against an unknown dictionary was read")
	}
}

// TestPackAgainstText: a body packed against a message's text and raw
// message reads back when they follow it as outRawCol appends them,
// packed or not, and refuses others or none; a file as its raw message
// has it costs next to nothing.
func TestPackAgainstText(t *testing.T) {
	db := new(DB)
	text := strings.Repeat("Не работает электронная почта в кабинете 12, письма не уходят. ", 40)
	file, x := make([]byte, 4000), uint32(1)
	for i := range file {
		x = x*1664525 + 1013904223
		file[i] = byte(x >> 24) // a PNG's bytes do not compress
	}
	raw := []byte("From: a@b.ru\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	raw = encodeBlock(raw, file, 76)
	body := []byte("MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	body = encodeBlock(body, []byte(text), 76)
	body = append(body, "--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"...)
	body = encodeBlock(body, file, 76)
	after := func(text, raw []byte) []byte {
		return append(append([]byte(fmt.Sprintf("%d:", len(text))), text...), raw...)
	}
	packedText, _ := db.packText(Text(text), DirIn).([]byte)
	packedRaw := db.PackRaw(raw)
	withRaw, against := db.PackAgainstText(body, text, raw)
	if !against || len(withRaw)*20 > len(body) {
		t.Fatalf("packed %d bytes against text and raw into %d (against %v)", len(body), len(withRaw), against)
	}
	textOnly, against := db.PackAgainstText(body, text, nil)
	if !against || len(textOnly) < len(withRaw)+len(file)/2 {
		t.Fatalf("packed %d bytes against the text alone into %d (against %v)", len(body), len(textOnly), against)
	}
	for _, c := range []struct {
		name   string
		stored []byte
		then   []byte
		ok     bool
	}{
		{"text and raw as they are", withRaw, after([]byte(text), raw), true},
		{"text and raw packed", withRaw, after(packedText, packedRaw), true},
		{"text only, raw appended", textOnly, after([]byte(text), raw), true},
		{"text only, no raw", textOnly, after([]byte(text), nil), true},
		{"another text", withRaw, after([]byte(text[:len(text)-2]+"!"), raw), false},
		{"another raw", withRaw, after([]byte(text), raw[1:]), false},
		{"no raw", withRaw, after([]byte(text), nil), false},
		{"nothing", withRaw, nil, false},
		{"a length past the end", withRaw, []byte("99999:abc"), false},
	} {
		got, err := unpack(append(append([]byte("To: a@x\r\n"), c.stored...), c.then...))
		if c.ok != (err == nil) || (c.ok && !bytes.Equal(got, append([]byte("To: a@x\r\n"), body...))) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, against := db.PackAgainstText(body, "", raw); against {
		t.Error("packed against no text")
	}
}

// TestMailDictsNeverChange: rows packed against a dictionary read through
// it for as long as they are kept, so a dictionary, once shipped, is never
// changed (new wording gets a new number).
func TestMailDictsNeverChange(t *testing.T) {
	want := map[uint64]string{
		1: "9916d02fc53c668fb6ebafa71a9fa04583dd29275b7e71d1844c377bb39b307c",
		2: "468eea32d248cbc6a616ad2d360f60b62ad5982e616e890bf0e6ee9d0f23e962",
	}
	for n, d := range mailDicts {
		if got := fmt.Sprintf("%x", sha256.Sum256(d)); got != want[n] {
			t.Errorf("mail dictionary %d: sha256 %s, want %s", n, got, want[n])
		}
		if len(d) > 32<<10 {
			t.Errorf("mail dictionary %d: %d bytes, more than deflate's window", n, len(d))
		}
	}
	if mailDicts[mailDictNow] == nil || mailDicts[headDictNow] == nil || len(want) != len(mailDicts) {
		t.Error("a dictionary in use is missing, or one is not checked")
	}
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
	db := new(DB)
	for _, c := range []struct {
		name string
		pack func([]byte) []byte
	}{
		{"mail", db.packMail},
		{"against-text", func(b []byte) []byte { p, _ := db.PackAgainstText(b, text.String(), nil); return p }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			var n int
			for b.Loop() {
				n = len(c.pack(raw))
			}
			b.ReportMetric(float64(n), "stored-bytes")
			b.ReportMetric(float64(len(raw)), "bytes")
		})
	}
}
