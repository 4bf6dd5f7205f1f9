package mailin

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// DefaultSpoolBytes is Options.SpoolBytes when zero: a literal larger than
// this is spooled to a temporary file instead of memory.
const DefaultSpoolBytes = 1 << 20

// Spool is a message's bytes in a temporary file (Fetched.Body). The file
// is removed from its directory as soon as it is written, so a crash leaves
// nothing behind; its space is freed when it is closed: by the poller once
// the sink accepted the message, else when the Spool is garbage collected
// (a sink may still read a message it was handed as the next batch).
type Spool struct {
	f    *os.File
	size int64
	name string // still to remove on Close ("" when already removed)
}

// ReadAt reads the message's bytes at off.
func (s *Spool) ReadAt(p []byte, off int64) (int, error) { return s.f.ReadAt(p, off) }

// Size is the number of bytes spooled.
func (s *Spool) Size() int64 { return s.size }

// Close releases the file.
func (s *Spool) Close() error {
	err := s.f.Close()
	if s.name != "" {
		err = errors.Join(err, os.Remove(s.name))
		s.name = ""
	}
	return err
}

// NewSpool copies r into a new Spool in dir ("" for the system's
// temporary directory).
func NewSpool(r io.Reader, dir string) (*Spool, error) {
	f, err := os.CreateTemp(dir, "otvet-message-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{f: f, name: f.Name()}
	if os.Remove(f.Name()) == nil {
		s.name = ""
	}
	n, err := io.Copy(f, r)
	s.size = n
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("spool: %w", err)
	}
	return s, nil
}

// Len is the size of the message's bytes, in memory or spooled.
func (f Fetched) Len() int64 {
	if f.Body != nil {
		return f.Body.Size()
	}
	return int64(len(f.Raw))
}

// Bytes returns the message's bytes: Raw, or the spooled bytes read into
// memory (for the few paths that need them whole).
func (f Fetched) Bytes() ([]byte, error) {
	if f.Body == nil {
		return f.Raw, nil
	}
	b := make([]byte, f.Body.Size())
	if _, err := io.ReadFull(io.NewSectionReader(f.Body, 0, f.Body.Size()), b); err != nil {
		return nil, fmt.Errorf("read spooled message UID %d: %w", f.UID, err)
	}
	return b, nil
}

// Head returns at most n bytes from the start of the message (its header
// section, for n large enough).
func (f Fetched) Head(n int) []byte {
	if f.Body == nil {
		return f.Raw[:min(len(f.Raw), n)]
	}
	b := make([]byte, min(int64(n), f.Body.Size()))
	k, _ := io.ReadFull(io.NewSectionReader(f.Body, 0, int64(len(b))), b)
	return b[:k]
}
