-- +goose Up
-- A received message's bytes get a table of their own, written once when
-- the message is stored: recording what intake did with it (the
-- disposition, note and ticket of raw_messages) no longer rewrites the
-- bytes. The bytes stored before move here; raw_messages.data stays, empty,
-- and readers take raw_data's bytes when there are any, else data's.
CREATE TABLE raw_data (
    raw_id BIGINT PRIMARY KEY REFERENCES raw_messages(id),
    data   BYTEA NOT NULL
);
INSERT INTO raw_data (raw_id, data) SELECT id, data FROM raw_messages WHERE length(data) > 0;
UPDATE raw_messages SET data = ''::bytea WHERE length(data) > 0;

-- +goose Down
UPDATE raw_messages SET data = (SELECT data FROM raw_data WHERE raw_id = raw_messages.id)
    WHERE id IN (SELECT raw_id FROM raw_data);
DROP TABLE raw_data;
