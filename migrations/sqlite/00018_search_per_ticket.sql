-- +goose Up
-- The queue's sort key, stored and indexed (docs/search.md): the first
-- response's due time while none was given, else the resolution's; NULL
-- when the ticket has neither. Generated, so every writer of the SLA
-- fields keeps it current.
ALTER TABLE tickets ADD COLUMN due_at TIMESTAMP GENERATED ALWAYS AS (
    CASE WHEN first_response_at IS NULL AND first_response_due IS NOT NULL THEN first_response_due ELSE resolution_due END
) VIRTUAL;
CREATE INDEX tickets_due ON tickets(due_at, id DESC);
CREATE INDEX tickets_status_due ON tickets(status, due_at);
CREATE INDEX tickets_assignee_due ON tickets(assignee, due_at);

-- The full-text index becomes ONE row per ticket (rowid = the ticket's id):
-- head (subject, requester, organisation) and body (messages, attachment
-- names), so FTS5 ANDs a query's words itself. The stemmed terms of the
-- old per-document rows (rowid = ticket id * 2^20 + number, 0 the ticket's
-- own) carry over; no reindex is needed.
CREATE VIRTUAL TABLE ticket_search_new USING fts5(
    head,
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO ticket_search_new (rowid, head, body)
SELECT rowid >> 20,
       COALESCE(group_concat(CASE WHEN (rowid & 1048575) = 0 THEN terms END, ' '), ''),
       COALESCE(group_concat(CASE WHEN (rowid & 1048575) <> 0 THEN terms END, ' '), '')
FROM (SELECT rowid, terms FROM ticket_search ORDER BY rowid) GROUP BY rowid >> 20;
DROP TABLE ticket_search;
ALTER TABLE ticket_search_new RENAME TO ticket_search;

-- +goose Down
CREATE VIRTUAL TABLE ticket_search_old USING fts5(
    terms,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO ticket_search_old (rowid, terms) SELECT rowid << 20, head FROM ticket_search WHERE head <> '';
INSERT INTO ticket_search_old (rowid, terms) SELECT (rowid << 20) + 1, body FROM ticket_search WHERE body <> '';
DROP TABLE ticket_search;
ALTER TABLE ticket_search_old RENAME TO ticket_search;
DROP INDEX tickets_assignee_due;
DROP INDEX tickets_status_due;
DROP INDEX tickets_due;
ALTER TABLE tickets DROP COLUMN due_at;
