-- +goose Up
-- The report's ticket selection (store.StreamReportTickets, docs/report-speed.md)
-- is a union of index-backed branches; the one for tickets resolved in the
-- period but closed before it walks this index.
CREATE INDEX tickets_resolved ON tickets(resolved_at);

-- +goose Down
DROP INDEX tickets_resolved;
