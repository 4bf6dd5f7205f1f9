-- +goose Up
-- The knowledge base (docs/kb.md): articles from kb.dir (source 'file',
-- kept in step with the directory) and from `otvet kb add` (source 'cli').
-- Their id is the N of #статья N. Public articles may be suggested in the
-- acknowledgement and sent to users; internal ones are for staff.
CREATE TABLE kb_articles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    slug       TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    systems    TEXT NOT NULL DEFAULT '',
    keywords   TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    public     INTEGER NOT NULL DEFAULT 1,
    url        TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT 'cli',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Canned answers added with `otvet reply-template add` (replies.dir holds
-- the others as files).
CREATE TABLE reply_templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Maintenance windows announced to their system's users (`maintenance add
-- --announce`), and when the scheduler told them the window was over.
ALTER TABLE maintenance_windows ADD COLUMN announce INTEGER NOT NULL DEFAULT 0;
ALTER TABLE maintenance_windows ADD COLUMN over_announced_at TIMESTAMP;

-- +goose Down
ALTER TABLE maintenance_windows DROP COLUMN over_announced_at;
ALTER TABLE maintenance_windows DROP COLUMN announce;
DROP TABLE reply_templates;
DROP TABLE kb_articles;
