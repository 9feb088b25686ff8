/**
 * Poster links (`GET /go/:slug`) and the origins they may point to besides Google Forms.
 * Validation lives with the routes (webhooks/links.ts); this is storage only.
 */
import type { Sql } from '../sql';

export interface LinkRow {
  slug: string;
  target: string;
  impression_param: string;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'slug, target, impression_param, created_at, updated_at';
const toRow = (row: LinkRow): LinkRow => ({ ...row, created_at: Number(row.created_at), updated_at: Number(row.updated_at) });

export class LinkRepo {
  constructor(private readonly sql: Sql) {}

  async get(slug: string): Promise<LinkRow | undefined> {
    const row = await this.sql.get<LinkRow>(`SELECT ${COLUMNS} FROM poster_links WHERE slug = ?`, [slug]);
    return row && toRow(row);
  }

  async list(): Promise<LinkRow[]> {
    return (await this.sql.all<LinkRow>(`SELECT ${COLUMNS} FROM poster_links ORDER BY slug`)).map(toRow);
  }

  /** Creates or replaces; resolves true when the slug was new. */
  async put(link: { slug: string; target: string; impression_param: string }, now: number): Promise<boolean> {
    const existed = (await this.sql.get('SELECT 1 AS found FROM poster_links WHERE slug = ?', [link.slug])) !== undefined;
    await this.sql.run(
      `INSERT INTO poster_links (slug, target, impression_param, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (slug) DO UPDATE SET target = excluded.target, impression_param = excluded.impression_param,
         updated_at = excluded.updated_at`,
      [link.slug, link.target, link.impression_param, now, now],
    );
    return !existed;
  }

  async delete(slug: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM poster_links WHERE slug = ?', [slug])) > 0;
  }

  async origins(): Promise<string[]> {
    return (await this.sql.all<{ origin: string }>('SELECT origin FROM poster_link_origins ORDER BY origin')).map((row) => row.origin);
  }

  /** Replaces the whole allowlist. */
  async setOrigins(origins: readonly string[], now: number): Promise<void> {
    await this.sql.run('DELETE FROM poster_link_origins');
    for (const origin of origins) await this.sql.run('INSERT INTO poster_link_origins (origin, added_at) VALUES (?, ?)', [origin, now]);
  }
}
