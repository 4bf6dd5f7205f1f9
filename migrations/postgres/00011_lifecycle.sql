-- +goose Up
-- What holds a deferred ticket: the maintenance window (a window's end or
-- removal releases exactly the requests it holds, never another window's).
ALTER TABLE tickets ADD COLUMN hold_window_id BIGINT;
-- A ticket waiting for the customer: when the reminder was sent (the wait
-- closes it at resume_at after that).
ALTER TABLE tickets ADD COLUMN wait_reminded_at TIMESTAMPTZ;
-- Requests deferred before this migration: held by the window whose end they wait for.
UPDATE tickets SET hold_window_id = (SELECT MIN(w.id) FROM maintenance_windows w WHERE w.ends_at = tickets.resume_at)
	WHERE status = 'deferred' AND reason = 'maintenance';
CREATE INDEX tickets_hold_window ON tickets(hold_window_id);

-- +goose Down
DROP INDEX tickets_hold_window;
ALTER TABLE tickets DROP COLUMN wait_reminded_at;
ALTER TABLE tickets DROP COLUMN hold_window_id;
