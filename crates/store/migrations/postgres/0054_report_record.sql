-- A provider's credit record counts its service reports filed late and its milestones rejected (issue 11): list
-- columns of the project, kept with its record and summed per provider. Projects with a contract are refilled from
-- their records once (an empty step is what the list-column fill looks for).
ALTER TABLE projects ADD COLUMN reports_late BIGINT NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN reports_rejected BIGINT NOT NULL DEFAULT 0;
-- The evaluation's total (hundredths of a point) beside its grade, which the sector overview averages.
ALTER TABLE projects ADD COLUMN score BIGINT;
UPDATE projects SET step = '' WHERE contracted IS NOT NULL;
-- A public complaint the department finds true counts against a provider's credit record: the provider it was about,
-- or the project's, as the department answered it.
ALTER TABLE feedback ADD COLUMN upheld_against BIGINT REFERENCES organisations(id);
CREATE INDEX feedback_upheld ON feedback(upheld_against) WHERE upheld_against IS NOT NULL;
