/** Hosted page configurations (`pages`, migration 050): one JSON configuration per slug. */
import { ZPageConfig, type TPageConfig } from '@vantio/shared';
import type { Sql } from '../sql';

interface PageRow {
  slug: string;
  config: string;
  created_at: number;
  updated_at: number;
}

export interface StoredPage {
  slug: string;
  config: TPageConfig;
  createdAt: number;
  updatedAt: number;
}

export class PageRepo {
  constructor(private readonly sql: Sql) {}

  async get(slug: string): Promise<StoredPage | undefined> {
    const row = await this.sql.get<PageRow>('SELECT * FROM pages WHERE slug = ?', [slug]);
    return row && fromRow(row);
  }

  async list(): Promise<StoredPage[]> {
    return (await this.sql.all<PageRow>('SELECT * FROM pages ORDER BY slug')).map(fromRow);
  }

  /** Creates or replaces a page; says whether it is new. */
  async put(slug: string, config: TPageConfig, now: number): Promise<{ page: StoredPage; created: boolean }> {
    const created = (await this.sql.get('SELECT 1 AS found FROM pages WHERE slug = ?', [slug])) === undefined;
    await this.sql.run(
      `INSERT INTO pages (slug, config, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (slug) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      [slug, JSON.stringify(config), now, now],
    );
    return { page: (await this.get(slug))!, created };
  }

  async delete(slug: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM pages WHERE slug = ?', [slug])) > 0;
  }
}

function fromRow(row: PageRow): StoredPage {
  // Parsed again on read: a configuration stored by an older relay gets today's defaults.
  const config = ZPageConfig.parse(JSON.parse(row.config));
  return { slug: row.slug, config, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}
