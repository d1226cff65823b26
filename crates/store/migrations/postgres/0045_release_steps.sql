-- Open data's feed of public steps (OCDS releases) reads the audit log's public-step events in commit order: this
-- index holds exactly those, so a page seeks its first step and reads no other event. The list of actions is the
-- one `open_data::STEPS` queries with; the planner uses the index only when the two are the same.
CREATE INDEX audit_release_steps ON audit_events (seq)
    WHERE action IN ('notice.publish', 'project.milestone_accept', 'project.cancel', 'project.terminate');
