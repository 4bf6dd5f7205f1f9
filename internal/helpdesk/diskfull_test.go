package helpdesk_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/store"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// smallFS mounts a tmpfs of the given size (root only; skipped otherwise).
func smallFS(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root")
	}
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fill writes a file until the file system is full, then gives back free bytes.
func fill(t *testing.T, path string, free int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	var n int64
	for {
		w, err := f.Write(chunk)
		n += int64(w)
		if err != nil {
			break
		}
	}
	if err := f.Truncate(max(0, n-free)); err != nil {
		t.Fatal(err)
	}
}

// A full disk holds the cursor and never quarantines; once space is back,
// the same message makes its ticket, once.
func TestDiskFullHoldsTheCursor(t *testing.T) {
	dir := smallFS(t, "12m")
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: filepath.Join(dir, "otvet.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seedDirectory(t, db)
	logs := &syncBuffer{}
	h := newHarnessDB(t, db, func(o *helpdesk.Options) {
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})

	// A request with a 1 MiB attachment: stored raw (1.4 MB) and as a file
	// (1 MiB). 1.6 MB free fits the raw message alone, not both.
	att := make([]byte, 1<<20)
	_, _ = rand.Read(att)
	var b strings.Builder
	b.WriteString("From: " + petrov + "\r\nTo: " + support + "\r\nSubject: Скан\r\nMessage-ID: <full@uszn>\r\n" +
		"Date: Fri, 27 Dec 2024 10:00:00 +0500\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСкан во вложении\r\n" +
		"--XX\r\nContent-Type: application/pdf; name=scan.pdf\r\nContent-Disposition: attachment; filename=scan.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(att)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--XX--\r\n")
	raw := b.String()
	fs := []mailin.Fetched{{UID: 1, Raw: []byte(raw), Size: int64(len(raw))}}

	filler := filepath.Join(dir, "filler")
	fill(t, filler, 1600<<10)
	for i := range 2 {
		_, err := h.svc.IngestBatch(ctx, "sd", 1, fs)
		if err == nil || !store.Transient(err) {
			t.Fatalf("attempt %d on a full disk: %v", i+1, err)
		}
		if !store.DiskFull(err) {
			t.Logf("attempt %d: a transient error other than disk full: %v", i+1, err)
		}
		if c, _ := db.Cursor(ctx, "sd"); c.LastUID != 0 {
			t.Fatalf("the cursor moved to %d on a full disk", c.LastUID)
		}
		if qs, _ := db.Quarantined(ctx); len(qs) != 0 {
			t.Fatalf("quarantined on a full disk: %+v", qs[0].Note)
		}
	}
	if !strings.Contains(logs.String(), "intake paused, will retry") {
		t.Errorf("no ERROR about the paused intake:\n%s", logs.String())
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// A restart after the failures, then the same message again.
	h = newHarnessDB(t, db)
	outs, err := h.svc.IngestBatch(ctx, "sd", 1, fs)
	if err != nil || outs[0].Disposition != store.DispTicket {
		t.Fatalf("after freeing space: %+v, %v", outs, err)
	}
	counts, _ := db.Counts(ctx)
	if counts.Tickets != 1 || counts.Raw != 1 {
		t.Errorf("counts %+v", counts)
	}
	if c, _ := db.Cursor(ctx, "sd"); c.LastUID != 1 {
		t.Errorf("cursor %d", c.LastUID)
	}
	if _, ok, _ := db.IntakeAttempt(ctx, "sd"); ok {
		t.Error("an intake attempt was left behind")
	}
}
