/**
 * Poster links on the current SQLite store (migration 060_links.sql). Written against the
 * async LinkRepository so it ports to the shared store interface unchanged; writes go
 * through the group commit like every other write.
 */
import type { SqliteStore } from '../store/sqlite-store';
import type { LinkRepository, LinkRow, TLinkInput } from './links';

export function sqliteLinkRepository(store: SqliteStore): LinkRepository {
  const { db } = store;
  const sql = {
    get: db.prepare('SELECT slug, target, impression_param, created_at, updated_at FROM poster_links WHERE slug = ?'),
    list: db.prepare('SELECT slug, target, impression_param, created_at, updated_at FROM poster_links ORDER BY slug'),
    insert: db.prepare(
      `INSERT INTO poster_links (slug, target, impression_param, created_at, updated_at)
       VALUES (@slug, @target, @impression_param, @now, @now)
       ON CONFLICT (slug) DO UPDATE SET target = excluded.target, impression_param = excluded.impression_param,
         updated_at = excluded.updated_at`,
    ),
    delete: db.prepare('DELETE FROM poster_links WHERE slug = ?'),
    origins: db.prepare('SELECT origin FROM poster_link_origins ORDER BY origin'),
    clearOrigins: db.prepare('DELETE FROM poster_link_origins'),
    addOrigin: db.prepare('INSERT INTO poster_link_origins (origin, added_at) VALUES (?, ?)'),
  };
  return {
    get: async (slug) => sql.get.get(slug) as LinkRow | undefined,
    list: async () => sql.list.all() as LinkRow[],
    put: (slug, link: TLinkInput, now) =>
      store.commits.run(() => {
        const existed = sql.get.get(slug) !== undefined;
        sql.insert.run({ slug, target: link.target, impression_param: link.impression_param, now });
        return { created: !existed };
      }),
    delete: (slug) => store.commits.run(() => sql.delete.run(slug).changes > 0),
    origins: async () => (sql.origins.all() as { origin: string }[]).map((row) => row.origin),
    setOrigins: (origins, now) =>
      store.commits.run(() => {
        sql.clearOrigins.run();
        for (const origin of origins) sql.addOrigin.run(origin, now);
      }),
  };
}
