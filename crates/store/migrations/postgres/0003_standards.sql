-- Spending standards: the most one unit of a service may cost.
CREATE TABLE standards (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    max_unit_price_fen BIGINT NOT NULL CHECK (max_unit_price_fen > 0),
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
