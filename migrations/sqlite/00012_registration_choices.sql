-- +goose Up
-- The operator's explicit choices on a connection request beyond the
-- organisation (otvet registration edit): the mail domains to add to the
-- organisation (--add-domain), the addresses enrolled although they are on a
-- public mail service or a foreign domain (--allow-person), both as
-- space-separated lists, and whether existing users' access rights may
-- change (--allow-role-change). Approval adds no domain and enrols no such
-- person without them.
ALTER TABLE registrations ADD COLUMN add_domains TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN allow_people TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN allow_role_change INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE registrations DROP COLUMN allow_role_change;
ALTER TABLE registrations DROP COLUMN allow_people;
ALTER TABLE registrations DROP COLUMN add_domains;
