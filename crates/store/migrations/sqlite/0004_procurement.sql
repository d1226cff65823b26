-- Procurement: the working record (JSON, like projects), sealed bids, and public notices.
CREATE TABLE procurements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    version INTEGER NOT NULL,
    stage TEXT NOT NULL,
    purchaser_org_id INTEGER NOT NULL REFERENCES organisations(id),
    agency_org_id INTEGER REFERENCES organisations(id),
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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    procurement_id INTEGER NOT NULL REFERENCES procurements(id),
    round INTEGER NOT NULL,
    bidder_tag TEXT NOT NULL,
    sealed TEXT NOT NULL,
    receipt TEXT NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT NOT NULL,
    UNIQUE (procurement_id, round, bidder_tag)
);
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    procurement_id INTEGER REFERENCES procurements(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_on TEXT NOT NULL,
    ends_on TEXT,
    published_at TEXT NOT NULL
);
CREATE INDEX notices_published ON notices(published_on);
