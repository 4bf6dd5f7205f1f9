-- +goose Up
-- Support staff work from their own mailboxes (agents, leads) and managers read digests.
CREATE TABLE staff (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Who works on a ticket, when support first answered and resolved it, and visits.
ALTER TABLE tickets ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN resolved_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN planned_for TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN merged_into INTEGER;
CREATE INDEX tickets_assignee ON tickets(assignee);
CREATE INDEX tickets_created ON tickets(created_at);
CREATE INDEX tickets_planned ON tickets(planned_for);

-- +goose Down
DROP INDEX tickets_planned;
DROP INDEX tickets_created;
DROP INDEX tickets_assignee;
ALTER TABLE tickets DROP COLUMN merged_into;
ALTER TABLE tickets DROP COLUMN planned_for;
ALTER TABLE tickets DROP COLUMN resolved_at;
ALTER TABLE tickets DROP COLUMN assignee;
DROP TABLE staff;
