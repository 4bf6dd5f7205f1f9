package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// ChunkBytes is the size of one chunk of a large message or attachment
// (migration 00024): bytes above it are written in chunks of this size, so
// that no statement carries the whole of them. SQLite copies a bound blob
// into its own memory and then again into the record it builds, and pgx
// encodes a whole batch into one buffer: a 34 MB message written in one
// piece cost about 70 MB of memory on SQLite (docs/loadtest.md, large mail).
const ChunkBytes = 512 << 10

// RawBody is a message's bytes kept outside memory (a large literal
// spooled to a temporary file by the poller): InsertRaw reads it in chunks
// instead of RawMessage.Data.
type RawBody interface {
	io.ReaderAt
	Size() int64
}

// insertRawData writes a stored message's bytes: a small message into
// raw_data as one row, a large one (or one read from a RawBody) as an empty
// raw_data row and its chunks in raw_chunks.
func (t *Tx) insertRawData(ctx context.Context, id int64, r *RawMessage) error {
	const q = `INSERT INTO raw_data (raw_id, data) VALUES (?, ?)`
	data := r.Data
	if r.Body == nil && len(data) <= ChunkBytes {
		stored := r.Packed
		if stored == nil {
			stored = t.db.PackRaw(data)
		}
		if _, err := t.exec(ctx, q, id, stored); err != nil {
			return fmt.Errorf("insert raw message data: %w", err)
		}
		return nil
	}
	if _, err := t.exec(ctx, q, id, []byte{}); err != nil {
		return fmt.Errorf("insert raw message data: %w", err)
	}
	const qc = `INSERT INTO raw_chunks (raw_id, seq, data) VALUES (?, ?, ?)`
	first := data
	if r.Body != nil {
		first = make([]byte, len(markStart))
		n, _ := r.Body.ReadAt(first, 0)
		first = first[:n]
	}
	seq := 0
	if bytes.HasPrefix(first, []byte(markStart)) {
		// Chunks are stored as they are: one starting with a mark would
		// read as packed (RawBytes), so a plain mark goes first.
		if err := t.execChunk(ctx, qc, id, 0, []byte(plainMark)); err != nil {
			return fmt.Errorf("insert raw message data: %w", err)
		}
		seq = 1
	}
	var err error
	if r.Body != nil {
		err = t.insertChunksFrom(ctx, qc, id, seq, io.NewSectionReader(r.Body, 0, r.Body.Size()))
	} else {
		err = t.insertChunks(ctx, qc, id, seq, data)
	}
	if err != nil {
		return fmt.Errorf("insert raw message data: %w", err)
	}
	return nil
}

// attachmentData is what InsertAttachment writes into attachments.data:
// the bytes, or for a large attachment (written by insertAttachmentChunks)
// an empty value.
func attachmentData(a *Attachment) []byte {
	if len(a.Data) > ChunkBytes {
		return []byte{}
	}
	return a.Data
}

// insertAttachmentChunks writes a large attachment's bytes into
// attachment_chunks (nothing for a small one: attachmentData).
func (t *Tx) insertAttachmentChunks(ctx context.Context, a *Attachment) error {
	if len(a.Data) <= ChunkBytes {
		return nil
	}
	err := t.insertChunks(ctx, `INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (?, ?, ?)`, a.ID, 0, a.Data)
	if err != nil {
		return fmt.Errorf("insert attachment data: %w", err)
	}
	return nil
}

// insertChunks writes data as chunks of ChunkBytes with q (id, seq, data).
// The chunks are parts of data, which is not changed meanwhile: on
// PostgreSQL each is sent at once all the same, so that pgx never encodes
// the whole of data into one batch.
func (t *Tx) insertChunks(ctx context.Context, q string, id int64, seq int, data []byte) error {
	for ; len(data) > 0; seq++ {
		n := min(len(data), ChunkBytes)
		if err := t.execChunk(ctx, q, id, seq, data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// insertChunksFrom writes what r holds as chunks of ChunkBytes with q, read
// into one buffer: SQLite copies a bound blob, and on PostgreSQL each chunk
// is sent before the buffer is filled again.
func (t *Tx) insertChunksFrom(ctx context.Context, q string, id int64, seq int, r io.Reader) error {
	buf := make([]byte, ChunkBytes)
	for ; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if err := t.execChunk(ctx, q, id, seq, buf[:n]); err != nil {
				return err
			}
		}
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil
		case err != nil:
			return fmt.Errorf("read: %w", err)
		}
	}
}

// execChunk writes one chunk; on PostgreSQL it is sent at once.
func (t *Tx) execChunk(ctx context.Context, q string, id int64, seq int, chunk []byte) error {
	if _, err := t.exec(ctx, q, id, seq, chunk); err != nil {
		return err
	}
	if t.conn != nil {
		return t.flush(ctx)
	}
	return nil
}

// chunksOf is a dialect's expression for the bytes of the chunks in table
// whose idCol is the value of outer, in seq order (NULL when there are
// none). SQLite's group_concat makes text of the blobs without changing a
// byte; the CAST makes a blob of it again.
func chunksOf(d Dialect, table, idCol, outer string) string {
	if d == Postgres {
		return `(SELECT string_agg(c.data, ''::bytea ORDER BY c.seq) FROM ` + table + ` c WHERE c.` + idCol + ` = ` + outer + `)`
	}
	return `(SELECT CAST(group_concat(c.data, '' ORDER BY c.seq) AS BLOB) FROM ` + table + ` c WHERE c.` + idCol + ` = ` + outer + `)`
}

// rawDataCol is a stored message's bytes in a query over raw_messages r
// LEFT JOIN raw_data d: its chunks (migration 00024), else raw_data's
// bytes (migration 00019), else the data column's for a row 00019 did not
// move (migrations/*/00019_raw_data.sql).
func rawDataCol(d Dialect) string {
	return `COALESCE(` + chunksOf(d, "raw_chunks", "raw_id", "r.id") + `, d.data, r.data)`
}

// attachmentDataCol is an attachment's bytes in a query over attachments
// a: its chunks (migration 00024), else its data column (NULL once purged).
func attachmentDataCol(d Dialect) string {
	return `COALESCE(` + chunksOf(d, "attachment_chunks", "attachment_id", "a.id") + `, a.data)`
}
