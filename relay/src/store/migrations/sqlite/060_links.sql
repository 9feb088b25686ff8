-- Poster links (GET /go/:slug): a slug → a form URL and the query parameter that carries
-- the impression (a Google Forms `entry.NNN`). Holds no personal data.
CREATE TABLE poster_links (
  slug             TEXT PRIMARY KEY,
  target           TEXT NOT NULL,
  impression_param TEXT NOT NULL,
  created_at       INTEGER NOT NULL,            -- epoch ms
  updated_at       INTEGER NOT NULL
) WITHOUT ROWID;

-- Origins a poster link may point to besides https://docs.google.com/forms/… (admin-set).
CREATE TABLE poster_link_origins (
  origin   TEXT PRIMARY KEY,                    -- https://host[:port]
  added_at INTEGER NOT NULL
) WITHOUT ROWID;
