-- Core tables (PostgreSQL). The same shapes as the SQLite schema; epoch-ms columns are
-- BIGINT (the engine parses int8 as a JavaScript number).
CREATE TABLE signups (
  id              TEXT PRIMARY KEY,
  source          TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'rejected', 'dead')),
  impression_id   TEXT NOT NULL,
  first_name      TEXT,
  last_name       TEXT,
  email           TEXT,
  email_norm      TEXT,
  profile_picture TEXT,
  metadata        TEXT,
  client_key      TEXT,
  request_hash    TEXT,
  upstream_key    TEXT NOT NULL UNIQUE,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  delivered_at    BIGINT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  failures        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  referral_id     TEXT,
  program_id      TEXT,
  student_id      TEXT,
  referral_status TEXT
);
CREATE UNIQUE INDEX signups_client_key ON signups (client_key) WHERE client_key IS NOT NULL;
CREATE INDEX signups_state_created ON signups (state, created_at);

CREATE TABLE duplicate_keys (
  client_key   TEXT PRIMARY KEY,
  signup_id    TEXT NOT NULL REFERENCES signups (id) ON DELETE CASCADE,
  request_hash TEXT NOT NULL,
  created_at   BIGINT NOT NULL
);
CREATE INDEX duplicate_keys_signup ON duplicate_keys (signup_id);

CREATE TABLE outbox (
  signup_id TEXT PRIMARY KEY REFERENCES signups (id) ON DELETE CASCADE,
  due_at    BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (due_at);

CREATE TABLE attempts (
  id          BIGSERIAL PRIMARY KEY,
  signup_id   TEXT NOT NULL REFERENCES signups (id) ON DELETE CASCADE,
  started_at  BIGINT NOT NULL,
  duration_ms INTEGER NOT NULL,
  outcome     TEXT NOT NULL,
  http_status INTEGER,
  error       TEXT
);
CREATE INDEX attempts_signup ON attempts (signup_id, started_at);

CREATE TABLE relay_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
