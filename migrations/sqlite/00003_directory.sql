-- +goose Up
-- The directory: client organisations, their mail domains and registered users
-- (the regulations require a request to identify its sender), plus global
-- settings such as the operator's "block everyone" switch. Changes are audited
-- in events with ticket_id NULL.
CREATE TABLE organisations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    inn           TEXT NOT NULL DEFAULT '',
    ogrn          TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    support_level TEXT NOT NULL DEFAULT '',
    blocked       INTEGER NOT NULL DEFAULT 0,
    block_reason  TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organisations_inn ON organisations(inn) WHERE inn <> '';
CREATE INDEX organisations_name ON organisations(name);

CREATE TABLE org_domains (
    domain TEXT PRIMARY KEY CHECK (domain = lower(domain)),
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE
);
CREATE INDEX org_domains_org ON org_domains(org_id);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    full_name       TEXT NOT NULL,
    position        TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    org_id          INTEGER REFERENCES organisations(id),
    role            TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'head')),
    blocked         INTEGER NOT NULL DEFAULT 0,
    block_reason    TEXT NOT NULL DEFAULT '',
    self_identified INTEGER NOT NULL DEFAULT 0,
    confirmed       INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The directory's audit trail is read by time.
CREATE INDEX events_audit ON events(at) WHERE ticket_id IS NULL;

-- +goose Down
DROP INDEX events_audit;
DROP TABLE settings;
DROP TABLE users;
DROP TABLE org_domains;
DROP TABLE organisations;
