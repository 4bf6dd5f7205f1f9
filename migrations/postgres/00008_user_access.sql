-- +goose Up
-- What a user was given access to (from the connection request that
-- registered them): department, information systems, access rights and the
-- account in the system.
ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN systems TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN rights TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN account TEXT NOT NULL DEFAULT '';

-- The operator's explicit choices for a connection request
-- (otvet registration edit): the organisation to register into (or a new
-- one), and whether existing users may be moved from another organisation.
ALTER TABLE registrations ADD COLUMN target_org_id BIGINT;
ALTER TABLE registrations ADD COLUMN new_org BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE registrations ADD COLUMN move_users BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE registrations DROP COLUMN move_users;
ALTER TABLE registrations DROP COLUMN new_org;
ALTER TABLE registrations DROP COLUMN target_org_id;
ALTER TABLE users DROP COLUMN account;
ALTER TABLE users DROP COLUMN rights;
ALTER TABLE users DROP COLUMN systems;
ALTER TABLE users DROP COLUMN department;
