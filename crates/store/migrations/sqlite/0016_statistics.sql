-- The statistics' summary rows, written in the same transaction as what they sum (see `statistics.rs`).
-- What each project adds (`statistics::sums::contribution`), rewritten whenever the project is saved: a reader's
-- part of the district is the sum of its projects' rows.
CREATE TABLE statistics_rows (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    key TEXT NOT NULL,
    projects INTEGER NOT NULL,
    posts INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind, year, key)
);
CREATE INDEX statistics_rows_lottery ON statistics_rows(kind, key, year) WHERE kind = 'lottery';
-- The same rows summed over every project, changed by the difference a save makes: the whole platform's figures
-- without reading a row per project.
CREATE TABLE statistics_totals (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    key TEXT NOT NULL,
    projects INTEGER NOT NULL,
    posts INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    PRIMARY KEY (kind, year, key)
);
-- The ledger summed by line, project (0 for none), movement and the year of the entry (China date); and by line,
-- movement and year alone for the whole platform. Both added to with every entry.
CREATE TABLE statistics_ledger (
    budget_id INTEGER NOT NULL REFERENCES budgets(id),
    project_id INTEGER NOT NULL,
    movement TEXT NOT NULL,
    year INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    PRIMARY KEY (project_id, budget_id, movement, year)
);
CREATE TABLE statistics_ledger_totals (
    budget_id INTEGER NOT NULL REFERENCES budgets(id),
    movement TEXT NOT NULL,
    year INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    PRIMARY KEY (budget_id, movement, year)
);
