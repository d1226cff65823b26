-- What a list shows of a project beside what it filters on (`ProjectItem`), so a page of projects is read from
-- columns without decoding 50 records. Setting `step` to '' makes the store refill every project's list columns
-- from its record on this migration (see migration 12).
ALTER TABLE projects ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN purchaser_name TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN returned INTEGER NOT NULL DEFAULT 0;
UPDATE projects SET step = '';
