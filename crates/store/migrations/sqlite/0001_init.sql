-- Shanzhi schema, SQLite. Times are RFC 3339 UTC text; money is integer fen; flags are 0/1 integers (the same on both backends).
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    urban INTEGER NOT NULL,
    parent TEXT REFERENCES regions(code)
);
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    uscc TEXT UNIQUE,
    resident_id_enc TEXT,
    resident_id_masked TEXT,
    region TEXT REFERENCES regions(code),
    parent_id INTEGER REFERENCES organisations(id),
    class_one INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    contact TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organisations(id),
    roles TEXT NOT NULL,
    supervisor_region TEXT REFERENCES regions(code),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE sign_in_failures (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at TEXT NOT NULL
);
CREATE TABLE catalogue (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent TEXT REFERENCES catalogue(code),
    negative INTEGER NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    purchaser_org_id INTEGER NOT NULL REFERENCES organisations(id),
    provider_org_id INTEGER REFERENCES organisations(id),
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX projects_purchaser ON projects(purchaser_org_id);
CREATE INDEX projects_provider ON projects(provider_org_id);
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    org_id INTEGER,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit_events(object_type, object_id);
CREATE TABLE files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id),
    uploaded_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
