-- Admin reads: keyset pagination, filters, stats and the retention sweep.
-- Newest-first listing and CSV export page on (created_at, id).
CREATE INDEX IF NOT EXISTS signups_created_id ON signups (created_at, id);
CREATE INDEX IF NOT EXISTS signups_source_created ON signups (source, created_at);
-- Retention: only delivered rows that still hold personal data, oldest delivery first.
CREATE INDEX IF NOT EXISTS signups_retention ON signups (delivered_at)
  WHERE state = 'delivered' AND email IS NOT NULL;
-- Per-ambassador stats.
CREATE INDEX IF NOT EXISTS signups_student ON signups (student_id) WHERE student_id IS NOT NULL;
