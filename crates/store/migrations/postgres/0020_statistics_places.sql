-- The statistics' summary rows summed per place (every level of a project's places, as in project_places),
-- changed by the difference a save makes: a county's or township's figures without reading a row per project.
-- Filled here from the rows already stored.
CREATE TABLE statistics_place_totals (
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    projects BIGINT NOT NULL,
    posts BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (code, kind, year, key)
);
INSERT INTO statistics_place_totals (code, kind, year, key, projects, posts, amount_fen)
SELECT pl.code, s.kind, s.year, s.key, SUM(s.projects), SUM(s.posts), SUM(s.amount_fen)
FROM statistics_rows s JOIN project_places pl ON pl.project_id = s.project_id
GROUP BY pl.code, s.kind, s.year, s.key;
