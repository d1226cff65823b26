-- Blacklisting (政府采购法 §77): finance's decisions barring a provider from government purchasing for one to three
-- years, and on the organisation the last day of its latest bar, kept in the same transaction, so that every act a
-- provider makes reads whether it is barred with the organisation itself.
ALTER TABLE organisations ADD COLUMN barred_until TEXT;
CREATE TABLE blacklistings (
    id BIGSERIAL PRIMARY KEY,
    provider_org_id BIGINT NOT NULL REFERENCES organisations(id),
    from_on TEXT NOT NULL,
    until_on TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX blacklistings_provider ON blacklistings(provider_org_id, id);
