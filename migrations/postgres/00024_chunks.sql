-- +goose Up
-- A large received message and a large attachment are written in chunks
-- (store.InsertRaw, store.InsertAttachment; docs/loadtest.md, large mail):
-- one statement never carries the whole of them. Such a message keeps its
-- raw_data row, with empty data, and an attachment its row, with empty
-- data; the bytes are the chunks in seq order. Readers take the chunks when
-- there are any, else the data column (every row stored before this
-- migration). Purging a message's raw_data row or an attachment's data
-- drops its chunks too.
CREATE TABLE raw_chunks (
    raw_id BIGINT NOT NULL REFERENCES raw_data(raw_id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BYTEA NOT NULL,
    PRIMARY KEY (raw_id, seq)
);
CREATE TABLE attachment_chunks (
    attachment_id BIGINT NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    data          BYTEA NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);
-- +goose StatementBegin
CREATE FUNCTION attachment_chunks_purge() RETURNS trigger AS $$
BEGIN
    DELETE FROM attachment_chunks WHERE attachment_id = NEW.id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER attachment_chunks_purge AFTER UPDATE OF data ON attachments
    FOR EACH ROW WHEN (NEW.data IS NULL OR length(NEW.data) > 0)
    EXECUTE FUNCTION attachment_chunks_purge();

-- +goose Down
DROP TRIGGER attachment_chunks_purge ON attachments;
DROP FUNCTION attachment_chunks_purge();
DROP TABLE attachment_chunks;
DROP TABLE raw_chunks;
