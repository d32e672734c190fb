-- 0015: named admin API tokens with roles and the admin audit log
-- (docs/security.md, "Admin API tokens and roles", "Audit log"). Tokens are
-- kept as SHA-256 hashes; a token row changes once, when revoked_at is set.
-- Audit entries are appended, never edited.

CREATE TABLE api_tokens (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE admin_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  token_name TEXT NOT NULL,
  role TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  target TEXT NOT NULL,
  summary TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  result TEXT NOT NULL
);
CREATE INDEX admin_audit_at ON admin_audit (at);
