-- Red flags (shanzhi_domain::red_flags), raised in the transaction of the step that makes their evidence known.
-- Who, where and when are columns, so the supervisors' list seeks by each filter newest first; the project's
-- places (every level of each of its regions, as notice_regions) make a region subtree a seek.
CREATE TABLE red_flags (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    procurement_id BIGINT,
    project_code TEXT NOT NULL,
    title TEXT NOT NULL,
    buyer_org_id BIGINT NOT NULL,
    buyer_name TEXT NOT NULL,
    provider_org_id BIGINT,
    provider_name TEXT,
    region TEXT NOT NULL,
    year BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    raised_at TEXT NOT NULL
);
CREATE INDEX red_flags_code ON red_flags (code, id);
CREATE INDEX red_flags_year ON red_flags (year, id);
CREATE INDEX red_flags_buyer ON red_flags (buyer_org_id, id);
CREATE INDEX red_flags_provider ON red_flags (provider_org_id, id);
CREATE INDEX red_flags_project ON red_flags (project_id, id);
CREATE TABLE red_flag_places (
    code TEXT NOT NULL,
    flag_id BIGINT NOT NULL,
    PRIMARY KEY (code, flag_id)
);
-- How many flags of each code a year, per place ('' for everywhere) and buyer: the report summary's and the public
-- portal's figures, added to with each flag.
CREATE TABLE red_flag_tallies (
    year BIGINT NOT NULL,
    place TEXT NOT NULL,
    buyer_org_id BIGINT NOT NULL,
    code TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (year, place, buyer_org_id, code)
);
-- Each project's award, as the flags that look across one buyer's purchases read them (repeat_winner, splitting).
CREATE TABLE award_facts (
    project_id BIGINT PRIMARY KEY,
    buyer_org_id BIGINT NOT NULL,
    provider_org_id BIGINT NOT NULL,
    category TEXT NOT NULL,
    region TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    awarded_on TEXT NOT NULL
);
CREATE INDEX award_facts_provider ON award_facts (buyer_org_id, provider_org_id, awarded_on);
CREATE INDEX award_facts_category ON award_facts (buyer_org_id, category, awarded_on);
