-- Search projects by words (issue 10): every two neighbouring characters of a project's title, as `notice_terms`
-- holds a notice's, so that `/projects?q=养老` seeks the newest projects holding every term instead of reading every
-- title. A side row of the project, rewritten with its record when the title changes
-- (`shanzhi_domain::search::bigrams`); filled here from the list column `title`.
CREATE TABLE project_terms (
    term TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    PRIMARY KEY (term, project_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO project_terms (term, project_id)
WITH RECURSIVE at(id, t, i) AS (
    SELECT id, lower(title), 1 FROM projects WHERE length(title) >= 2
    UNION ALL
    SELECT id, t, i + 1 FROM at WHERE i < length(t) - 1
)
SELECT substr(t, i, 2), id FROM at WHERE instr(substr(t, i, 2), ' ') = 0 AND instr(substr(t, i, 2), '　') = 0;
