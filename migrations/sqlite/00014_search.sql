-- +goose Up
-- The information system a ticket is about (МИС, СЭД, 1С …): detected at
-- intake, set by staff with #system; '' when unknown.
ALTER TABLE tickets ADD COLUMN system TEXT NOT NULL DEFAULT '';
CREATE INDEX tickets_system ON tickets(system);
CREATE INDEX tickets_org ON tickets(org_id);

-- The full-text index (docs/search.md): one document per ticket (subject,
-- requester, organisation), per message and per attachment name. The terms
-- are stemmed in Go (internal/search). A document's rowid is the ticket's
-- id times 2^20 plus its number within the ticket (0: the ticket's own), so
-- a match gives its ticket without reading the row. The store writes it in
-- the transaction that writes the ticket, message or attachment; `otvet
-- tickets reindex` fills it for rows older than this migration.
CREATE VIRTUAL TABLE ticket_search USING fts5(
    terms,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- +goose Down
DROP TABLE ticket_search;
DROP INDEX tickets_org;
DROP INDEX tickets_system;
ALTER TABLE tickets DROP COLUMN system;
