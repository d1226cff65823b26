-- Scheduled jobs run once however many servers share the database: a run is claimed by inserting its row, and
-- UNIQUE(job, run_key) lets exactly one server's insert succeed. The run key is the period the run is for (the
-- China date of the daily purge, the slot start of the deadline sweep). The claim, the work, this record and
-- the audit event are one transaction, so a run that fails leaves no row and is done again at the next tick.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    run_key TEXT NOT NULL,
    -- The server (serve --instance) that did the run.
    server TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    -- What the run did, as JSON: rows deleted, duties marked and resolved.
    outcome TEXT NOT NULL,
    UNIQUE (job, run_key)
);
CREATE INDEX job_runs_started ON job_runs(started_at);
-- Procurement duties the deadline sweep found past their due date: one row per duty (its code, the challenge
-- it is about or 0, its due date), open until the duty is no longer outstanding. A change that does the duty
-- resolves the mark in its own transaction; the sweep resolves any other. Kept afterwards as the record of
-- who was late, from when until when.
CREATE TABLE overdue_duties (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    procurement_id INTEGER NOT NULL REFERENCES procurements(id),
    code TEXT NOT NULL,
    challenge INTEGER NOT NULL DEFAULT 0,
    due TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    marked_by_run INTEGER NOT NULL REFERENCES job_runs(id),
    resolved_at TEXT,
    resolved_by TEXT,
    UNIQUE (procurement_id, code, challenge, due)
);
CREATE INDEX overdue_duties_open ON overdue_duties(procurement_id) WHERE resolved_at IS NULL;
