CREATE TABLE webhook_deliveries (
  source      TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('accepted', 'unmappable')),
  signup_id   TEXT,
  payload_id  TEXT,
  PRIMARY KEY (source, delivery_id)
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- `seq` orders payloads by arrival (SQLite uses its rowid).
CREATE TABLE webhook_payloads (
  seq         BIGSERIAL UNIQUE,
  id          TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  body        TEXT NOT NULL,
  issues      TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ingested')),
  signup_id   TEXT
);
CREATE INDEX webhook_payloads_status ON webhook_payloads (status, seq);
