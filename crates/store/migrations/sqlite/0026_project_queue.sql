-- What a work queue needs of a project beside its status and `awaits` (`Waiting`), so a queue is read from
-- columns without decoding its candidates' records: who designed it (reviewers never review their own design)
-- and what the purchasing department is to do.
ALTER TABLE projects ADD COLUMN designer_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN purchaser_duty TEXT;
-- Setting `step` to '' makes the store refill every project's list columns and side rows from its record on this
-- migration (see migration 12).
UPDATE projects SET step = '';
