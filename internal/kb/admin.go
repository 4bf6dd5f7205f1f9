package kb

import (
	"context"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// The command line's operations on the knowledge base and the canned
// answers, each one transaction with its audit event (actor: who did it).

// AddArticle stores an article (a new one, or a new version of one with
// the same name) and sets row.ID.
func AddArticle(ctx context.Context, db *store.DB, row *store.KBArticle, actor string) error {
	return db.Tx(ctx, func(tx *store.Tx) error { return tx.PutKBArticle(ctx, row, actor) })
}

// RemoveArticle removes article id (store.ErrNotFound when there is none).
func RemoveArticle(ctx context.Context, db *store.DB, id int64, actor string, now time.Time) error {
	return db.Tx(ctx, func(tx *store.Tx) error { return tx.RemoveKBArticle(ctx, id, actor, now) })
}

// PutReplyTemplate stores a canned answer under its name.
func PutReplyTemplate(ctx context.Context, db *store.DB, r *store.ReplyTemplate, actor string) error {
	return db.Tx(ctx, func(tx *store.Tx) error { return tx.PutReplyTemplate(ctx, r, actor) })
}

// RemoveReplyTemplate removes the canned answer name (store.ErrNotFound when there is none).
func RemoveReplyTemplate(ctx context.Context, db *store.DB, name, actor string, now time.Time) error {
	return db.Tx(ctx, func(tx *store.Tx) error { return tx.RemoveReplyTemplate(ctx, name, actor, now) })
}
