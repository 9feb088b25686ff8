-- foreign_keys: off
-- Suspected bots are kept, not dropped (issue 10): a signup state `held`, never forwarded on
-- its own (no outbox row), with why it was held and the signals seen, until an admin
-- releases or discards it. Refused origins are counted for the operator.
--
-- SQLite cannot change a CHECK constraint in place, so `signups` is rebuilt by the documented
-- procedure (https://sqlite.org/lang_altertable.html#otheralter): foreign keys off (the
-- marker above; migrate.ts turns them off outside the transaction and checks them before
-- commit), copy, drop, rename, indexes again. Same columns, plus the two held ones.
CREATE TABLE signups_040 (
  id              TEXT PRIMARY KEY,
  source          TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'rejected', 'dead', 'held')),
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
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0,
  failures        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  referral_id     TEXT,
  program_id      TEXT,
  student_id      TEXT,
  referral_status TEXT,
  held_reason     TEXT,                          -- honeypot | fill_time; kept after a release
  held_signals    TEXT                           -- JSON object: what the check saw
) WITHOUT ROWID;
INSERT INTO signups_040 (id, source, state, impression_id, first_name, last_name, email, email_norm, profile_picture,
  metadata, client_key, request_hash, upstream_key, created_at, updated_at, delivered_at, attempts, failures,
  last_error, referral_id, program_id, student_id, referral_status)
SELECT id, source, state, impression_id, first_name, last_name, email, email_norm, profile_picture,
  metadata, client_key, request_hash, upstream_key, created_at, updated_at, delivered_at, attempts, failures,
  last_error, referral_id, program_id, student_id, referral_status
FROM signups;
DROP TABLE signups;
ALTER TABLE signups_040 RENAME TO signups;
CREATE UNIQUE INDEX signups_client_key ON signups (client_key) WHERE client_key IS NOT NULL;
CREATE INDEX signups_state_created ON signups (state, created_at);
CREATE INDEX signups_created_id ON signups (created_at, id);
CREATE INDEX signups_retention ON signups (delivered_at) WHERE state = 'delivered' AND email IS NOT NULL;

-- Origins refused by RELAY_ALLOWED_ORIGINS: summed per origin by every relay's periodic
-- flush, capped in size by the flush (the least recently seen go).
CREATE TABLE refused_origins (
  origin     TEXT PRIMARY KEY,
  count      INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL
) WITHOUT ROWID;
