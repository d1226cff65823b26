-- The ledger's payments and allocations grouped as the statistics read them (statistics.rs `ledger_sums`), kept in
-- the ledger's transaction: payments per year, fund source and the line's department; allocations per year, fund
-- source, the line's year and whether it was granted from another line. A province's year then reads a row per
-- department and source instead of every line it paid on, each looked up in `budgets` and grouped per request
-- (3,400 lines and 6–15 ms at a million projects, past what a p99 of 100 ms under load allows).
-- `statistics_ledger_groups` for the whole platform, `statistics_ledger_place_groups` per place (every level of the
-- projects' places, as `statistics_ledger_places`). Filled here from the sums already stored.
CREATE TABLE statistics_ledger_groups (
    movement TEXT NOT NULL,
    year BIGINT NOT NULL,
    source TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    line_year BIGINT NOT NULL,
    granted BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (movement, year, source, org_id, line_year, granted)
);
CREATE TABLE statistics_ledger_place_groups (
    code TEXT NOT NULL,
    movement TEXT NOT NULL,
    year BIGINT NOT NULL,
    source TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    line_year BIGINT NOT NULL,
    granted BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (code, movement, year, source, org_id, line_year, granted)
);
INSERT INTO statistics_ledger_groups (movement, year, source, org_id, line_year, granted, amount_fen)
SELECT t.movement, t.year, b.source,
       CASE WHEN t.movement = 'pay' THEN b.org_id ELSE 0 END,
       CASE WHEN t.movement = 'pay' THEN 0 ELSE b.year END,
       CASE WHEN t.movement = 'pay' OR b.granted_from IS NULL THEN 0 ELSE 1 END,
       SUM(t.amount_fen)
FROM statistics_ledger_totals t JOIN budgets b ON b.id = t.budget_id
WHERE t.movement IN ('pay', 'allocate')
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO statistics_ledger_place_groups (code, movement, year, source, org_id, line_year, granted, amount_fen)
SELECT l.code, l.movement, l.year, b.source,
       CASE WHEN l.movement = 'pay' THEN b.org_id ELSE 0 END,
       CASE WHEN l.movement = 'pay' THEN 0 ELSE b.year END,
       CASE WHEN l.movement = 'pay' OR b.granted_from IS NULL THEN 0 ELSE 1 END,
       SUM(l.amount_fen)
FROM statistics_ledger_places l JOIN budgets b ON b.id = l.budget_id
WHERE l.movement IN ('pay', 'allocate')
GROUP BY 1, 2, 3, 4, 5, 6, 7
HAVING SUM(l.amount_fen) <> 0;
