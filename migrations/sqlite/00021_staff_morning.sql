-- +goose Up
-- The morning mail (internal/digest/morning.go): each active agent and lead
-- gets their day's work at the desk's opening unless they switched it off
-- (`otvet staff edit EMAIL --morning=off`, `#утро выкл`). It is recorded in
-- digests_sent (kind 'morning', the day, the agent), so it goes out once.
ALTER TABLE staff ADD COLUMN morning_mail INTEGER NOT NULL DEFAULT 1;
-- The epoch of the agent's own command address (a token of no ticket, in the
-- Reply-To of the morning mail and the digests): `otvet staff revoke` raises
-- it with the epochs of the agent's tickets.
ALTER TABLE staff ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE staff DROP COLUMN token_epoch;
ALTER TABLE staff DROP COLUMN morning_mail;
