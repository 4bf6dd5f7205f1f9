package mailmsg

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Parsing a message that is not in memory (ParseReader): the header
// sections, the MIME structure and the text parts are read from r, the
// bodies of large parts are not, and an attachment that is kept is decoded
// from r straight into its Data. Every decision is the one Parse takes on
// the same bytes (FuzzParseReader).

// partInMemory: a part (or a whole message) up to this size is read into
// memory and parsed as Parse does; only larger ones are read piecewise.
const partInMemory = 256 << 10

// headerWindow is the first read of a part's header section; a header
// that needs more is read again with four times as much, and so on.
const headerWindow = 64 << 10

// ParseReader is Parse for the size bytes of a message read from r (a
// large message spooled to a file): the same Message, without the whole
// message ever in memory. Beyond Parse's, its error is a failure to read r.
func ParseReader(r io.ReaderAt, size int64, opts Options) (msg *Message, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			msg, err = nil, fmt.Errorf("%w: panic: %v", ErrInternal, rec)
		}
	}()
	opts = opts.withDefaults()
	if opts.panicHook != nil {
		opts.panicHook()
	}
	sec := io.NewSectionReader(r, 0, size)
	if size <= opts.inMemory {
		raw, err := readAll(sec)
		if err != nil {
			return nil, err
		}
		return parse(raw, opts)
	}
	w := &walker{opts: opts}
	hr, body, err := w.splitHeaderAt(sec, opts.MaxHeaderBytes)
	if w.readErr != nil {
		return nil, w.readErr
	}
	if err != nil {
		if errors.Is(err, ErrHeaderTooLarge) {
			return nil, fmt.Errorf("%w (limit %d bytes)", err, opts.MaxHeaderBytes)
		}
		return nil, err
	}
	m, err := finish(&hr, entity{hdr: &hr.hdr, sec: body}, int(size), w)
	if w.readErr != nil {
		return nil, w.readErr
	}
	return m, err
}

// readAll reads the whole of sec.
func readAll(sec *io.SectionReader) ([]byte, error) {
	b := make([]byte, sec.Size())
	if _, err := io.ReadFull(io.NewSectionReader(sec, 0, sec.Size()), b); err != nil {
		return nil, fmt.Errorf("mailmsg: read: %w", err)
	}
	return b, nil
}

// read returns up to n bytes from the start of sec; a failure is kept in
// w.readErr (ParseReader returns it) and reads as no bytes.
func (w *walker) read(sec *io.SectionReader, n int64) []byte {
	n = min(n, sec.Size())
	b := make([]byte, n)
	if _, err := io.ReadFull(io.NewSectionReader(sec, 0, n), b); err != nil {
		w.fail(err)
		return nil
	}
	return b
}

func (w *walker) fail(err error) {
	if w.readErr == nil {
		w.readErr = fmt.Errorf("mailmsg: read: %w", err)
	}
}

// inMemory returns e with its body read into memory.
func (w *walker) inMemory(e entity) entity {
	if e.sec != nil {
		e.body, e.sec = w.read(e.sec, e.sec.Size()), nil
	}
	return e
}

// textPrefix is as much of e's body as text (and the walk's other text
// fallbacks) can look at: text cuts the undecoded input to at most three
// times MaxTextBytes (quoted-printable) first, and whether it did depends
// only on whether the body is longer.
func (w *walker) textPrefix(e entity) []byte {
	if e.sec == nil {
		return e.body
	}
	return w.read(e.sec, 3*int64(w.opts.MaxTextBytes)+64)
}

// bodySize is the size of e's undecoded body.
func (e entity) bodySize() int64 {
	if e.sec != nil {
		return e.sec.Size()
	}
	return int64(len(e.body))
}

// splitHeaderAt is splitHeader for a part read from sec: it reads a window
// of the part, larger until splitHeader's result does not depend on what
// follows it, and returns the body as a section of sec.
func (w *walker) splitHeaderAt(sec *io.SectionReader, max int) (headerResult, *io.SectionReader, error) {
	size := sec.Size()
	for n := w.opts.headerWindow; ; n *= 4 {
		win := w.read(sec, n)
		if w.readErr != nil {
			return headerResult{}, nil, ErrNoHeader
		}
		hr, err := splitHeader(win, max)
		if int64(len(win)) == size || !hr.open {
			start := int64(len(win) - len(hr.body))
			hr.body = nil
			return hr, io.NewSectionReader(sec, start, size-start), err
		}
	}
}

// childEntityAt is childEntity for a part read from sec.
func (w *walker) childEntityAt(sec *io.SectionReader) entity {
	if sec.Size() <= w.opts.inMemory {
		return w.childEntity(w.read(sec, sec.Size()))
	}
	hr, body, err := w.splitHeaderAt(sec, w.opts.MaxHeaderBytes)
	if err != nil {
		skip := int64(0)
		switch head := w.read(sec, 2); {
		case len(head) > 0 && head[0] == '\n':
			skip = 1
		case len(head) > 1 && head[0] == '\r' && head[1] == '\n':
			skip = 2
		}
		if err == ErrHeaderTooLarge {
			w.p.addf("oversized part header skipped")
		}
		return entity{hdr: &header{}, sec: io.NewSectionReader(sec, skip, sec.Size()-skip)}
	}
	return entity{hdr: &hr.hdr, sec: body}
}

// splitMultipartAt is splitMultipart for a body read from sec: the parts
// are sections of sec. A delimiter is found the way splitMultipart finds
// it: at the start of a line, followed by "--" or not, blanks, and the end
// of the line or of the body (or, after "--", anything).
func (w *walker) splitMultipartAt(sec *io.SectionReader, boundary string, limit int) (parts []*io.SectionReader, closed, found, truncated bool) {
	if strings.ContainsAny(boundary, "\r\n") {
		// A delimiter spanning lines: not worth a reader of its own.
		raws, closed, found, truncated := splitMultipart(w.read(sec, sec.Size()), boundary, limit)
		for _, raw := range raws {
			parts = append(parts, io.NewSectionReader(bytes.NewReader(raw), 0, int64(len(raw))))
		}
		return parts, closed, found, truncated
	}
	delim := "--" + boundary
	size := sec.Size()
	br := bufio.NewReaderSize(io.NewSectionReader(sec, 0, size), 64<<10)
	var (
		pos       int64      // where br is in sec
		lineStart int64      // the start of the current line
		partStart int64 = -1 // the current part's content, -1 before the first delimiter
	)
	peek := func(n int) []byte {
		b, err := br.Peek(n)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			w.fail(err)
		}
		return b
	}
	skip := func(n int) {
		d, _ := br.Discard(n)
		pos += int64(d)
	}
	// skipLine moves past the end of the current line.
	skipLine := func() {
		for {
			b, err := br.ReadSlice('\n')
			pos += int64(len(b))
			if err == nil || errors.Is(err, io.EOF) {
				return
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				w.fail(err)
				return
			}
		}
	}
	for pos < size && w.readErr == nil {
		lineStart = pos
		if !bytes.HasPrefix(peek(len(delim)), []byte(delim)) {
			skipLine()
			continue
		}
		skip(len(delim))
		isClose := false
		if b := peek(2); len(b) == 2 && b[0] == '-' && b[1] == '-' {
			isClose = true
			skip(2)
		}
		for {
			b := peek(1)
			if len(b) == 0 || (b[0] != ' ' && b[0] != '\t') {
				break
			}
			skip(1)
		}
		lineEnd := int64(-1)
		switch b := peek(2); {
		case len(b) == 0:
			lineEnd = pos
		case b[0] == '\n':
			lineEnd = pos + 1
		case b[0] == '\r' && len(b) == 2 && b[1] == '\n':
			lineEnd = pos + 2
		case b[0] == '\r' && len(b) == 1:
			lineEnd = pos + 1
		case isClose:
			lineEnd = pos
		}
		if lineEnd < 0 {
			skipLine() // a longer boundary that starts with ours
			continue
		}
		found = true
		if partStart >= 0 {
			// The line break before the delimiter belongs to it.
			end := lineStart
			if end > partStart {
				end-- // "\n": lineStart is the start of a line
				var b [1]byte
				if end > partStart {
					if _, err := sec.ReadAt(b[:], end-1); err != nil {
						w.fail(err)
					} else if b[0] == '\r' {
						end--
					}
				}
			}
			if len(parts) >= limit {
				return parts, closed, found, true
			}
			parts = append(parts, io.NewSectionReader(sec, partStart, end-partStart))
		}
		if isClose {
			return parts, true, found, truncated
		}
		skip(int(lineEnd - pos))
		partStart = lineEnd
	}
	if partStart >= 0 && partStart <= size {
		if len(parts) >= limit {
			return parts, false, found, true
		}
		parts = append(parts, io.NewSectionReader(sec, partStart, size-partStart))
	}
	return parts, false, found, truncated
}

// eachLine calls f with each line of sec, its "\n" included (the last one
// may have none), as base64Body and qpBody cut their input. f must not
// keep the line.
func (w *walker) eachLine(sec *io.SectionReader, f func(line []byte)) {
	br := bufio.NewReaderSize(io.NewSectionReader(sec, 0, sec.Size()), 64<<10)
	var long []byte // a line longer than br's buffer, gathered
	for {
		b, err := br.ReadSlice('\n')
		full := errors.Is(err, bufio.ErrBufferFull)
		if full || len(long) > 0 {
			long = append(long, b...)
			if full {
				continue
			}
			b = long
		}
		if len(b) > 0 {
			f(b)
		}
		long = long[:0]
		if err != nil {
			if !errors.Is(err, io.EOF) {
				w.fail(err)
			}
			return
		}
	}
}

// eachChunk calls f with the bytes of sec in order, a buffer at a time.
func (w *walker) eachChunk(sec *io.SectionReader, f func(chunk []byte)) {
	buf := make([]byte, 256<<10)
	r := io.NewSectionReader(sec, 0, sec.Size())
	for {
		n, err := r.Read(buf)
		if n > 0 {
			f(buf[:n])
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				w.fail(err)
			}
			return
		}
	}
}

// countAt is decodeTransfer's counting mode for a body read from sec: the
// decoded size and the number of bad bytes.
func (w *walker) countAt(sec *io.SectionReader, cte string) (n int64, bad int) {
	switch cte {
	case "base64":
		// base64Body's fast path: base64CleanSize, a buffer at a time.
		var cs cleanSize
		w.eachChunk(sec, cs.add)
		if !cs.bad {
			return cs.digits * 6 / 8, 0
		}
		var st b64state
		w.eachLine(sec, func(line []byte) {
			if garbageLine(line) {
				bad++
				return
			}
			n += st.count(line)
		})
		return n, bad + st.bad
	case "quoted-printable":
		w.eachLine(sec, func(line []byte) {
			_, k, b := qpBody(nil, line, true)
			n += k
			bad += b
		})
		return n, bad
	}
	return sec.Size(), 0
}

// decodeAt is decodeTransfer for a body read from sec: the decoded bytes.
func (w *walker) decodeAt(sec *io.SectionReader, cte string) []byte {
	switch cte {
	case "base64":
		dst := make([]byte, 0, sec.Size()*3/4+3)
		if data, ok := w.stdBase64At(sec, dst); ok {
			return data
		}
		var st b64state
		w.eachLine(sec, func(line []byte) {
			if !garbageLine(line) {
				dst = st.decode(dst, line)
			}
		})
		return dst
	case "quoted-printable":
		dst := make([]byte, 0, sec.Size())
		w.eachLine(sec, func(line []byte) {
			dst, _, _ = qpBody(dst, line, false)
		})
		return dst
	}
	if sec.Size() == 0 {
		return nil // as Parse's copy of an empty body
	}
	return w.read(sec, sec.Size())
}

// cleanSize is base64CleanSize fed a buffer at a time.
type cleanSize struct {
	digits   int64
	pad, bad bool
}

func (s *cleanSize) add(chunk []byte) {
	digits, pad := s.digits, s.pad
	for _, c := range chunk {
		switch {
		case b64Table[c] != 0xff && c != '-' && c != '_':
			if pad {
				s.bad = true
				return
			}
			digits++
		case c == '\r' || c == '\n':
		case c == '=':
			pad = true
		default:
			s.bad = true
			return
		}
	}
	s.digits, s.pad = digits, pad
}

// stdBase64At is base64Body's fast path for a body read from sec: the
// standard decoder, which skips CR and LF, into dst's capacity; ok is false
// when it rejects the data. The data without its line breaks is decoded
// whole quanta at a time: the decoder takes padding only in the last
// quantum, and nothing after it but line breaks.
func (w *walker) stdBase64At(sec *io.SectionReader, dst []byte) (data []byte, ok bool) {
	buf := dst[:cap(dst)]
	k := 0
	var (
		pending []byte // data, line breaks removed, not decoded yet (less than a quantum at the end of a buffer)
		ended   bool   // a quantum with padding was decoded
		bad     bool
	)
	w.eachChunk(sec, func(chunk []byte) {
		if bad {
			return
		}
		for len(chunk) > 0 {
			line := chunk
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				line, chunk = chunk[:i], chunk[i+1:]
			} else {
				chunk = nil
			}
			for len(line) > 0 {
				run := line
				if i := bytes.IndexByte(line, '\r'); i >= 0 {
					run, line = line[:i], line[i+1:]
				} else {
					line = nil
				}
				pending = append(pending, run...)
			}
		}
		if len(pending) > 0 && ended {
			bad = true
			return
		}
		n := len(pending) / 4 * 4
		if n == 0 {
			return
		}
		if k+n/4*3 > len(buf) {
			bad = true
			return
		}
		m, err := base64.StdEncoding.Decode(buf[k:], pending[:n])
		if err != nil {
			bad = true
			return
		}
		k += m
		ended = m < n/4*3
		pending = append(pending[:0], pending[n:]...)
	})
	if bad || len(pending) > 0 || w.readErr != nil {
		return nil, false
	}
	return buf[:k], true
}
