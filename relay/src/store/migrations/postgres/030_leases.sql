-- Outbox leases: a relay owns a claimed row until lease_until; claim_id fences a stale
-- relay's late write. Unleased due rows are found by due_at; expired leases by lease_until.
ALTER TABLE outbox ADD COLUMN claim_id TEXT;
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
CREATE INDEX outbox_lease ON outbox (lease_until) WHERE lease_until IS NOT NULL;
