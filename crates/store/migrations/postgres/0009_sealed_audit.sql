-- The audit chain split from its content (hash rule 2): an event's hash covers the previous hash, its number, time
-- and action and the SHA-256 of its payload, so anyone can verify the chain while only readers in the payload's
-- scope read it. Events sealed before keep their hashes and verify by the old rule (1). `scope` says who may read
-- a payload (see shanzhi_domain::audit::Scope); it is filled in when an event is appended, and once for old events.
ALTER TABLE audit_events ADD COLUMN rule BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_events ADD COLUMN payload_hash TEXT;
ALTER TABLE audit_events ADD COLUMN scope TEXT;
-- Finds the events still without a scope at start-up without reading the whole chain.
CREATE INDEX audit_events_unscoped ON audit_events(seq) WHERE scope IS NULL;
-- Records of what providers do while bids are sealed (bids, their files, withdrawals, interest, questions) wait
-- here, sealed with the procurement's bid key, until the opening puts them in the chain: before it, neither the
-- chain nor its length tells anyone that a bid exists.
CREATE TABLE sealed_events (
    id BIGSERIAL PRIMARY KEY,
    procurement_id BIGINT NOT NULL REFERENCES procurements(id),
    sealed TEXT NOT NULL
);
CREATE INDEX sealed_events_procurement ON sealed_events(procurement_id);
