-- +goose Up
CREATE TABLE cursors (
    mailbox      TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    desk               TEXT NOT NULL,
    status             TEXT NOT NULL,
    channel            TEXT NOT NULL DEFAULT 'email',
    subject            TEXT NOT NULL,
    requester_email    TEXT NOT NULL,
    requester_name     TEXT NOT NULL DEFAULT '',
    support_level      TEXT NOT NULL DEFAULT '',
    linked_ticket_id   INTEGER REFERENCES tickets(id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    closed_at          TIMESTAMP,
    first_response_due TIMESTAMP,
    resolution_due     TIMESTAMP,
    first_response_at  TIMESTAMP
);
CREATE INDEX tickets_status ON tickets(status);

CREATE TABLE participants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (ticket_id, email)
);
CREATE INDEX participants_email ON participants(email);

CREATE TABLE raw_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    desk         TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    message_id   TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL UNIQUE,
    size         INTEGER NOT NULL,
    truncated    INTEGER NOT NULL DEFAULT 0,
    disposition  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    ticket_id    INTEGER REFERENCES tickets(id),
    data         BLOB NOT NULL,
    received_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX raw_messages_message_id ON raw_messages(desk, message_id) WHERE message_id <> '';

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    direction   TEXT NOT NULL,
    message_id  TEXT NOT NULL DEFAULT '',
    from_addr   TEXT NOT NULL DEFAULT '',
    from_name   TEXT NOT NULL DEFAULT '',
    to_addrs    TEXT NOT NULL DEFAULT '',
    cc_addrs    TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    body_text   TEXT NOT NULL DEFAULT '',
    body_html   TEXT NOT NULL DEFAULT '',
    auto        INTEGER NOT NULL DEFAULT 0,
    raw_id      INTEGER REFERENCES raw_messages(id),
    outbox_id   INTEGER,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id);
CREATE INDEX messages_message_id ON messages(message_id) WHERE message_id <> '';

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   INTEGER NOT NULL REFERENCES messages(id),
    filename     TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    content_id   TEXT NOT NULL DEFAULT '',
    inline       INTEGER NOT NULL DEFAULT 0,
    size         INTEGER NOT NULL,
    dropped      INTEGER NOT NULL DEFAULT 0,
    drop_reason  TEXT NOT NULL DEFAULT '',
    data         BLOB
);
CREATE INDEX attachments_message ON attachments(message_id);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER REFERENCES tickets(id),
    at        TIMESTAMP NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_ticket ON events(ticket_id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    desk            TEXT NOT NULL,
    ticket_id       INTEGER REFERENCES tickets(id),
    kind            TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    envelope_from   TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    rcpt_key        TEXT NOT NULL,
    auto            INTEGER NOT NULL DEFAULT 0,
    subject         TEXT NOT NULL DEFAULT '',
    raw             BLOB NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_auto ON outbox(rcpt_key, created_at);

CREATE TABLE bounces (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER REFERENCES tickets(id),
    outbox_id  INTEGER REFERENCES outbox(id),
    recipient  TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT '',
    diagnostic TEXT NOT NULL DEFAULT '',
    permanent  INTEGER NOT NULL DEFAULT 0,
    at         TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE bounces;
DROP TABLE outbox;
DROP TABLE events;
DROP TABLE attachments;
DROP TABLE messages;
DROP TABLE raw_messages;
DROP TABLE participants;
DROP TABLE tickets;
DROP TABLE cursors;
