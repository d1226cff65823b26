-- Each project's welfare-lottery commitments (its 'lottery' rows of statistics_rows) once per place it is in
-- (every level of its places, as in project_places), rewritten with those rows in the saving transaction
-- (contribution.rs): a region's lottery warnings — its commitments outside social work, newest first, and their
-- count — are read from the place's own rows instead of testing each of the province's commitments of the year
-- for the place (18 ms for a county at a million projects). Its key to projects is checked at a batch's commit,
-- as the others are (migration 31).
CREATE TABLE statistics_place_lottery (
    code TEXT NOT NULL,
    year BIGINT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id) DEFERRABLE INITIALLY IMMEDIATE,
    key TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (code, year, project_id)
);
CREATE INDEX statistics_place_lottery_project ON statistics_place_lottery (project_id);
INSERT INTO statistics_place_lottery (code, year, project_id, key, amount_fen)
SELECT pl.code, s.year, s.project_id, s.key, s.amount_fen
FROM statistics_rows s JOIN project_places pl ON pl.project_id = s.project_id
WHERE s.kind = 'lottery';
-- The whole platform's warnings of a year newest first, from the year's lottery rows in project order.
CREATE INDEX statistics_rows_lottery_year ON statistics_rows (year, project_id) WHERE kind = 'lottery';
-- A year's payments per line read from the index alone.
DROP INDEX statistics_ledger_totals_year;
CREATE INDEX statistics_ledger_totals_year ON statistics_ledger_totals (year, movement, budget_id, amount_fen);
-- A year's original welfare-lottery lines, for their allocations; every line's year and kind from the index alone.
CREATE INDEX budgets_year_source ON budgets (year, source, granted_from);
