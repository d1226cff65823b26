-- A password set by an administrator's reset must be changed before the account can do anything else.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
-- Failed sign-ins are counted per client address and per username at an address (the key says which), no
-- longer per username alone: that let anyone lock a named account out.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at TEXT NOT NULL
);
-- Counts idle for a day are forgiven and swept away.
CREATE INDEX sign_in_throttle_last ON sign_in_throttle(last_at);
