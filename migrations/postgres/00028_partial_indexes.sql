-- +goose Up
-- Indexes of columns that most rows leave empty hold the rows that fill
-- them: every lookup by them names a value (planned_for = ?, hold_window_id
-- = ?, given_up_at in a period), which implies NOT NULL, so each still
-- serves its lookup, and a new ticket or queued mail adds nothing to them.
DROP INDEX tickets_planned;
CREATE INDEX tickets_planned ON tickets(planned_for) WHERE planned_for IS NOT NULL;
DROP INDEX tickets_hold_window;
CREATE INDEX tickets_hold_window ON tickets(hold_window_id) WHERE hold_window_id IS NOT NULL;
DROP INDEX outbox_given_up;
CREATE INDEX outbox_given_up ON outbox(given_up_at) WHERE given_up_at IS NOT NULL;

-- +goose Down
DROP INDEX outbox_given_up;
CREATE INDEX outbox_given_up ON outbox(given_up_at);
DROP INDEX tickets_hold_window;
CREATE INDEX tickets_hold_window ON tickets(hold_window_id);
DROP INDEX tickets_planned;
CREATE INDEX tickets_planned ON tickets(planned_for);
