/**
 * Page configurations in the relay's database (`pages`, migration 050). Writes go through
 * the store's group commit like every other write; reads are direct.
 */
import { ZPageConfig, type TPage, type TPageConfig } from '@vantio/shared';
import type { SqliteStore } from '../store/sqlite-store';

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

export class PageStore {
  private readonly sql;

  constructor(private readonly store: SqliteStore) {
    const { db } = store;
    this.sql = {
      get: db.prepare('SELECT * FROM pages WHERE slug = ?'),
      list: db.prepare('SELECT * FROM pages ORDER BY slug'),
      upsert: db.prepare(
        `INSERT INTO pages (slug, config, created_at, updated_at) VALUES (@slug, @config, @now, @now)
         ON CONFLICT (slug) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      ),
      delete: db.prepare('DELETE FROM pages WHERE slug = ?'),
    };
  }

  get(slug: string): StoredPage | undefined {
    const row = this.sql.get.get(slug) as PageRow | undefined;
    return row && fromRow(row);
  }

  list(): StoredPage[] {
    return (this.sql.list.all() as PageRow[]).map(fromRow);
  }

  /** Creates or replaces a page; resolves with it and whether it is new. */
  async put(slug: string, config: TPageConfig, now: number): Promise<{ page: StoredPage; created: boolean }> {
    return this.store.commits.run(() => {
      const created = this.sql.get.get(slug) === undefined;
      this.sql.upsert.run({ slug, config: JSON.stringify(config), now });
      return { page: fromRow(this.sql.get.get(slug) as PageRow), created };
    });
  }

  async delete(slug: string): Promise<boolean> {
    return this.store.commits.run(() => this.sql.delete.run(slug).changes > 0);
  }
}

function fromRow(row: PageRow): StoredPage {
  // Parsed again on read: a config stored by an older relay gets today's defaults.
  const config = ZPageConfig.parse(JSON.parse(row.config));
  return { slug: row.slug, config, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function toPageView(page: StoredPage): TPage {
  return {
    slug: page.slug,
    config: page.config,
    created_at: new Date(page.createdAt).toISOString(),
    updated_at: new Date(page.updatedAt).toISOString(),
  };
}
