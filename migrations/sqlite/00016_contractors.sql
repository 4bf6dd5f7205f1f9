-- +goose Up
-- Third parties (regulation §4.7): contractors who answer on a ticket by mail.
-- addresses: their addresses and domains ("@vendor.example"), one per line;
-- systems: what they serve, one per line; hours: their support hours
-- ("09:00-18:00", '' = the desk's); response_minutes: their response target
-- in business minutes (0 = the desk's first-response target).
CREATE TABLE contractors (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL DEFAULT '',
    hide_name        INTEGER NOT NULL DEFAULT 0,
    addresses        TEXT NOT NULL DEFAULT '',
    systems          TEXT NOT NULL DEFAULT '',
    hours            TEXT NOT NULL DEFAULT '',
    response_minutes INTEGER NOT NULL DEFAULT 0,
    tell_answer      INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- One passing of a ticket to a contractor, with the contractor's own clock
-- (business time on its hours): started, due, answered, reminded, breached, ended.
CREATE TABLE contractor_involvements (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id      INTEGER NOT NULL REFERENCES tickets(id),
    contractor_id  INTEGER NOT NULL REFERENCES contractors(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    email          TEXT NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    target_seconds INTEGER NOT NULL DEFAULT 0,
    due_at         TIMESTAMP,
    answered_at    TIMESTAMP,
    response_seconds INTEGER,
    reminded_at    TIMESTAMP,
    breached_at    TIMESTAMP,
    ended_at       TIMESTAMP,
    tell_answer    INTEGER NOT NULL DEFAULT 0,
    started_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contractor_involvements_ticket ON contractor_involvements(ticket_id);
CREATE INDEX contractor_involvements_open ON contractor_involvements(ended_at, answered_at);

-- +goose Down
DROP INDEX contractor_involvements_open;
DROP INDEX contractor_involvements_ticket;
DROP TABLE contractor_involvements;
DROP TABLE contractors;
