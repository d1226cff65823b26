-- What lists filter, sort and sum projects on, as columns kept with the record in the same transaction
-- (`Project::facts`); filled for existing projects by the store on migration (step '' marks a row not yet filled).
ALTER TABLE projects ADD COLUMN year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN step TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN mode TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN contracted INTEGER;
ALTER TABLE projects ADD COLUMN signed_on TEXT;
-- Who the project may be waiting on (`Awaits` bits): the work queue's first cut.
ALTER TABLE projects ADD COLUMN awaits INTEGER NOT NULL DEFAULT 0;
-- A project's regions, one row each: supervisors' subtrees and the region filter are prefix ranges on `region`.
CREATE TABLE project_regions (
    region TEXT NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    PRIMARY KEY (region, project_id)
);
CREATE INDEX project_regions_project ON project_regions(project_id);
DROP INDEX projects_purchaser;
DROP INDEX projects_provider;
CREATE INDEX projects_purchaser ON projects(purchaser_org_id, id);
CREATE INDEX projects_provider ON projects(provider_org_id, id) WHERE provider_org_id IS NOT NULL;
CREATE INDEX projects_year ON projects(year, id);
CREATE INDEX projects_step ON projects(step, id);
CREATE INDEX projects_category ON projects(category, id);
CREATE INDEX projects_reviewed ON projects(id) WHERE reviewed = 1;
CREATE INDEX projects_awaiting ON projects(id) WHERE awaits <> 0;
CREATE INDEX projects_unfilled ON projects(id) WHERE step = '';
CREATE INDEX notices_kind ON notices(kind, id);
CREATE INDEX notices_project ON notices(project_id, id);
CREATE INDEX procurements_purchaser ON procurements(purchaser_org_id, id);
