-- +goose Up
-- The outbox sends each row at most once at a time and never gives up
-- because the relay was down:
--   claimed_until  an attempt in flight: nobody else sends the row until
--                  then (the sender's own deadline is earlier);
--   relay_down     the last attempt failed for a reason not tied to this
--                  message (network, TLS, AUTH): a later success on the
--                  same desk wakes the row at once;
--   given_up_at    when the row became failed (a permanent rejection or
--                  too old), for reports;
--   requeued_at    when `otvet outbox retry` requeued it: the give-up age
--                  counts from here instead of created_at.
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMP;
ALTER TABLE outbox ADD COLUMN relay_down INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN given_up_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN requeued_at TIMESTAMP;
CREATE INDEX outbox_given_up ON outbox(given_up_at);

-- +goose Down
DROP INDEX outbox_given_up;
ALTER TABLE outbox DROP COLUMN requeued_at;
ALTER TABLE outbox DROP COLUMN given_up_at;
ALTER TABLE outbox DROP COLUMN relay_down;
ALTER TABLE outbox DROP COLUMN claimed_until;
