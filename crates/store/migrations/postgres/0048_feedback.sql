-- Public feedback on services (公众意见): a rating and/or a problem about a project or a provider, routed to the
-- competent department (`department_org_id`), due on `due_on` (a China date), answered with a summary that is
-- published. The sender's own words stay in `data`, for the department; the contact is sealed with the data key in
-- `contact` and never leaves the store in clear except to the department's masked screens. Lists read by index:
-- a department's queue, a supervisor's region, the overdue ones, a project's published answers.
CREATE TABLE feedback (
    id BIGSERIAL PRIMARY KEY,
    version BIGINT NOT NULL,
    subject TEXT NOT NULL,
    project_id BIGINT REFERENCES projects(id),
    provider_org_id BIGINT REFERENCES organisations(id),
    department_org_id BIGINT NOT NULL REFERENCES organisations(id),
    region TEXT NOT NULL,
    answered BIGINT NOT NULL DEFAULT 0,
    due_on TEXT NOT NULL,
    received_at TEXT NOT NULL,
    data TEXT NOT NULL,
    contact TEXT
);
CREATE INDEX feedback_department ON feedback(department_org_id, answered, id);
CREATE INDEX feedback_region ON feedback((region COLLATE "C"), id);
CREATE INDEX feedback_overdue ON feedback(answered, due_on, id);
CREATE INDEX feedback_project ON feedback(project_id, answered, id);
CREATE INDEX feedback_provider ON feedback(provider_org_id, answered, id);
-- How many items each client address (a keyed hash of it, not the address) filed in its current hour.
CREATE TABLE feedback_senders (
    key TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    filed BIGINT NOT NULL
);
CREATE INDEX feedback_senders_window ON feedback_senders(window_start);
-- The competent civil affairs bureau of a place, found by kind and seat.
CREATE INDEX organisations_kind_region ON organisations(kind, region);
