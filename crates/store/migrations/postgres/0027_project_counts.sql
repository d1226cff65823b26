-- A home page counts a department's projects by step: with the step beside the organisation in the index the
-- count is read from the index alone, without visiting each project's row.
CREATE INDEX projects_purchaser_step ON projects (purchaser_org_id, step);
CREATE INDEX projects_provider_step ON projects (provider_org_id, step) WHERE provider_org_id IS NOT NULL;
