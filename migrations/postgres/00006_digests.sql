-- +goose Up
-- SLA digests for managers (internal/digest): one row per digest sent, so a
-- digest goes out once per period and recipient, even with several instances
-- or after a restart.
CREATE TABLE digests_sent (
    kind         TEXT NOT NULL,
    period_start TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    sent_at      TIMESTAMPTZ NOT NULL,
    outbox_id    BIGINT,
    PRIMARY KEY (kind, period_start, recipient)
);
-- Reports read tickets by closing time and events/bounces by time.
CREATE INDEX tickets_closed ON tickets(closed_at);
CREATE INDEX events_kind_at ON events(kind, at);
CREATE INDEX bounces_at ON bounces(at);

-- +goose Down
DROP INDEX bounces_at;
DROP INDEX events_kind_at;
DROP INDEX tickets_closed;
DROP TABLE digests_sent;
