-- Procurement: the working record (JSON, like projects), sealed bids, and public notices.
CREATE TABLE procurements (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    version BIGINT NOT NULL,
    stage TEXT NOT NULL,
    purchaser_org_id BIGINT NOT NULL REFERENCES organisations(id),
    agency_org_id BIGINT REFERENCES organisations(id),
    -- The procurement's own bid key, sealed with the bid master key kept outside the database.
    wrapped_key TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX procurements_project ON procurements(project_id);
-- A sealed bid names its bidder only inside the ciphertext; bidder_tag is a keyed hash that lets the bidder's
-- own requests find it without revealing who it is to a database reader.
CREATE TABLE bids (
    id BIGSERIAL PRIMARY KEY,
    procurement_id BIGINT NOT NULL REFERENCES procurements(id),
    round BIGINT NOT NULL,
    bidder_tag TEXT NOT NULL,
    sealed TEXT NOT NULL,
    receipt TEXT NOT NULL,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    submitted_at TEXT NOT NULL,
    UNIQUE (procurement_id, round, bidder_tag)
);
CREATE TABLE notices (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    procurement_id BIGINT REFERENCES procurements(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_on TEXT NOT NULL,
    ends_on TEXT,
    published_at TEXT NOT NULL
);
CREATE INDEX notices_published ON notices(published_on);
