-- Fiscal years finance has closed (年终结账): nothing more is reserved, allocated or granted from their
-- budget lines. A closing is final: the rows cannot be changed or removed.
CREATE TABLE fiscal_years (
    year BIGINT PRIMARY KEY,
    closed_at TEXT NOT NULL,
    closed_by BIGINT REFERENCES users(id),
    closed_by_name TEXT NOT NULL
);
CREATE FUNCTION fiscal_years_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a closed fiscal year stays closed';
END;
$$;
CREATE TRIGGER fiscal_years_no_change BEFORE UPDATE OR DELETE ON fiscal_years FOR EACH ROW EXECUTE FUNCTION fiscal_years_final();
