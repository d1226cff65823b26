-- A project's and a procurement's record (`data`, their JSON, 3–13 KB) become the last column of their rows. SQLite
-- stores a row's columns in order and a large value on overflow pages, so every column added after the record by
-- later migrations (the list columns: title, purchaser, year, step, region, method, …) could only be read by
-- walking the record's overflow pages first: each row of a project list or a welfare-lottery warning read three or
-- four pages instead of one (a project API page at 10,000 generated projects cost 94 µs of server CPU instead of
-- 75). PostgreSQL keeps large values out of line and needs no such change. The column keeps its name; the rows are
-- rewritten once (`migrate` runs it with temporary storage in a file: in memory it held 6 GB for a million projects).
ALTER TABLE projects RENAME COLUMN data TO data_before;
ALTER TABLE projects ADD COLUMN data TEXT NOT NULL DEFAULT '';
UPDATE projects SET data = data_before;
ALTER TABLE projects DROP COLUMN data_before;
ALTER TABLE procurements RENAME COLUMN data TO data_before;
ALTER TABLE procurements ADD COLUMN data TEXT NOT NULL DEFAULT '';
UPDATE procurements SET data = data_before;
ALTER TABLE procurements DROP COLUMN data_before;
