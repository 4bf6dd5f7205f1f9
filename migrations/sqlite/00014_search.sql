-- +goose Up
-- The information system a ticket is about (МИС, СЭД, 1С …): detected at
-- intake, set by staff with #system; '' when unknown.
ALTER TABLE tickets ADD COLUMN system TEXT NOT NULL DEFAULT '';
CREATE INDEX tickets_system ON tickets(system);
CREATE INDEX tickets_org ON tickets(org_id);

-- The full-text index (docs/search.md). One document per ticket (subject,
-- requester, organisation), per message and per attachment name; search_docs
-- gives each its rowid in ticket_search and says what it is. The terms are
-- stemmed in Go (internal/search) and written into the FTS5 table; the
-- store keeps both current in the transaction that writes the ticket,
-- message or attachment. `otvet tickets reindex` fills them for rows older
-- than this migration.
CREATE TABLE search_docs (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind      TEXT NOT NULL,            -- ticket | message | attachment
    ref       INTEGER NOT NULL DEFAULT 0 -- the message or attachment id
);
CREATE INDEX search_docs_ticket ON search_docs(ticket_id, kind);
CREATE VIRTUAL TABLE ticket_search USING fts5(
    terms,
    ticket_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- +goose Down
DROP TABLE ticket_search;
DROP TABLE search_docs;
DROP INDEX tickets_org;
DROP INDEX tickets_system;
ALTER TABLE tickets DROP COLUMN system;
