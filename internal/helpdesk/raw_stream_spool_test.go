package helpdesk_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/store"
)

// largeMail is a request with a text and an attachment of n bytes in base64.
func largeMail(n int, extraHeader string) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7919 + i>>8)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.WriteString(extraHeader + "From: " + petrov + "\r\nTo: sd@kgo66.ru\r\nSubject: Скан договора\r\nMessage-ID: <large-1@uszn>\r\n" +
		"Date: Fri, 27 Dec 2024 10:00:00 +0500\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nЗдравствуйте! Во вложении скан договора.\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return []byte(b.String())
}

func spooled(t *testing.T, raw []byte) mailin.Fetched {
	t.Helper()
	sp, err := mailin.NewSpool(bytes.NewReader(raw), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	return mailin.Fetched{Body: sp, Size: int64(len(raw))}
}

// storedOf is what intake stored of the message with Message-ID id: its
// raw row's keys and bytes, the ticket's text and files.
func storedOf(t *testing.T, h *harness, id string, ticket int64) (ref store.RawRef, raw []byte, text string, files [][]byte) {
	t.Helper()
	ctx := context.Background()
	err := h.db.Tx(ctx, func(tx *store.Tx) error {
		refs, err := tx.RawsByMessageID(ctx, "sd", id)
		if err != nil || len(refs) != 1 {
			t.Fatalf("raw rows of %s: %+v, %v", id, refs, err)
		}
		ref = refs[0]
		raw, err = tx.RawData(ctx, ref.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := h.db.Messages(ctx, ticket)
	if err != nil || len(ms) == 0 {
		t.Fatalf("messages of ticket %d: %d, %v", ticket, len(ms), err)
	}
	as, err := h.db.Attachments(ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as[ms[0].ID] {
		full, _, err := h.db.Attachment(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, full.Data)
	}
	return ref, raw, string(ms[0].BodyText), files
}

// TestSpooledMessageIsTakenInAsInMemory: a large message the poller
// spooled to a file (mailin.Fetched.Body) is parsed, hashed and stored
// from the file, with what the same message in memory gives: the outcome,
// the stored bytes and keys, the text and the attachment; and it is a
// duplicate of the same message whichever way either came.
func TestSpooledMessageIsTakenInAsInMemory(t *testing.T) {
	for _, n := range []int{100, 3 * store.ChunkBytes} {
		raw := largeMail(n, "")
		mem, spool := newHarness(t), newHarness(t)
		want := mem.ingest(string(raw))
		got := spool.ingestFetched(spooled(t, raw))
		if got.Disposition != want.Disposition || got.Duplicate || got.TicketID == 0 {
			t.Fatalf("%d bytes: spooled %+v, in memory %+v", n, got, want)
		}
		wRef, wRaw, wText, wFiles := storedOf(t, mem, "large-1@uszn", want.TicketID)
		gRef, gRaw, gText, gFiles := storedOf(t, spool, "large-1@uszn", got.TicketID)
		if gRef.SHA256 != wRef.SHA256 || gRef.ContentKey != wRef.ContentKey || !bytes.Equal(gRaw, raw) || !bytes.Equal(wRaw, raw) {
			t.Errorf("%d bytes: stored %s/%s (%d bytes), in memory %s/%s (%d bytes)", n, gRef.SHA256, gRef.ContentKey, len(gRaw),
				wRef.SHA256, wRef.ContentKey, len(wRaw))
		}
		if gText != wText || len(gFiles) != 1 || len(wFiles) != 1 || !bytes.Equal(gFiles[0], wFiles[0]) || len(gFiles[0]) != n {
			t.Errorf("%d bytes: text %q and %d files, in memory %q and %d files", n, gText, len(gFiles), wText, len(wFiles))
		}
		for name, f := range map[string]mailin.Fetched{
			"the same bytes spooled":              spooled(t, raw),
			"the same message with another trace": spooled(t, largeMail(n, "Delivered-To: sd+x@kgo66.ru\r\n")),
		} {
			if out := mem.ingestFetched(f); !out.Duplicate {
				t.Errorf("%d bytes, %s: %+v, want a duplicate", n, name, out)
			}
		}
		if out := spool.ingest(string(raw)); !out.Duplicate {
			t.Errorf("%d bytes, the same bytes in memory: %+v, want a duplicate", n, out)
		}
	}
}
