-- What a list shows of a project beside what it filters on (`ProjectItem`), so a page of projects is read from
-- columns without decoding 50 records.
ALTER TABLE projects ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN purchaser_name TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN returned INTEGER NOT NULL DEFAULT 0;
-- Every combination of the step and year filters, with a place or without, is a seek that reads the newest first
-- and stops at the page's end: without these, a place's projects of one step and year walked all of the place's
-- projects (60 ms at 10,000 projects for the province, and a hundred times that at a million).
ALTER TABLE project_places ADD COLUMN step TEXT NOT NULL DEFAULT '';
ALTER TABLE project_places ADD COLUMN year INTEGER NOT NULL DEFAULT 0;
CREATE INDEX project_places_step ON project_places (code, step, project_id);
CREATE INDEX project_places_year ON project_places (code, year, project_id);
CREATE INDEX project_places_step_year ON project_places (code, step, year, project_id);
CREATE INDEX projects_step_year ON projects (step, year, id);
-- Setting `step` to '' makes the store refill every project's list columns and side rows from its record on this
-- migration (see migration 12).
UPDATE projects SET step = '';
