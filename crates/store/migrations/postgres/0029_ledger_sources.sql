-- The ledger's sums per movement, year and fund source, kept in the ledger's transaction (statistics.rs
-- add_ledger_sums): a year's figures read the other years' payments by fund source (the trend) from here, a few
-- dozen rows, instead of summing every line's payments in every year.
CREATE TABLE statistics_ledger_sources (
    movement TEXT NOT NULL,
    year BIGINT NOT NULL,
    source TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (movement, year, source)
);
INSERT INTO statistics_ledger_sources (movement, year, source, amount_fen)
SELECT t.movement, t.year, b.source, SUM(t.amount_fen)
FROM statistics_ledger_totals t JOIN budgets b ON b.id = t.budget_id
GROUP BY t.movement, t.year, b.source;
-- The asked year's movements per line, found by year.
CREATE INDEX statistics_ledger_totals_year ON statistics_ledger_totals (year, movement);
