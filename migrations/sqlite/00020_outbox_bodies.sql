-- +goose Up
-- One notification per event: the part of a message that is the same for
-- every recipient (MIME-Version, content headers, text, HTML and files) is
-- stored once in outbox_bodies, and each recipient's outbox row keeps only
-- its own head (Date, From, Reply-To, To, Message-ID, threading, Subject).
-- A row with a body_id is its raw (the head) followed by the body's data;
-- rows without one (every row queued before) hold the whole message in raw
-- as before. No REFERENCES here, so that the down migration can drop the
-- column (SQLite refuses to drop one a foreign key uses).
CREATE TABLE outbox_bodies (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
ALTER TABLE outbox ADD COLUMN body_id INTEGER;
CREATE INDEX outbox_body ON outbox(body_id) WHERE body_id IS NOT NULL;

-- +goose Down
UPDATE outbox SET raw = CAST(raw || (SELECT data FROM outbox_bodies WHERE outbox_bodies.id = outbox.body_id) AS BLOB),
    body_id = NULL WHERE body_id IS NOT NULL;
DROP INDEX outbox_body;
ALTER TABLE outbox DROP COLUMN body_id;
DROP TABLE outbox_bodies;
