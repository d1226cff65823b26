-- Indexes a bulk load into an empty store dropped until its end (`store/src/list_indexes.rs`), with their
-- definitions: made again when the load ends, or when the store is next opened if it was cut short.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);
