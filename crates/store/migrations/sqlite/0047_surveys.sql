-- Service users' satisfaction survey (issue 11): the one-time codes a project's purchaser or provider issued, kept
-- only as keyed hashes (`tag`), and the answers, one per code and survey period. Nothing names the person.
CREATE TABLE survey_codes (
    tag TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    batch INTEGER NOT NULL,
    issued_by INTEGER NOT NULL REFERENCES users(id),
    issued_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX survey_codes_project ON survey_codes(project_id, batch);
CREATE INDEX survey_codes_issued_by ON survey_codes(issued_by);
CREATE TABLE survey_answers (
    tag TEXT NOT NULL,
    period INTEGER NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    satisfaction TEXT NOT NULL,
    on_time INTEGER NOT NULL,
    recommend INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (tag, period)
) WITHOUT ROWID;
CREATE INDEX survey_answers_project ON survey_answers(project_id, satisfaction);
