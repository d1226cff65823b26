-- A department's work queue walks its projects newest first until twenty await something: at a million projects
-- most of a department's projects are finished, and each was looked up to be skipped. Only the awaiting ones.
CREATE INDEX projects_purchaser_awaiting ON projects (purchaser_org_id, id) WHERE awaits <> 0;
