-- Outbox leases. The PostgreSQL engine writes them (relays share the outbox); the SQLite
-- engine, one process, keeps its leases in memory and leaves these NULL. Same columns in
-- both engines so the repositories' SQL is the same.
ALTER TABLE outbox ADD COLUMN claim_id TEXT;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
