-- +goose Up
-- The web console (internal/web): one-time sign-in links mailed to staff and
-- the sessions they open. Only SHA-256 hashes of the tokens are stored: a copy
-- of the database signs nobody in.
CREATE TABLE web_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX web_links_email ON web_links(email, created_at);

-- A session lasts while its member is active with the role it was opened with.
CREATE TABLE web_sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_email ON web_sessions(email);

-- +goose Down
DROP INDEX web_sessions_email;
DROP TABLE web_sessions;
DROP INDEX web_links_email;
DROP TABLE web_links;
