-- +goose Up
-- An attachment stored once: a file that came base64-encoded is read from its
-- raw message, which holds it already; in_raw is where ("offset,length,crc",
-- internal/store/attach_raw.go) and data is then NULL.
ALTER TABLE attachments ADD COLUMN in_raw TEXT NOT NULL DEFAULT '';

-- +goose Down
-- Not reversible byte for byte in SQL (the bytes are base64 in the raw
-- message): the files read from there are lost to an older version.
ALTER TABLE attachments DROP COLUMN in_raw;
