-- +goose Up
-- What the intake rules decided about a ticket.
ALTER TABLE tickets ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE tickets ADD COLUMN org_id INTEGER;
ALTER TABLE tickets ADD COLUMN suggestions TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN missing TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN resume_at TIMESTAMP;
CREATE INDEX tickets_resume ON tickets(status, resume_at);

-- Announced maintenance windows (rule 4.6.6: causes outside support's control).
CREATE TABLE maintenance_windows (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    system     TEXT NOT NULL,
    keywords   TEXT NOT NULL DEFAULT '',
    starts_at  TIMESTAMP NOT NULL,
    ends_at    TIMESTAMP NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX maintenance_windows_ends ON maintenance_windows(ends_at);

-- +goose Down
DROP TABLE maintenance_windows;
DROP INDEX tickets_resume;
ALTER TABLE tickets DROP COLUMN resume_at;
ALTER TABLE tickets DROP COLUMN missing;
ALTER TABLE tickets DROP COLUMN suggestions;
ALTER TABLE tickets DROP COLUMN org_id;
ALTER TABLE tickets DROP COLUMN priority;
ALTER TABLE tickets DROP COLUMN reason;
