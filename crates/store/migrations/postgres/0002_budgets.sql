-- Budgets and the append-only money ledger. Balances are derived from the ledger, never stored.
CREATE TABLE budgets (
    id BIGSERIAL PRIMARY KEY,
    year BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    source TEXT NOT NULL,
    donor TEXT,
    granted_from BIGINT REFERENCES budgets(id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX budgets_org_year ON budgets(org_id, year);
CREATE TABLE ledger (
    id BIGSERIAL PRIMARY KEY,
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    movement TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    project_id BIGINT REFERENCES projects(id),
    actor_id BIGINT,
    at TEXT NOT NULL
);
CREATE INDEX ledger_budget ON ledger(budget_id);
CREATE INDEX ledger_project ON ledger(project_id);
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only';
END;
$$;
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
