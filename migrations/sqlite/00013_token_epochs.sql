-- +goose Up
-- The epoch of a participant's reply tokens: a token carries the epoch it was
-- made in (mailout/signer.go, version 2; a version-1 token is epoch 0) and
-- acts only while it is the participant's current one. `otvet staff revoke`
-- raises it for every ticket of an agent, so each address mailed before stops
-- working at once while the next notification carries a fresh one.
ALTER TABLE participants ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0;
-- When the epoch was last raised (NULL: never).
ALTER TABLE participants ADD COLUMN tokens_revoked_at TIMESTAMP;

-- +goose Down
ALTER TABLE participants DROP COLUMN tokens_revoked_at;
ALTER TABLE participants DROP COLUMN token_epoch;
