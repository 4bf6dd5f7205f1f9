-- +goose Up
-- The SLA clocks of a ticket (internal/sla, JSON: target and the history of
-- start/pause/resume/stop events), so every figure can be recomputed and explained.
ALTER TABLE tickets ADD COLUMN sla_first_response TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_resolution TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tickets DROP COLUMN sla_resolution;
ALTER TABLE tickets DROP COLUMN sla_first_response;
