package store

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Packing: how a stored message part (an outgoing message's head or shared
// body, a message's text) is kept small. A part of packMin bytes or more is
// stored behind a mark, deflated, when that is smaller:
//
//   - packedMark: the part deflated as it is (rows stored before
//     base64Mark existed);
//
//   - base64Mark: the part with each of its base64 blocks (the text, HTML
//     and files of composed mail: runs of base64 lines of one length) taken
//     back to the bytes they encode, then deflated. Deflate finds little to
//     share in base64, whose characters do not line up with the bytes they
//     encode; the bytes themselves (Cyrillic text, its HTML twin) shrink
//     four to seven times. Unpacking encodes them again in lines of the same
//     length; a block that would not come back byte for byte is left as it
//     is (pack checks).
//
//   - dictMark: outgoing mail (packMail), as base64Mark but deflated against
//     a preset dictionary named by the uvarint after the mark: the words,
//     HTML and headers every acknowledgement and notification repeat, which
//     a message of a few kilobytes cannot share with itself. A head of a few
//     hundred bytes shrinks by two thirds, an acknowledgement by half.
//
//   - textMark: the shared body of a notification about a stored message
//     (PackAgainstText), as dictMark but against the mail dictionary, the
//     message's raw message (when it holds the files the body attaches) and
//     its text, which the body repeats (as text and again as HTML). After
//     the mark: the dictionary's number, flags (textWithRaw), the CRC-32 of
//     the text, of the raw message when used, and the stream's length
//     (uvarints), then the stream. Neither is stored again: reading a row
//     appends them from the message (outbox_bodies.text_of, outRawCol), so
//     the stream is always followed by them, and one that does not match
//     its CRC is an error, never other bytes.
//
// Composed mail and message text never hold a NUL byte, so a mark cannot
// occur in plain bytes; within a base64Mark, dictMark or textMark stream, NUL starts
// a block: NUL, the decoded length and the line length (uvarints), the bytes.
const (
	packedMark  = "\x00otvet:deflate\n"
	plainMark   = "\x00otvet:plain\n" // the rest is as it is (an incoming message in chunks)
	base64Mark  = "\x00otvet:deflate64\n"
	dictMark    = "\x00otvet:dict\n"
	textMark    = "\x00otvet:dicttext\n"
	packMin     = 1024
	packMailMin = 128
	markStart   = "\x00otvet:"
)

// mailDict1 is preset dictionary 1 of outgoing mail: the Russian templates'
// golden renderings of the mail sent most (an agent's reply, the request
// for identification, the agents' notification of a new request, the
// acknowledgement) as packing sees them (text and HTML with CRLF), then the
// header lines composed mail carries; the most used last, nearest to what
// is packed. headDict2 is those header lines alone, for a head: filling a
// deflater with a dictionary costs in proportion to its size, and a head
// gains nothing from the rest. Each was built once and never changes:
// every row packed against it reads through it. New wording gets a new
// dictionary under a new number, and mailDicts keeps every old one
// (TestMailDictsNeverChange).
//
//go:embed packdict/mail1.dict
var mailDict1 []byte

//go:embed packdict/heads2.dict
var headDict2 []byte

// mailDicts are the preset dictionaries by number; packMail uses
// mailDictNow, and headDictNow for a part smaller than packMin (a head).
var mailDicts = map[uint64][]byte{1: mailDict1, 2: headDict2}

const (
	mailDictNow = 1
	headDictNow = 2
)

// pack gives the stored form of a message part: deflated behind a mark
// when that is smaller, else the bytes as they are.
func (db *DB) pack(b []byte) []byte {
	if len(b) < packMin {
		return b
	}
	return db.deflate(b, false)
}

// Pack is packMail for a caller that packs outgoing mail beforehand, away
// from the database writer (Outgoing.Packed, InsertPackedBody).
func (db *DB) Pack(b []byte) []byte { return db.packMail(b) }

// deflate is pack's work; always, it packs even what does not get smaller.
func (db *DB) deflate(b []byte, always bool) []byte {
	return db.deflateWith(&db.packers, flate.BestSpeed, b, always)
}

// rawLevel is the deflate level of incoming messages (PackRaw): the
// largest rows, packed beside the database writer, where level 5 stores
// 12 % less than BestSpeed (a 12 KB message: 3.5 → 3.1 KB) for 25 µs more.
const rawLevel = 5

// deflateWith is deflate at level with writers from pool (all of that level).
func (db *DB) deflateWith(pool *sync.Pool, level int, b []byte, always bool) []byte {
	plain, blocks := b, false
	if bytes.IndexByte(b, 0) < 0 { // a NUL would start a block in the stream
		plain, blocks = unbase64(b)
	}
	var out bytes.Buffer
	out.Grow(len(plain)/3 + len(base64Mark))
	if blocks {
		out.WriteString(base64Mark)
	} else {
		out.WriteString(packedMark)
	}
	if deflateTo(pool, level, nil, &out, plain) != nil || (out.Len() >= len(b) && !always) {
		return b
	}
	return out.Bytes()
}

// deflateTo deflates plain onto dst at level against dict (nil: none),
// with a writer of pool, which holds writers of that level only, and of
// that dictionary when the pool's every use gives the same one. Writers are
// reused: a new one costs thirty times the packing of a notification.
func deflateTo(pool *sync.Pool, level int, dict []byte, dst *bytes.Buffer, plain []byte) error {
	w, _ := pool.Get().(*flate.Writer)
	switch {
	case w == nil:
		var err error
		if w, err = flate.NewWriterDict(dst, level, dict); err != nil {
			return err
		}
	case dict != nil:
		w.ResetDict(dst, dict)
	default:
		w.Reset(dst)
	}
	defer pool.Put(w)
	if _, err := w.Write(plain); err != nil {
		return err
	}
	return w.Close()
}

// mailLevel is packMail's deflate level: against the dictionary, level 5
// stores a fifth less than BestSpeed (an acknowledgement kept in the
// conversation: 269 → 214 bytes) for about 30 µs more per message, spent
// beside the database writer.
const mailLevel = 5

// packMail gives the stored form of outgoing mail (a whole message, a head
// or a shared body): deflated against the current mail dictionary behind
// dictMark when that is smaller, else the bytes as they are. Mail that holds
// a NUL byte (never composed by Otvet) is packed without the dictionary.
func (db *DB) packMail(b []byte) []byte {
	if len(b) < packMailMin {
		return b
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return db.pack(b)
	}
	dict, pool := uint64(mailDictNow), &db.mailPackers
	if len(b) < packMin {
		dict, pool = headDictNow, &db.headPackers
	}
	plain, _ := unbase64(b)
	var out bytes.Buffer
	out.Grow(len(plain)/3 + len(dictMark) + 2)
	out.WriteString(dictMark)
	out.Write(binary.AppendUvarint(nil, dict))
	if deflateTo(pool, mailLevel, mailDicts[dict], &out, plain) != nil || out.Len() >= len(b) {
		return b
	}
	return out.Bytes()
}

// PackAgainstText is packMail for the shared body of mail about a stored
// message (an agents' notification): it repeats the message's text (as
// text and again as HTML) and, when raw is given, the message's files,
// which its raw message holds already (raw: the raw message's bytes as
// stored with it, at most ChunkBytes). The body is packed against the mail
// dictionary, raw and the text, which are not stored again. against
// reports whether it was: then the body must be stored with the message's
// id in text_of (InsertPackedBody), so that reading it appends the text
// and the raw message; else the body is packMail's and stands alone.
func (db *DB) PackAgainstText(b []byte, text string, raw []byte) (stored []byte, against bool) {
	if len(b) < packMailMin || text == "" || bytes.IndexByte(b, 0) >= 0 {
		return db.packMail(b), false
	}
	var flags uint64
	if len(raw) > 0 && len(raw) <= ChunkBytes {
		flags |= textWithRaw
	} else {
		raw = nil
	}
	// A file's base64 lines as the raw message has them stay base64, so
	// that they match there; everything else is packed as packMail does.
	plain, _ := unbase64Unless(b, func(block []byte) bool {
		line := block[:bytes.IndexByte(block, '\r')]
		return raw != nil && len(line) >= 60 && bytes.Contains(raw, line)
	})
	var stream bytes.Buffer
	stream.Grow(len(plain) / 4)
	dict := textDict(mailDicts[mailDictNow], raw, []byte(text))
	if deflateTo(&db.textPackers, textLevel, dict, &stream, plain) != nil {
		return db.packMail(b), false
	}
	out := make([]byte, 0, len(textMark)+24+stream.Len())
	out = append(out, textMark...)
	out = binary.AppendUvarint(out, mailDictNow)
	out = binary.AppendUvarint(out, flags)
	out = binary.AppendUvarint(out, uint64(crc32.ChecksumIEEE([]byte(text))))
	if flags&textWithRaw != 0 {
		out = binary.AppendUvarint(out, uint64(crc32.ChecksumIEEE(raw)))
	}
	out = binary.AppendUvarint(out, uint64(stream.Len()))
	out = append(out, stream.Bytes()...)
	if len(out) >= len(b) {
		return db.packMail(b), false
	}
	return out, true
}

// textWithRaw: a textMark body was packed against its message's raw
// message as well as its text.
const textWithRaw = 1

// textLevel is PackAgainstText's deflate level: at BestSpeed the encoder
// finds few of the long matches into the text in the dictionary (a 30 KB
// notification body packed to 1.9 KB against its 12 KB text); level 2
// finds them (1.1 KB) in about the same time.
const textLevel = 2

// textDict is the preset dictionary of a body packed against a message:
// the mail dictionary, its raw message (when used), then its text, at most
// deflate's window from the end.
func textDict(mail, raw, text []byte) []byte {
	d := make([]byte, 0, len(mail)+len(raw)+len(text))
	d = append(append(append(d, mail...), raw...), text...)
	return d[max(0, len(d)-32<<10):]
}

// unText reads a textMark part (after the mark): its stream, then what it
// was packed against as outRawCol appends it — the text's stored length in
// decimal and a colon, the text as stored, the raw message as stored —
// which is the rest of b.
func unText(b []byte) ([]byte, error) {
	var head [5]uint64 // dictionary, flags, text CRC, raw CRC, stream length
	for i := range head {
		if i == 3 && head[1]&textWithRaw == 0 {
			continue
		}
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errors.New("a packed body's head is broken")
		}
		head[i], b = v, b[k:]
	}
	mail := mailDicts[head[0]]
	if mail == nil {
		return nil, errors.New("packed against an unknown dictionary")
	}
	if head[4] > uint64(len(b)) {
		return nil, errors.New("a packed body's head is broken")
	}
	stream, rest := b[:head[4]], b[head[4]:]
	colon := bytes.IndexByte(rest[:min(len(rest), 20)], ':')
	n, err := strconv.Atoi(string(rest[:max(colon, 0)]))
	if colon < 0 || err != nil || n < 0 || n > len(rest)-colon-1 {
		return nil, errors.New("the text it was packed against is missing")
	}
	text, err := unpackLeading(rest[colon+1 : colon+1+n])
	if err != nil {
		return nil, fmt.Errorf("the text it was packed against: %w", err)
	}
	if uint64(crc32.ChecksumIEEE(text)) != head[2] {
		return nil, errors.New("the text it was packed against is not the one stored with it")
	}
	var raw []byte
	if head[1]&textWithRaw != 0 {
		if raw, err = unpackLeading(rest[colon+1+n:]); err != nil {
			return nil, fmt.Errorf("the raw message it was packed against: %w", err)
		}
		if uint64(crc32.ChecksumIEEE(raw)) != head[3] {
			return nil, errors.New("the raw message it was packed against is not the one stored with it")
		}
	}
	var part bytes.Buffer
	if _, err := io.Copy(&part, flate.NewReaderDict(bytes.NewReader(stream), textDict(mail, raw, text))); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return rebase64(part.Bytes())
}

// unbase64 replaces the base64 blocks of b by their bytes (the base64Mark
// stream); blocks reports whether there was any. A block is at least two
// lines, all but the last of one length, all of the base64 alphabet, each
// ending in CRLF, and it must come back byte for byte from its bytes.
func unbase64(b []byte) (out []byte, blocks bool) {
	return unbase64Unless(b, nil)
}

// unbase64Unless is unbase64 keeping as they are the blocks keep reports
// (nil: none).
func unbase64Unless(b []byte, keep func(block []byte) bool) (out []byte, blocks bool) {
	var (
		dst  []byte
		done int // b[:done] is in dst
	)
	eachBase64Run(b, func(i, n, width int) bool {
		block := b[i : i+n]
		if keep != nil && keep(block) {
			return true
		}
		data, ok := decodeBlock(block, width)
		if !ok {
			return true
		}
		if dst == nil {
			dst = make([]byte, 0, len(b))
		}
		dst = append(dst, b[done:i]...)
		dst = append(dst, 0)
		dst = binary.AppendUvarint(dst, uint64(len(data)))
		dst = binary.AppendUvarint(dst, uint64(width))
		dst = append(dst, data...)
		done = i + n
		return true
	})
	if dst == nil {
		return b, false
	}
	return append(dst, b[done:]...), true
}

// eachBase64Run calls f with the offset, length and line width of each run
// of base64 lines in b (base64Run), in order, while f returns true.
func eachBase64Run(b []byte, f func(i, n, width int) bool) {
	for i := 0; i < len(b); {
		n, width := base64Run(b[i:])
		if n == 0 {
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				return
			}
			i += j + 1
			continue
		}
		if !f(i, n, width) {
			return
		}
		i += n
	}
}

// base64Run measures the run of base64 lines at the start of b: its length
// in bytes (0: none of two lines or more) and its lines' width.
func base64Run(b []byte) (n, width int) {
	lines := 0
	for {
		w := base64Line(b[n:])
		if w < 0 || (lines > 0 && w > width) {
			break
		}
		if lines == 0 {
			width = w
		}
		n += w + 2
		lines++
		if w < width {
			break // a shorter line ends the block
		}
	}
	if lines < 2 {
		return 0, 0
	}
	return n, width
}

// base64Chars are the characters of the base64 alphabet.
var base64Chars = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = true
	}
	return t
}()

// base64Line is the width of a base64 line at the start of b (ending in
// CRLF, padding only at its end), or -1.
func base64Line(b []byte) int {
	i := 0
	for i < len(b) && base64Chars[b[i]] {
		i++
	}
	for i < len(b) && b[i] == '=' {
		i++
	}
	if i == 0 || i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' {
		return -1
	}
	return i
}

// decodeBlock decodes a base64 block whose lines are all of width but the
// last, which is not longer. Decoded strictly (padding only at the end,
// unused bits zero), its bytes encode back to the block in lines of width:
// each group of four characters stands for its bytes alone.
func decodeBlock(block []byte, width int) ([]byte, bool) {
	if width%4 != 0 {
		return nil, false
	}
	data, err := base64.StdEncoding.Strict().AppendDecode(make([]byte, 0, len(block)*3/4), block) // skips CR and LF
	if err != nil {
		return nil, false
	}
	return data, true
}

// encodeBlock appends data base64-encoded in CRLF lines of width characters.
func encodeBlock(dst, data []byte, width int) []byte {
	per := width / 4 * 3
	for len(data) > 0 {
		n := min(per, len(data))
		dst = base64.StdEncoding.AppendEncode(dst, data[:n])
		dst = append(dst, '\r', '\n')
		data = data[n:]
	}
	return dst
}

// rebase64 is unbase64 undone.
func rebase64(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b)*4/3+len(b)/8)
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return append(out, b...), nil
		}
		out = append(out, b[:i]...)
		b = b[i+1:]
		size, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errors.New("a base64 block's length is broken")
		}
		b = b[k:]
		width, k := binary.Uvarint(b)
		if k <= 0 || width == 0 || width%4 != 0 || width > 1<<16 || size > uint64(len(b)-k) {
			return nil, errors.New("a base64 block's head is broken")
		}
		b = b[k:]
		out = encodeBlock(out, b[:size], int(width))
		b = b[size:]
	}
}

// MessageBytes are a stored message as read: the plain and packed parts
// stored (a head, a shared body, a whole old message) unpacked and joined.
// It reads the column outRawCol makes.
type MessageBytes []byte

// Scan implements sql.Scanner.
func (m *MessageBytes) Scan(src any) error {
	b, err := scanned(src, "outbox message")
	if err != nil || b == nil {
		*m = nil
		return err
	}
	out, err := unpack(b)
	if err != nil {
		return fmt.Errorf("outbox message: %w", err)
	}
	*m = out
	return nil
}

// scanned are the bytes of a column's value (nil for NULL).
func scanned(src any, what string) ([]byte, error) {
	switch v := src.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	default:
		return nil, fmt.Errorf("%s: cannot read %T", what, src)
	}
}

// unpack joins the parts of a stored message, inflating the packed ones. It
// always returns a new slice (a driver may reuse b).
func unpack(b []byte) ([]byte, error) {
	i := bytes.Index(b, []byte(markStart))
	if i < 0 {
		return append([]byte(nil), b...), nil
	}
	out := make([]byte, 0, len(b)*4)
	for i >= 0 {
		out = append(out, b[:i]...)
		b = b[i:]
		var (
			blocks bool
			dict   []byte
		)
		switch {
		case bytes.HasPrefix(b, []byte(packedMark)):
			b = b[len(packedMark):]
		case bytes.HasPrefix(b, []byte(base64Mark)):
			b, blocks = b[len(base64Mark):], true
		case bytes.HasPrefix(b, []byte(dictMark)):
			b, blocks = b[len(dictMark):], true
			n, k := binary.Uvarint(b)
			if dict = mailDicts[n]; k <= 0 || dict == nil {
				return nil, errors.New("packed against an unknown dictionary")
			}
			b = b[k:]
		case bytes.HasPrefix(b, []byte(plainMark)):
			return append(out, b[len(plainMark):]...), nil
		case bytes.HasPrefix(b, []byte(textMark)):
			p, err := unText(b[len(textMark):])
			if err != nil {
				return nil, err
			}
			return append(out, p...), nil // the text it was read with ends the stored bytes
		default:
			return nil, errors.New("unknown packing")
		}
		r := bytes.NewReader(b)
		var part bytes.Buffer
		if _, err := io.Copy(&part, flate.NewReaderDict(r, dict)); err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
		p := part.Bytes()
		if blocks {
			var err error
			if p, err = rebase64(p); err != nil {
				return nil, err
			}
		}
		out = append(out, p...)
		b = b[len(b)-r.Len():]
		i = bytes.Index(b, []byte(markStart))
	}
	return append(out, b...), nil
}

// rawPackMax bounds the incoming messages stored packed: a larger one is
// kept as it came, so that storing it holds no second copy in memory.
const rawPackMax = ChunkBytes

// PackRaw gives the stored form of an incoming message's bytes: on SQLite,
// packed (pack) when it is no larger than rawPackMax; PostgreSQL compresses
// long values itself. Intake works it out while the message is parsed
// (RawMessage.Packed), so that the database writer does not.
func (db *DB) PackRaw(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	if bytes.HasPrefix(b, []byte(markStart)) {
		return db.deflateWith(&db.rawPackers, rawLevel, b, true) // never stored as it is: it would read as packed
	}
	if db.dialect == Postgres || len(b) > rawPackMax {
		return b
	}
	if len(b) < packMin {
		return b
	}
	return db.deflateWith(&db.rawPackers, rawLevel, b, false)
}

// RawBytes are an incoming message's bytes as read: unpacked when stored
// packed (PackRaw). Unlike composed mail, a message may hold any bytes, so
// only a mark at the very start counts: PackRaw never stores a message
// that starts with one as it is.
type RawBytes []byte

// Scan implements sql.Scanner.
func (r *RawBytes) Scan(src any) error {
	b, err := scanned(src, "raw message")
	if err != nil || b == nil {
		*r = nil
		return err
	}
	out, err := unpackLeading(b)
	if err != nil {
		return fmt.Errorf("raw message: %w", err)
	}
	*r = out
	return nil
}

// unpackLeading reads a stored value that is packed only when it starts
// with a mark (an incoming message, a message's text): unpacked then, else
// a copy as it is (a driver may reuse b).
func unpackLeading(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, []byte(markStart)) {
		return append(make([]byte, 0, len(b)), b...), nil
	}
	return unpack(b)
}

// Text is a message's stored text (messages.body_text, body_html): on
// SQLite a text is kept deflated when that is smaller (DB.packText;
// PostgreSQL compresses long values itself), and reading it unpacks it.
// Rows stored before stay readable as they are.
type Text string

// Scan implements sql.Scanner.
func (x *Text) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*x = ""
	case string:
		*x = Text(v)
	case []byte:
		out, err := unpackLeading(v)
		if err != nil {
			return fmt.Errorf("message text: %w", err)
		}
		*x = Text(out)
	default:
		return fmt.Errorf("message text: cannot read %T", src)
	}
	return nil
}

// String is the text.
func (x Text) String() string { return string(x) }

// packText gives the stored form of a message's text: packed on SQLite when
// that is smaller (as a BLOB, so that it is never mistaken for text), else
// the text. Otvet's own mail (dir DirOut: an acknowledgement as the
// conversation keeps it) is packed against the mail dictionary (packMail).
func (db *DB) packText(s Text, dir string) any {
	if db.dialect == Postgres || len(s) < packMailMin || (len(s) < packMin && dir != DirOut) {
		return string(s)
	}
	var b []byte
	if dir == DirOut {
		b = db.packMail([]byte(s))
	} else {
		b = db.pack([]byte(s))
	}
	if !bytes.HasPrefix(b, []byte(markStart)) {
		return string(s)
	}
	return b
}
