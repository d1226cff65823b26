-- Each department's figures of a year in one row, kept in the same transactions as what they sum: its contracts
-- (projects, posts and amount, as the department rows of `statistics_totals`) and what its budget lines paid
-- (the payments of `statistics_ledger_groups`). The statistics list a province's departments largest first and
-- show the first twenty: ordered by the index below, which holds every column (so their count reads no table
-- either), they read twenty rows instead of summing 1,300 departments' contracts and 3,400 payment groups at every
-- request (3.4 ms at a hundred counties). Filled here from the sums already stored.
CREATE TABLE statistics_departments (
    year INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    projects INTEGER NOT NULL,
    posts INTEGER NOT NULL,
    contracted_fen INTEGER NOT NULL,
    paid_fen INTEGER NOT NULL,
    PRIMARY KEY (year, org_id)
);
CREATE INDEX statistics_departments_largest
    ON statistics_departments (year, contracted_fen DESC, paid_fen DESC, org_id, projects, posts);
INSERT INTO statistics_departments (year, org_id, projects, posts, contracted_fen, paid_fen)
SELECT year, org_id, SUM(projects), SUM(posts), SUM(contracted), SUM(paid) FROM (
    SELECT year, CAST(key AS INTEGER) AS org_id, projects, posts, amount_fen AS contracted, 0 AS paid
    FROM statistics_totals WHERE kind = 'department'
    UNION ALL
    SELECT year, org_id, 0, 0, 0, amount_fen FROM statistics_ledger_groups WHERE movement = 'pay'
) u GROUP BY year, org_id;
