package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/otvet/otvet/internal/store"
)

// TestOpenAnySQLitePath: a SQLite path with characters a URI gives a meaning
// to ('#', '?', '%', spaces, Cyrillic, a leading "//") opens the file of
// exactly that name, and two such paths are two databases (a '#' or '?'
// used to cut the path: "a#1.db" and "a#2.db" were both "a").
func TestOpenAnySQLitePath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	names := []string{"a#1.db", "a#2.db", "a?1.db", "a?2.db", "b%41.db", "b A.db", "отвёт & co;.db", "c:d=e.db"}
	for i, name := range names {
		path := filepath.Join(dir, name)
		if i == len(names)-1 {
			path = "/" + path // "//tmp/…": no host, the same file
		}
		db := open(t, store.Options{Dialect: store.SQLite, Path: path})
		// A mark of its own in each database: a mailbox cursor at UID i+1.
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.SetCursor(ctx, "mark", store.Cursor{UIDValidity: 1, LastUID: uint32(i + 1)}, t0)
		}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%q: no file of that name: %v", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".db" {
			files = append(files, e.Name())
		}
	}
	if len(files) != len(names) {
		t.Errorf("files %q, want one database per path %q", files, names)
	}
	for i, name := range names {
		db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: filepath.Join(dir, name)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Cursor(ctx, "mark")
		db.Close()
		if err != nil || got.LastUID != uint32(i+1) {
			t.Errorf("%q holds the mark %d (%v), want its own %d", name, got.LastUID, err, i+1)
		}
	}
}
