-- Files a project's records refer to (service reports' attachments), one row each: who may download a file is
-- decided by the projects that hold it. Every project's list columns are filled again on this migration
-- (step '' marks them), which writes these rows too.
CREATE TABLE project_files (
    file_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    PRIMARY KEY (file_id, project_id)
);
UPDATE projects SET step = '';
