-- +goose Up
-- The report's ticket selection (store.StreamReportTickets, docs/report-speed.md)
-- is a union of index-backed branches: tickets not closed or closed since
-- the period's start walk tickets_closed_created, those resolved in the
-- period but closed before it tickets_resolved. Each holds created_at, so
-- that SQLite finds the branches' ids in the indexes alone.
CREATE INDEX tickets_closed_created ON tickets(closed_at, created_at);
CREATE INDEX tickets_resolved ON tickets(resolved_at, closed_at, created_at);

-- +goose Down
DROP INDEX tickets_resolved;
DROP INDEX tickets_closed_created;
