-- Fiscal years finance has closed (年终结账): nothing more is reserved, allocated or granted from their
-- budget lines. A closing is final: the rows cannot be changed or removed.
CREATE TABLE fiscal_years (
    year INTEGER PRIMARY KEY,
    closed_at TEXT NOT NULL,
    closed_by INTEGER REFERENCES users(id),
    closed_by_name TEXT NOT NULL
);
CREATE TRIGGER fiscal_years_no_update BEFORE UPDATE ON fiscal_years BEGIN SELECT RAISE(ABORT, 'a closed fiscal year stays closed'); END;
CREATE TRIGGER fiscal_years_no_delete BEFORE DELETE ON fiscal_years BEGIN SELECT RAISE(ABORT, 'a closed fiscal year stays closed'); END;
