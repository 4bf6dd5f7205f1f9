package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// KBArticle is an article of the knowledge base as stored (internal/kb
// reads it into a kb.Article). Systems and Keywords are comma-separated.
type KBArticle struct {
	ID        int64     `db:"id"`
	Slug      string    `db:"slug"`
	Title     string    `db:"title"`
	Systems   string    `db:"systems"`
	Keywords  string    `db:"keywords"`
	Body      string    `db:"body"`
	Public    bool      `db:"public"`
	URL       string    `db:"url"`
	Source    string    `db:"source"` // "file" (kb.dir) or "cli"
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

const kbCols = `id, slug, title, systems, keywords, body, public, url, source, created_at, updated_at`

// KBArticles lists every article, by id.
func (db *DB) KBArticles(ctx context.Context) ([]KBArticle, error) {
	var as []KBArticle
	if err := db.sel(ctx, &as, `SELECT `+kbCols+` FROM kb_articles ORDER BY id`); err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	return as, nil
}

// KBArticle reads one article by id (ErrNotFound when there is none).
func (db *DB) KBArticle(ctx context.Context, id int64) (*KBArticle, error) {
	var a KBArticle
	err := db.get(ctx, &a, `SELECT `+kbCols+` FROM kb_articles WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("article %d: %w", id, err)
	}
	return &a, nil
}

// PutKBArticle adds an article, or replaces the one with the same slug (its
// id stays), and records it as an audit event by actor. a.ID is set.
func (t *Tx) PutKBArticle(ctx context.Context, a *KBArticle, actor string) error {
	var old KBArticle
	err := t.get(ctx, &old, `SELECT `+kbCols+` FROM kb_articles WHERE slug = ?`, a.Slug)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		a.CreatedAt = a.UpdatedAt
		id, err := t.insertID(ctx, `INSERT INTO kb_articles (slug, title, systems, keywords, body, public, url, source, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Slug, a.Title, a.Systems, a.Keywords, a.Body, a.Public, a.URL, a.Source, a.CreatedAt, a.UpdatedAt)
		if err != nil {
			return fmt.Errorf("add article %s: %w", a.Slug, err)
		}
		a.ID = id
		return t.AddEvent(ctx, 0, a.UpdatedAt, "kb_article_added", actor, fmt.Sprintf("#%d %s: %s", id, a.Slug, a.Title))
	case err != nil:
		return fmt.Errorf("article %s: %w", a.Slug, err)
	}
	a.ID, a.CreatedAt = old.ID, old.CreatedAt
	if old.Title == a.Title && old.Systems == a.Systems && old.Keywords == a.Keywords && old.Body == a.Body &&
		old.Public == a.Public && old.URL == a.URL && old.Source == a.Source {
		return nil
	}
	if _, err := t.exec(ctx, `UPDATE kb_articles SET title = ?, systems = ?, keywords = ?, body = ?, public = ?, url = ?, source = ?, updated_at = ?
		WHERE id = ?`, a.Title, a.Systems, a.Keywords, a.Body, a.Public, a.URL, a.Source, a.UpdatedAt, a.ID); err != nil {
		return fmt.Errorf("update article %s: %w", a.Slug, err)
	}
	return t.AddEvent(ctx, 0, a.UpdatedAt, "kb_article_changed", actor, fmt.Sprintf("#%d %s: %s", a.ID, a.Slug, a.Title))
}

// RemoveKBArticle deletes an article (ErrNotFound when there is none).
func (t *Tx) RemoveKBArticle(ctx context.Context, id int64, actor string, now time.Time) error {
	var a KBArticle
	err := t.get(ctx, &a, `SELECT `+kbCols+` FROM kb_articles WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	} else if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM kb_articles WHERE id = ?`, id); err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	return t.AddEvent(ctx, 0, now, "kb_article_removed", actor, fmt.Sprintf("#%d %s: %s", id, a.Slug, a.Title))
}

// SyncKBFiles makes the articles of source "file" those of the directory:
// new and changed ones are written (their ids stay), ones whose file is gone
// are removed. Articles added with `otvet kb add` are left alone, except
// that a file of the same slug takes its place.
func (db *DB) SyncKBFiles(ctx context.Context, files []KBArticle, now time.Time) error {
	return db.Tx(ctx, func(t *Tx) error {
		keep := map[string]bool{}
		for i := range files {
			a := files[i]
			a.Source, a.UpdatedAt = "file", now.UTC()
			if err := t.PutKBArticle(ctx, &a, "kb.dir"); err != nil {
				return err
			}
			keep[a.Slug] = true
		}
		var stored []KBArticle
		if err := t.sel(ctx, &stored, `SELECT `+kbCols+` FROM kb_articles WHERE source = 'file'`); err != nil {
			return err
		}
		for _, a := range stored {
			if !keep[a.Slug] {
				if err := t.RemoveKBArticle(ctx, a.ID, "kb.dir", now.UTC()); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ReplyTemplate is a canned answer added with `otvet reply-template add`.
type ReplyTemplate struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Title     string    `db:"title"`
	Body      string    `db:"body"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// ReplyTemplates lists the stored canned answers by name.
func (db *DB) ReplyTemplates(ctx context.Context) ([]ReplyTemplate, error) {
	var rs []ReplyTemplate
	if err := db.sel(ctx, &rs, `SELECT id, name, title, body, created_at, updated_at FROM reply_templates ORDER BY name`); err != nil {
		return nil, fmt.Errorf("reply templates: %w", err)
	}
	return rs, nil
}

// PutReplyTemplate adds a canned answer or replaces the one of that name.
func (t *Tx) PutReplyTemplate(ctx context.Context, r *ReplyTemplate, actor string) error {
	res, err := t.exec(ctx, `UPDATE reply_templates SET title = ?, body = ?, updated_at = ? WHERE name = ?`, r.Title, r.Body, r.UpdatedAt, r.Name)
	if err != nil {
		return fmt.Errorf("reply template %s: %w", r.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		r.CreatedAt = r.UpdatedAt
		if r.ID, err = t.insertID(ctx, `INSERT INTO reply_templates (name, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			r.Name, r.Title, r.Body, r.CreatedAt, r.UpdatedAt); err != nil {
			return fmt.Errorf("add reply template %s: %w", r.Name, err)
		}
	}
	return t.AddEvent(ctx, 0, r.UpdatedAt, "reply_template_saved", actor, r.Name)
}

// RemoveReplyTemplate deletes a canned answer (ErrNotFound when there is none).
func (t *Tx) RemoveReplyTemplate(ctx context.Context, name, actor string, now time.Time) error {
	res, err := t.exec(ctx, `DELETE FROM reply_templates WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("remove reply template %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return t.AddEvent(ctx, 0, now, "reply_template_removed", actor, name)
}

// AnnounceUser is a person an announcement may go to.
type AnnounceUser struct {
	Email    string        `db:"email"`
	FullName string        `db:"full_name"`
	Systems  string        `db:"systems"`
	OrgID    sql.NullInt64 `db:"org_id"`
	Level    string        `db:"support_level"`
}

// ActiveUsers lists the users who may be told things: not blocked, and not
// of a blocked organisation; with orgID, only that organisation's; with
// level, only users of organisations at that support level.
func (t *Tx) ActiveUsers(ctx context.Context, orgID int64, level string) ([]AnnounceUser, error) {
	q := `SELECT u.email, u.full_name, u.systems, u.org_id, COALESCE(o.support_level, '') AS support_level
		FROM users u LEFT JOIN organisations o ON o.id = u.org_id
		WHERE u.blocked = ? AND (o.id IS NULL OR o.blocked = ?)`
	args := []any{false, false}
	if orgID != 0 {
		q += ` AND u.org_id = ?`
		args = append(args, orgID)
	}
	if level != "" {
		q += ` AND o.support_level = ?`
		args = append(args, level)
	}
	var us []AnnounceUser
	if err := t.sel(ctx, &us, q+` ORDER BY u.email`, args...); err != nil {
		return nil, fmt.Errorf("active users: %w", err)
	}
	return us, nil
}

// SetMaintenanceAnnounce marks a window as announced to its system's users
// (`maintenance add --announce`): the scheduler tells them when it is over.
func (t *Tx) SetMaintenanceAnnounce(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, `UPDATE maintenance_windows SET announce = ? WHERE id = ?`, true, id)
	return err
}

// Maintenance reads one window (ErrNotFound when there is none) and whether
// it is announced.
func (t *Tx) Maintenance(ctx context.Context, id int64) (*MaintenanceWindow, bool, error) {
	w, err := t.maintenance(ctx, id)
	if err != nil {
		return nil, false, err
	}
	var announce bool
	if err := t.get(ctx, &announce, `SELECT announce FROM maintenance_windows WHERE id = ?`, id); err != nil {
		return nil, false, err
	}
	return w, announce, nil
}

// MaintenanceOver lists the announced windows that ended by now and whose
// end has not been announced yet.
func (t *Tx) MaintenanceOver(ctx context.Context, now time.Time) ([]MaintenanceWindow, error) {
	var ws []MaintenanceWindow
	err := t.sel(ctx, &ws, `SELECT id, system, keywords, starts_at, ends_at, note, created_at, created_by
		FROM maintenance_windows WHERE announce = ? AND over_announced_at IS NULL AND ends_at <= ? ORDER BY ends_at`, true, now)
	return ws, err
}

// SetMaintenanceOverAnnounced records that a window's end was announced.
func (t *Tx) SetMaintenanceOverAnnounced(ctx context.Context, id int64, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE maintenance_windows SET over_announced_at = ? WHERE id = ?`, at, id)
	return err
}

// EventsSince lists the events of the given kinds in [from, to) (announcements
// and knowledge-base suggestions for the digest).
func (db *DB) EventsSince(ctx context.Context, kinds []string, from, to time.Time) ([]Event, error) {
	q, args, err := inQuery(`SELECT id, ticket_id, at, kind, actor, detail FROM events WHERE kind IN (?) AND at >= ? AND at < ? ORDER BY at, id`, kinds, from, to)
	if err != nil {
		return nil, err
	}
	var es []Event
	if err := db.sel(ctx, &es, q, args...); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return es, nil
}
