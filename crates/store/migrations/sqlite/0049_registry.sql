-- The provider registry: a provider's profile, the places and categories it serves as rows of their own (the sector
-- overview counts by them, and a township is found served by an index lookup per level), its qualifications with
-- their documents and expiry (an index finds the ones to flag), and its staff's training.
CREATE TABLE provider_profiles (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id),
    founded_on TEXT NOT NULL,
    registered_capital INTEGER NOT NULL,
    staff INTEGER NOT NULL,
    sw_assistant INTEGER NOT NULL,
    sw_intermediate INTEGER NOT NULL,
    sw_senior INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE provider_areas (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    region TEXT NOT NULL REFERENCES regions(code),
    PRIMARY KEY (org_id, region)
);
CREATE INDEX provider_areas_region ON provider_areas(region, org_id);
CREATE TABLE provider_categories (
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    category TEXT NOT NULL,
    PRIMARY KEY (org_id, category)
);
CREATE INDEX provider_categories_category ON provider_categories(category, org_id);
CREATE TABLE qualifications (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    expires_on TEXT,
    file_id INTEGER NOT NULL REFERENCES files(id),
    added_at TEXT NOT NULL,
    verified_at TEXT,
    verified_by INTEGER REFERENCES users(id),
    data TEXT NOT NULL
);
CREATE INDEX qualifications_org ON qualifications(org_id, id);
CREATE INDEX qualifications_expiry ON qualifications(expires_on) WHERE expires_on IS NOT NULL;
CREATE INDEX qualifications_file ON qualifications(file_id);
CREATE INDEX qualifications_verified_by ON qualifications(verified_by);
CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    held_on TEXT NOT NULL,
    hours INTEGER NOT NULL,
    participants INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX trainings_org ON trainings(org_id, id);
