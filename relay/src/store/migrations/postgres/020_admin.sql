CREATE INDEX IF NOT EXISTS signups_created_id ON signups (created_at, id);
CREATE INDEX IF NOT EXISTS signups_retention ON signups (delivered_at)
  WHERE state = 'delivered' AND email IS NOT NULL;
