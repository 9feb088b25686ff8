-- Suspected bots are kept, not dropped (issue 10): a signup state `held`, never forwarded on
-- its own (no outbox row), with why it was held and the signals seen. Refused origins are
-- counted for the operator. (The SQLite twin rebuilds the table; PostgreSQL alters in place.)
ALTER TABLE signups DROP CONSTRAINT signups_state_check;
ALTER TABLE signups ADD CONSTRAINT signups_state_check CHECK (state IN ('queued', 'delivered', 'rejected', 'dead', 'held'));
ALTER TABLE signups ADD COLUMN held_reason TEXT;
ALTER TABLE signups ADD COLUMN held_signals TEXT;

CREATE TABLE refused_origins (
  origin     TEXT PRIMARY KEY,
  count      BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen  BIGINT NOT NULL
);
