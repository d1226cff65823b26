-- Provider self-registration verified by civil affairs, and the expert pool kept by finance.
-- Organisations added before (by an administrator or the demo) count as verified.
ALTER TABLE organisations ADD COLUMN verification TEXT NOT NULL DEFAULT 'verified';
ALTER TABLE organisations ADD COLUMN registered_at TEXT;
ALTER TABLE organisations ADD COLUMN verified_by INTEGER REFERENCES users(id);
ALTER TABLE organisations ADD COLUMN verified_at TEXT;
ALTER TABLE organisations ADD COLUMN rejection_reason TEXT;
-- One row per expert, keyed by the expert's user account. Lists are JSON arrays, checked by the web layer
-- against the catalogue and the organisations: categories ["A07", …], former_employers
-- [{"org_id": 3, "until": "2024-06-30"}, …], declared_ties [3, …].
CREATE TABLE experts (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    categories TEXT NOT NULL,
    org_id INTEGER REFERENCES organisations(id),
    former_employers TEXT NOT NULL DEFAULT '[]',
    declared_ties TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
