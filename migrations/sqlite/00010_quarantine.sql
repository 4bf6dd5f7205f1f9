-- +goose Up
-- A Message-ID no longer makes a message a duplicate on its own: printers and
-- scanners reuse one for different mail. The bytes' SHA-256 stays unique; a
-- message with a known Message-ID is a duplicate only when its content key
-- (the SHA-256 of the message without the trace header fields a delivery
-- adds: Received, Delivered-To, X-…) matches too.
DROP INDEX raw_messages_message_id;
CREATE INDEX raw_messages_message_id ON raw_messages(desk, message_id) WHERE message_id <> '';
ALTER TABLE raw_messages ADD COLUMN content_key TEXT NOT NULL DEFAULT '';
CREATE INDEX raw_messages_quarantined ON raw_messages(id) WHERE disposition = 'quarantined';

-- The poison-message guard: the UIDs intake is working on, written and
-- committed before the heavy work, deleted with the cursor's advance. A row
-- found at the next start names the messages that stopped the service.
CREATE TABLE intake_attempts (
    desk         TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    first_uid    INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    started_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE intake_attempts;
DROP INDEX raw_messages_quarantined;
ALTER TABLE raw_messages DROP COLUMN content_key;
DROP INDEX raw_messages_message_id;
CREATE UNIQUE INDEX raw_messages_message_id ON raw_messages(desk, message_id) WHERE message_id <> '';
