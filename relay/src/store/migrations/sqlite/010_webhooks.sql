-- Webhook deliveries seen per source, so a sender's retry of the same delivery id is
-- acknowledged without doing anything twice. Kept 7 days (the promise is at least 24 h).
-- No foreign keys: erasing or purging a signup must never be blocked by a delivery record.
CREATE TABLE webhook_deliveries (
  source      TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,                  -- epoch ms
  outcome     TEXT NOT NULL CHECK (outcome IN ('accepted', 'unmappable')),
  signup_id   TEXT,                              -- outcome 'accepted'
  payload_id  TEXT,                              -- outcome 'unmappable'
  PRIMARY KEY (source, delivery_id)
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- Verified payloads that could not be mapped to a signup, kept verbatim so an admin can
-- fix the mapping and replay them: nothing verified is lost. Holds personal data.
CREATE TABLE webhook_payloads (
  id          TEXT PRIMARY KEY,                  -- whp_<time-sortable>
  source      TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  body        TEXT NOT NULL,                     -- the verified raw body, exactly as received
  issues      TEXT NOT NULL,                     -- JSON [{path, message}] of the latest mapping attempt
  status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ingested')),
  signup_id   TEXT                               -- set once a replay ingested it
);
CREATE INDEX webhook_payloads_status ON webhook_payloads (status, id);
