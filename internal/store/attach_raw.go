package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// An attachment stored once (migration 00026). A file that came base64-
// encoded is already in its raw message, which is stored (and on SQLite
// packed with its base64 blocks taken back to their bytes, pack.go); its
// row in attachments then keeps no copy of the bytes but where they lie in
// the raw message (in_raw: RawPart), and reading the file decodes them from
// there. The place is the exact bytes of the raw message, not the packer's
// idea of a block, so it reads the same whatever packing does, and the
// CRC-32 proves it: a part that does not decode to bytes of the attachment's
// size and CRC is an error, never other bytes. The retention purge drops
// the raw message and so the file, as it drops the data of the others.

// RawPart is where an attachment's bytes lie in its raw message: Len bytes
// of base64 lines at Offset that decode to bytes whose CRC-32 is CRC.
type RawPart struct {
	Offset, Len int
	CRC         uint32
}

// Found reports whether p names a place.
func (p RawPart) Found() bool { return p.Len > 0 }

// String is p as stored: "offset,length,crc".
func (p RawPart) String() string {
	if !p.Found() {
		return ""
	}
	return strconv.Itoa(p.Offset) + "," + strconv.Itoa(p.Len) + "," + strconv.FormatUint(uint64(p.CRC), 10)
}

// parseRawPart reads a stored RawPart ("" is none).
func parseRawPart(s string) (RawPart, error) {
	if s == "" {
		return RawPart{}, nil
	}
	f := strings.Split(s, ",")
	if len(f) != 3 {
		return RawPart{}, fmt.Errorf("attachment place %q is broken", s)
	}
	off, err1 := strconv.Atoi(f[0])
	n, err2 := strconv.Atoi(f[1])
	crc, err3 := strconv.ParseUint(f[2], 10, 32)
	if err := errors.Join(err1, err2, err3); err != nil || off < 0 || n <= 0 {
		return RawPart{}, fmt.Errorf("attachment place %q is broken", s)
	}
	return RawPart{Offset: off, Len: n, CRC: uint32(crc)}, nil
}

// FindInRaw gives, for each file, the base64 block of raw that decodes to
// exactly its bytes (a zero RawPart when none does: the file is then
// stored itself). It is worked out beside the database writer, while the
// message is parsed; a raw message too large to be kept in memory (above
// ChunkBytes) is not searched.
func FindInRaw(raw []byte, files [][]byte) []RawPart {
	out := make([]RawPart, len(files))
	if len(raw) > ChunkBytes || len(files) == 0 {
		return out
	}
	want := 0
	for _, f := range files {
		if len(f) > 0 {
			want++
		}
	}
	eachBase64Run(raw, func(i, n, width int) bool {
		block := raw[i : i+n]
		if size := decodedLen(block); sizeWanted(files, out, size) {
			if data, ok := decodeBlock(block, width); ok {
				for k, f := range files {
					if !out[k].Found() && len(f) == len(data) && string(f) == string(data) {
						out[k] = RawPart{Offset: i, Len: n, CRC: crc32.ChecksumIEEE(data)}
						want--
						break
					}
				}
			}
		}
		return want > 0
	})
	return out
}

// decodedLen is the number of bytes a base64 block of CRLF lines decodes to.
func decodedLen(block []byte) int {
	n := len(block) - 2*bytes.Count(block, []byte("\r\n"))
	pad := 0
	for k := len(block) - 1; k >= 0 && pad < 2; k-- {
		switch block[k] {
		case '\r', '\n':
			continue
		case '=':
			pad++
			continue
		}
		break
	}
	return n/4*3 - pad
}

// sizeWanted reports whether a file not found yet has size bytes.
func sizeWanted(files [][]byte, found []RawPart, size int) bool {
	for k, f := range files {
		if !found[k].Found() && len(f) == size && size > 0 {
			return true
		}
	}
	return false
}

// fromRaw decodes an attachment's bytes from its place in its raw message
// and checks them against the place's CRC-32 and the attachment's size.
func fromRaw(raw []byte, p RawPart, size int64) ([]byte, error) {
	if p.Offset+p.Len > len(raw) {
		return nil, errors.New("the attachment's place is past the end of its raw message")
	}
	data, err := base64.StdEncoding.AppendDecode(make([]byte, 0, p.Len*3/4), raw[p.Offset:p.Offset+p.Len]) // skips CR and LF
	if err != nil {
		return nil, fmt.Errorf("the attachment's place in its raw message: %w", err)
	}
	if int64(len(data)) != size || crc32.ChecksumIEEE(data) != p.CRC {
		return nil, errors.New("the attachment's place in its raw message does not hold it")
	}
	return data, nil
}

// attachmentFromRaw fills a's bytes from its raw message (rawID) when it
// is stored there (in: its place); a purged raw message leaves them nil.
func (db *DB) attachmentFromRaw(ctx context.Context, a *Attachment, in string, rawID int64) error {
	p, err := parseRawPart(in)
	if err != nil || !p.Found() || a.Data != nil {
		return err
	}
	raw, err := db.RawMessage(ctx, rawID)
	if err != nil {
		return fmt.Errorf("attachment %d: %w", a.ID, err)
	}
	if len(raw.Data) == 0 {
		return nil // purged
	}
	if a.Data, err = fromRaw(raw.Data, p, a.Size); err != nil {
		return fmt.Errorf("attachment %d: %w", a.ID, err)
	}
	return nil
}
