-- Each project under every level of its places — the first 2, 4, 6, 9 and 12 characters of its region codes
-- (province, city, county, township, village) — so a project list filtered by a region seeks that subtree's
-- projects newest first instead of walking every project. Written with the project's regions in the same
-- transaction; filled here from the regions already stored.
CREATE TABLE project_places (
    code TEXT NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    PRIMARY KEY (code, project_id)
);
INSERT INTO project_places (code, project_id)
SELECT DISTINCT substr(r.region, 1, l.len), r.project_id
FROM project_regions r
JOIN (SELECT 2 AS len UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12) l ON length(r.region) >= l.len
WHERE 1 = 1;
