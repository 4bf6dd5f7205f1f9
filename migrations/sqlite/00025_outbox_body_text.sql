-- +goose Up
-- A notification's shared body repeats the text of the message it is about
-- (as text and again as HTML). Packed against that text (internal/store/pack.go,
-- textMark), the body no longer stores it: text_of names the message whose
-- text follows the body's data when a row is read. No REFERENCES, so that the
-- down migration can drop the column.
ALTER TABLE outbox_bodies ADD COLUMN text_of INTEGER;

-- +goose Down
-- The text appended to its body: the stored bytes read the same without text_of.
UPDATE outbox_bodies SET data = CAST(data || (SELECT body_text FROM messages WHERE messages.id = outbox_bodies.text_of) AS BLOB)
    WHERE text_of IS NOT NULL;
ALTER TABLE outbox_bodies DROP COLUMN text_of;
