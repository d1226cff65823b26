-- Indexes the write paths need: a project's places, its files and its notices' places are replaced on every save
-- by project or notice, and a procurement's notices are found by procurement. Without them each save walked the
-- whole table, so generating a province slowed with every project stored (a notice's places took 0.5 ms at 4,000
-- projects and twice that at 8,000).
CREATE INDEX project_places_project ON project_places (project_id);
CREATE INDEX notice_regions_notice ON notice_regions (notice_id);
CREATE INDEX project_files_project ON project_files (project_id);
CREATE INDEX notices_procurement ON notices (procurement_id);
