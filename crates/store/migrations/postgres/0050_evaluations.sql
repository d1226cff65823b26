-- Performance evaluation (issue 11): the record keeps the evaluation; these list columns let a third-party
-- evaluator see and queue the projects it was commissioned for, and count the grades fixed in a year.
-- Declared ties of evaluators to providers are what the conflict check reads when one is commissioned.
ALTER TABLE projects ADD COLUMN evaluator_org_id BIGINT REFERENCES organisations(id);
ALTER TABLE projects ADD COLUMN grade TEXT;
ALTER TABLE projects ADD COLUMN graded_on TEXT;
CREATE INDEX projects_evaluator ON projects(evaluator_org_id, id) WHERE evaluator_org_id IS NOT NULL;
CREATE INDEX projects_graded ON projects(graded_on, grade) WHERE graded_on IS NOT NULL;
CREATE TABLE evaluator_ties (
    id BIGSERIAL PRIMARY KEY,
    evaluator_org_id BIGINT NOT NULL REFERENCES organisations(id),
    provider_org_id BIGINT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    note TEXT NOT NULL,
    declared_by BIGINT NOT NULL REFERENCES users(id),
    declared_at TEXT NOT NULL
);
CREATE INDEX evaluator_ties_pair ON evaluator_ties(evaluator_org_id, provider_org_id);
CREATE INDEX evaluator_ties_provider ON evaluator_ties(provider_org_id, id);
CREATE INDEX evaluator_ties_declared_by ON evaluator_ties(declared_by);
