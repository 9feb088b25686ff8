-- Hosted signup pages (/join/:slug): one row per page, its validated configuration as JSON.
CREATE TABLE IF NOT EXISTS pages (
  slug TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Uploaded profile pictures, re-encoded (WebP, no metadata) and content-addressed: the id is
-- an HMAC of the re-encoded bytes under a relay secret, so the same photo gets the same id and
-- nobody can derive a picture's address from a person's data. The bytes are base64 text
-- (one value type for both engines; pictures are ≤ 1024 px WebP, tens of KB).
CREATE TABLE IF NOT EXISTS pictures (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  -- Set once a stored signup points at it; a linked picture with no uses left is erased.
  linked_at BIGINT
);

-- Which signups point at which picture: erasing a person (the signup rows go) or the
-- retention purge (profile_picture set to NULL) leaves a picture unused, and it is deleted.
CREATE TABLE IF NOT EXISTS picture_uses (
  picture_id TEXT NOT NULL REFERENCES pictures (id) ON DELETE CASCADE,
  signup_id TEXT NOT NULL REFERENCES signups (id) ON DELETE CASCADE,
  PRIMARY KEY (picture_id, signup_id)
);
CREATE INDEX IF NOT EXISTS picture_uses_signup ON picture_uses (signup_id);
