-- Fingerprints of the keys this store's data is sealed with (the data key, the bid master key): a keyed hash
-- under a random salt, never the key. Opening the store with a missing or different key is refused instead
-- of a new key being made silently (see crates/store/src/keyring.rs).
CREATE TABLE key_fingerprints (
    name TEXT PRIMARY KEY,
    salt TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
