-- +goose Up
-- A large received message and a large attachment are written in chunks
-- (store.InsertRaw, store.InsertAttachment; docs/loadtest.md, large mail):
-- one statement never binds the whole of them, so SQLite never copies tens
-- of megabytes at once. Such a message keeps its raw_data row, with empty
-- data, and an attachment its row, with empty data; the bytes are the
-- chunks in seq order. Readers take the chunks when there are any, else
-- the data column (every row stored before this migration). Purging a
-- message's raw_data row or an attachment's data drops its chunks too.
CREATE TABLE raw_chunks (
    raw_id INTEGER NOT NULL REFERENCES raw_data(raw_id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (raw_id, seq)
);
CREATE TABLE attachment_chunks (
    attachment_id INTEGER NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    data          BLOB NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);
-- +goose StatementBegin
CREATE TRIGGER attachment_chunks_purge AFTER UPDATE OF data ON attachments
    WHEN new.data IS NULL OR length(new.data) > 0
BEGIN
    DELETE FROM attachment_chunks WHERE attachment_id = new.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER attachment_chunks_purge;
DROP TABLE attachment_chunks;
DROP TABLE raw_chunks;
