package store_test

import (
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

func TestKBArticlesAndTemplates(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	engines(t, func(t *testing.T, db *store.DB) {
		files := []store.KBArticle{{Slug: "printer", Title: "Не печатает принтер", Body: "текст", Public: true},
			{Slug: "vpn", Title: "VPN", Body: "впн", Public: true}}
		if err := db.SyncKBFiles(ctx(), files, t0); err != nil {
			t.Fatal(err)
		}
		err := db.Tx(ctx(), func(tx *store.Tx) error {
			return tx.PutKBArticle(ctx(), &store.KBArticle{Slug: "cli-one", Title: "Из командной строки", Body: "b", Source: "cli", UpdatedAt: t0}, "cli")
		})
		if err != nil {
			t.Fatal(err)
		}
		// The vpn file is gone and printer changed: ids stay, the cli article stays.
		files = []store.KBArticle{{Slug: "printer", Title: "Не печатает принтер", Body: "новый текст", Public: true}}
		if err := db.SyncKBFiles(ctx(), files, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		as, err := db.KBArticles(ctx())
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 2 || as[0].Slug != "printer" || as[0].ID != 1 || as[0].Body != "новый текст" || !as[0].Public || as[1].Slug != "cli-one" {
			t.Fatalf("articles: %+v", as)
		}
		if _, err := db.KBArticle(ctx(), 2); err != store.ErrNotFound {
			t.Fatalf("removed article: %v", err)
		}
		err = db.Tx(ctx(), func(tx *store.Tx) error {
			if err := tx.PutReplyTemplate(ctx(), &store.ReplyTemplate{Name: "restart", Body: "Перезагрузите", UpdatedAt: t0}, "cli"); err != nil {
				return err
			}
			return tx.PutReplyTemplate(ctx(), &store.ReplyTemplate{Name: "restart", Body: "Перезагрузите компьютер", UpdatedAt: t0}, "cli")
		})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := db.ReplyTemplates(ctx())
		if err != nil || len(rs) != 1 || rs[0].Body != "Перезагрузите компьютер" {
			t.Fatalf("templates %+v %v", rs, err)
		}
		err = db.Tx(ctx(), func(tx *store.Tx) error { return tx.RemoveReplyTemplate(ctx(), "nope", "cli", t0) })
		if err != store.ErrNotFound {
			t.Fatalf("remove unknown: %v", err)
		}
		ev, err := db.EventsSince(ctx(), []string{"kb_article_added", "kb_article_removed"}, t0.Add(-time.Hour), t0.Add(2*time.Hour))
		if err != nil || len(ev) != 4 {
			t.Fatalf("events %d %v", len(ev), err)
		}
	})
}
