-- +goose Up
-- The automatic-reply limit counts only automatic mail (an acknowledgement,
-- a request to identify): the index of its count holds those rows alone,
-- not the agents' notifications and answers beside them.
DROP INDEX outbox_auto;
CREATE INDEX outbox_auto ON outbox(rcpt_key, created_at) WHERE auto = TRUE;

-- +goose Down
DROP INDEX outbox_auto;
CREATE INDEX outbox_auto ON outbox(rcpt_key, created_at);
