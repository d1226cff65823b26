-- Budgets and the append-only money ledger. Balances are derived from the ledger, never stored.
CREATE TABLE budgets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    year INTEGER NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    source TEXT NOT NULL,
    donor TEXT,
    granted_from INTEGER REFERENCES budgets(id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX budgets_org_year ON budgets(org_id, year);
CREATE TABLE ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    budget_id INTEGER NOT NULL REFERENCES budgets(id),
    movement TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    project_id INTEGER REFERENCES projects(id),
    actor_id INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX ledger_budget ON ledger(budget_id);
CREATE INDEX ledger_project ON ledger(project_id);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
