-- +goose Up
-- Tickets have a kind: an ordinary request, or a connection request.
ALTER TABLE tickets ADD COLUMN kind TEXT NOT NULL DEFAULT 'request';

-- A connection request's structured, editable content (regform.Request as JSON)
-- and the operator's decision.
CREATE TABLE registrations (
    ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
    request    TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    org_id     INTEGER,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMP
);

-- +goose Down
DROP TABLE registrations;
ALTER TABLE tickets DROP COLUMN kind;
