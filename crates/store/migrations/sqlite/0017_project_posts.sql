-- A contract's social-work posts, one row each: the post list pages over the projects that have them (seen by
-- the project's readers and by the unit hosting the post), and counts running and filled posts in SQL. Every
-- project's list columns are filled again on this migration (step '' marks them), which writes these rows.
CREATE TABLE project_posts (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    idx INTEGER NOT NULL,
    host_org_id INTEGER NOT NULL,
    filled INTEGER NOT NULL,
    PRIMARY KEY (project_id, idx)
);
CREATE INDEX project_posts_host ON project_posts (host_org_id, project_id);
UPDATE projects SET step = '';
