-- +goose Up
-- The queue of tickets still being worked on (store.TicketFilter with the
-- active states, docs/search.md): a partial index of the active tickets in
-- due order, with the columns the queue filters on, so that a filter such as
-- "unassigned, of the МИС" walks the active tenth of the tickets and reads
-- only the rows it keeps. The queue names the states in exactly these words.
CREATE INDEX tickets_active_due ON tickets (due_at, assignee, org_id, system)
    WHERE status IN ('deferred', 'open', 'planned', 'unidentified', 'waiting');

-- +goose Down
DROP INDEX tickets_active_due;
