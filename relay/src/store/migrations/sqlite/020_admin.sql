-- Admin reads. Indexes on `signups` cost every accept a page write, so only these two:
-- Newest-first listing, CSV export and stats windows page on (created_at, id); created_at
-- only grows, so inserts append at the index's right edge.
CREATE INDEX IF NOT EXISTS signups_created_id ON signups (created_at, id);
-- Retention: delivered rows that still hold personal data. Partial, so an accept (state
-- 'queued') never touches it; rows enter on delivery and leave when purged.
CREATE INDEX IF NOT EXISTS signups_retention ON signups (delivered_at)
  WHERE state = 'delivered' AND email IS NOT NULL;
