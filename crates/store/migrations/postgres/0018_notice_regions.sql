-- Each notice under every level of its project's places — the first 2, 4, 6, 9 and 12 characters of a region code
-- (province, city, county, township, village) — so a notice list filtered by a region seeks the notices of that
-- subtree newest first instead of walking every notice. Kept with the notice (and with the project's regions, should
-- they change) in the same transaction; filled here for the notices already published.
CREATE TABLE notice_regions (
    code TEXT NOT NULL,
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    PRIMARY KEY (code, notice_id)
);
INSERT INTO notice_regions (code, notice_id)
SELECT DISTINCT substr(r.region, 1, l.len), n.id
FROM notices n
JOIN project_regions r ON r.project_id = n.project_id
JOIN (SELECT 2 AS len UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12) l ON length(r.region) >= l.len
WHERE 1 = 1;
