-- Core tables: a signup row and its outbox row commit in one transaction.
-- Every index costs pages written and fsync'd on every accept, so the hot tables are
-- WITHOUT ROWID (one B-tree keyed by the time-sortable id) and indexes on random keys
-- are limited to the two uniqueness checks.
CREATE TABLE signups (
  id              TEXT PRIMARY KEY,              -- sgn_<time-sortable>
  source          TEXT NOT NULL,                 -- 'widget', 'api' or a webhook source name
  state           TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'rejected', 'dead')),
  impression_id   TEXT NOT NULL,
  first_name      TEXT,                          -- PII columns are NULL after erase/retention
  last_name       TEXT,
  email           TEXT,
  email_norm      TEXT,
  profile_picture TEXT,
  metadata        TEXT,                          -- JSON object
  client_key      TEXT,                          -- client Idempotency-Key (unique, see below)
  request_hash    TEXT,                          -- canonical hash of the body, for key reuse checks
  upstream_key    TEXT NOT NULL UNIQUE,          -- f(impression_id, normalised email): one person, one referral
  created_at      INTEGER NOT NULL,              -- epoch ms
  updated_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0,    -- every upstream call
  failures        INTEGER NOT NULL DEFAULT 0,    -- the ones that consume the retry schedule
  last_error      TEXT,
  referral_id     TEXT,
  program_id      TEXT,
  student_id      TEXT,
  referral_status TEXT
) WITHOUT ROWID;
CREATE UNIQUE INDEX signups_client_key ON signups (client_key) WHERE client_key IS NOT NULL;
CREATE INDEX signups_state_created ON signups (state, created_at);
-- No index on email_norm: erasing a person (rare, admin-only) scans instead of every accept paying.

-- Client idempotency keys whose first request was answered "duplicate" (the person was
-- already stored under another key): bound too, so the key can't be reused for someone else.
CREATE TABLE duplicate_keys (
  client_key   TEXT PRIMARY KEY,
  signup_id    TEXT NOT NULL REFERENCES signups (id) ON DELETE CASCADE,
  request_hash TEXT NOT NULL,
  created_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX duplicate_keys_signup ON duplicate_keys (signup_id);

-- What the forwarder still has to do. A row leaves when the signup is delivered, rejected or dead.
CREATE TABLE outbox (
  signup_id TEXT PRIMARY KEY REFERENCES signups (id) ON DELETE CASCADE,
  due_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox (due_at);

-- Every upstream attempt, for the admin's history.
CREATE TABLE attempts (
  id          INTEGER PRIMARY KEY,
  signup_id   TEXT NOT NULL REFERENCES signups (id) ON DELETE CASCADE,
  started_at  INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  outcome     TEXT NOT NULL,                     -- created | rejected | unauthorized | retryable
  http_status INTEGER,
  error       TEXT
);
CREATE INDEX attempts_signup ON attempts (signup_id, started_at);

-- Small durable facts: counters (bots) and flags (admin pause).
CREATE TABLE relay_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
