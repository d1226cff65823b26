-- A provider's credit record counts its service reports filed late and its milestones rejected (issue 11): list
-- columns of the project, kept with its record and summed per provider. The record and its shape go back to the end
-- of the row (as migrations 34 and 46 put them). Projects with a contract are refilled from their records once
-- (an empty step is what the list-column fill looks for).
ALTER TABLE projects ADD COLUMN reports_late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN reports_rejected INTEGER NOT NULL DEFAULT 0;
-- The evaluation's total (hundredths of a point) beside its grade, which the sector overview averages.
ALTER TABLE projects ADD COLUMN score INTEGER;
ALTER TABLE projects RENAME COLUMN data TO data_before;
ALTER TABLE projects ADD COLUMN data TEXT NOT NULL DEFAULT '';
UPDATE projects SET data = data_before;
ALTER TABLE projects DROP COLUMN data_before;
ALTER TABLE projects RENAME COLUMN shape TO shape_before;
ALTER TABLE projects ADD COLUMN shape INTEGER NOT NULL DEFAULT 0;
UPDATE projects SET shape = shape_before;
ALTER TABLE projects DROP COLUMN shape_before;
UPDATE projects SET step = '' WHERE contracted IS NOT NULL;
-- A public complaint the department finds true counts against a provider's credit record: the provider it was about,
-- or the project's, as the department answered it.
ALTER TABLE feedback ADD COLUMN upheld_against INTEGER REFERENCES organisations(id);
CREATE INDEX feedback_upheld ON feedback(upheld_against) WHERE upheld_against IS NOT NULL;
