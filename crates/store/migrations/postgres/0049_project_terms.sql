-- Search projects by words (issue 10): every two neighbouring characters of a project's title, as `notice_terms`
-- holds a notice's, so that `/projects?q=养老` seeks the newest projects holding every term instead of reading every
-- title. A side row of the project, rewritten with its record when the title changes
-- (`shanzhi_domain::search::bigrams`); filled here from the list column `title`.
CREATE TABLE project_terms (
    term TEXT COLLATE "C" NOT NULL,
    project_id BIGINT NOT NULL,
    PRIMARY KEY (term, project_id)
);
INSERT INTO project_terms (term, project_id)
SELECT DISTINCT substr(p.t, i, 2), p.id
FROM (SELECT id, lower(title COLLATE "C") AS t FROM projects) p, generate_series(1, char_length(p.t) - 1) AS i
WHERE strpos(substr(p.t, i, 2), ' ') = 0 AND strpos(substr(p.t, i, 2), '　') = 0
ON CONFLICT DO NOTHING;
