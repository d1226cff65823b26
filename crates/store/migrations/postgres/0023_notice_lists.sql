-- Every combination of the public notice list's filters (kind, year, place) is a seek that reads the newest first
-- and stops at the page's end. Without these a year's notices were sorted whole for each page, and a place's
-- notices of one kind and year walked all of the place's notices (13 ms for the province at 10,000 projects, a
-- hundred times that at a million). A notice never changes, so its kind and year are copied once.
ALTER TABLE notices ADD COLUMN year BIGINT NOT NULL DEFAULT 0;
UPDATE notices SET year = CAST(substr(published_on, 1, 4) AS BIGINT);
CREATE INDEX notices_year ON notices (year, id);
CREATE INDEX notices_kind_year ON notices (kind, year, id);
ALTER TABLE notice_regions ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE notice_regions ADD COLUMN year BIGINT NOT NULL DEFAULT 0;
UPDATE notice_regions SET
    kind = (SELECT n.kind FROM notices n WHERE n.id = notice_regions.notice_id),
    year = (SELECT n.year FROM notices n WHERE n.id = notice_regions.notice_id);
CREATE INDEX notice_regions_kind ON notice_regions (code, kind, notice_id);
CREATE INDEX notice_regions_year ON notice_regions (code, year, notice_id);
CREATE INDEX notice_regions_kind_year ON notice_regions (code, kind, year, notice_id);
