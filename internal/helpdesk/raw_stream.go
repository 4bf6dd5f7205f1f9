package helpdesk

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// A large message arrives spooled to a temporary file (mailin.Fetched.Body,
// over mailin.Options.SpoolBytes): it is parsed from the file
// (mailmsg.ParseReader), hashed from it, and written into the database from
// it in chunks (store.RawMessage.Body), so that its bytes are never all in
// memory (docs/loadtest.md, large mail).

// parseFetched is parseBounded for a fetched message, in memory or spooled.
func (s *Service) parseFetched(ctx context.Context, f mailin.Fetched) (msg *mailmsg.Message, perr, ctxErr error) {
	if f.Body == nil {
		return s.parseBounded(ctx, f.Raw)
	}
	return s.bounded(ctx, func() (*mailmsg.Message, error) { return mailmsg.ParseReader(f.Body, f.Body.Size(), s.parseOpts) })
}

// headWindow is how much of a spooled message fetchedHead reads: its header
// section, unless that is too large to parse anyway.
func headWindow(opts mailmsg.Options) int {
	return max(4<<20, 2*opts.MaxHeaderBytes+64<<10)
}

// fetchedHead is the start of a fetched message, enough for its header
// section (headerOnly, receivedDate): the whole of one in memory.
func fetchedHead(f mailin.Fetched, opts mailmsg.Options) []byte {
	if f.Body == nil {
		return f.Raw
	}
	return f.Head(headWindow(opts))
}

// rawBody is the store's reader of a spooled message (nil when in memory).
func rawBody(f mailin.Fetched) store.RawBody {
	if f.Body == nil {
		return nil
	}
	return f.Body
}

// rawKeys are a fetched message's SHA-256 and content key (contentKey),
// computed in one read of a spooled message. Should the spool not be
// readable, both are empty: they match no stored message, and storing the
// message (which reads the spool again) fails.
func rawKeys(f mailin.Fetched) (sum, key string) {
	if f.Body == nil {
		s := sha256.Sum256(f.Raw)
		return hex.EncodeToString(s[:]), contentKey(f.Raw)
	}
	h := sha256.New()
	key, err := contentKeyFrom(io.TeeReader(io.NewSectionReader(f.Body, 0, f.Body.Size()), h))
	if err != nil {
		return "", ""
	}
	return hex.EncodeToString(h.Sum(nil)), key
}

// contentKeyFrom is contentKey of the bytes r holds, read once, in pieces.
func contentKeyFrom(r io.Reader) (string, error) {
	h := sha256.New()
	k := headerKey{h: h}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("content key: %w", err)
		}
		found := err == nil
		if len(line) == 0 && !found {
			break
		}
		if !k.line(bytes.TrimSuffix(line, []byte("\n"))) || !found {
			break
		}
	}
	k.flush()
	h.Write([]byte{'\n'})
	if err := crlfToLF(h, br); err != nil {
		return "", fmt.Errorf("content key: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// crlfToLF writes what r holds to h with every CRLF as LF (contentKey's
// body), a buffer at a time: a CR at the end of one is held for the next.
func crlfToLF(h hash.Hash, r io.Reader) error {
	buf := make([]byte, 64<<10)
	cr := false // a CR ended the previous buffer
	for {
		n, err := r.Read(buf)
		b := buf[:n]
		if cr && n > 0 {
			if b[0] == '\n' {
				h.Write([]byte{'\n'})
				b = b[1:]
			} else {
				h.Write([]byte{'\r'})
			}
			cr = false
		}
		if len(b) > 0 && b[len(b)-1] == '\r' {
			cr, b = true, b[:len(b)-1]
		}
		writeLF(h, b)
		if errors.Is(err, io.EOF) {
			if cr {
				h.Write([]byte{'\r'})
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}
