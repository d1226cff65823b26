-- Approvals of a method other than open tender at or above the open-tender threshold (政府采购法 §27): the
-- purchaser's application and the finance department's decision, as JSON like procurements. `region` is the
-- project's, so an approving authority lists those of its region by prefix.
CREATE TABLE method_approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    version INTEGER NOT NULL,
    region TEXT NOT NULL,
    decided INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX method_approvals_project ON method_approvals(project_id);
CREATE INDEX method_approvals_region ON method_approvals(region);
