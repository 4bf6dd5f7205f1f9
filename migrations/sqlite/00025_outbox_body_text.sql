-- +goose Up
-- A notification's shared body repeats the text of the message it is about
-- (as text and again as HTML) and its files, which its raw message holds.
-- Packed against them (internal/store/pack.go, textMark), the body no longer
-- stores them: text_of names the message whose text and raw message follow
-- the body's data when a row is read. No REFERENCES, so that the
-- down migration can drop the column.
ALTER TABLE outbox_bodies ADD COLUMN text_of INTEGER;

-- +goose Down
-- What it was packed against appended to its body, as reading appends it:
-- the stored bytes read the same without text_of.
UPDATE outbox_bodies SET data = CAST(data || (SELECT CAST(length(CAST(m.body_text AS BLOB)) AS TEXT) || ':' || CAST(m.body_text AS BLOB) || COALESCE((SELECT COALESCE(d.data, r.data) FROM raw_messages r LEFT JOIN raw_data d ON d.raw_id = r.id WHERE r.id = m.raw_id), x'') FROM messages m WHERE m.id = outbox_bodies.text_of) AS BLOB)
    WHERE text_of IS NOT NULL;
ALTER TABLE outbox_bodies DROP COLUMN text_of;
