-- Files attached to sealed bids: sealed with the procurement's bid key like the bids themselves (name and
-- content), and found by the bidder's keyed tag, never by a plain organisation id.
CREATE TABLE bid_files (
    id BIGSERIAL PRIMARY KEY,
    procurement_id BIGINT NOT NULL REFERENCES procurements(id),
    bidder_tag TEXT NOT NULL,
    name_sealed TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sealed TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX bid_files_procurement ON bid_files(procurement_id);
