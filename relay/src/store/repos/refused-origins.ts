/**
 * Origins refused by RELAY_ALLOWED_ORIGINS, summed per origin by every relay's periodic flush
 * (http/refused-origins.ts) and capped in size: the least recently seen go first.
 */
import type { RefusedOriginRow, RefusedOriginStore } from '../../http/refused-origins';
import type { Sql } from '../sql';

export class RefusedOriginRepo {
  constructor(private readonly sql: Sql) {}

  /** Adds one flush's counts; keeps the `cap` most recently seen origins. */
  async add(rows: RefusedOriginRow[], cap: number): Promise<void> {
    for (const row of rows) {
      await this.sql.run(
        `INSERT INTO refused_origins (origin, count, first_seen, last_seen) VALUES (?, ?, ?, ?)
         ON CONFLICT (origin) DO UPDATE SET count = refused_origins.count + excluded.count,
           first_seen = CASE WHEN excluded.first_seen < refused_origins.first_seen THEN excluded.first_seen ELSE refused_origins.first_seen END,
           last_seen = CASE WHEN excluded.last_seen > refused_origins.last_seen THEN excluded.last_seen ELSE refused_origins.last_seen END`,
        [row.origin, row.count, row.first_seen, row.last_seen],
      );
    }
    await this.sql.run(
      `DELETE FROM refused_origins WHERE origin NOT IN (
         SELECT origin FROM refused_origins ORDER BY last_seen DESC, origin LIMIT ?)`,
      [cap],
    );
  }

  async list(limit: number): Promise<RefusedOriginRow[]> {
    const rows = await this.sql.all<RefusedOriginRow>(
      'SELECT origin, count, first_seen, last_seen FROM refused_origins ORDER BY last_seen DESC, origin LIMIT ?',
      [limit],
    );
    // COUNT-like columns may arrive as strings from PostgreSQL.
    return rows.map((row) => ({ origin: row.origin, count: Number(row.count), first_seen: Number(row.first_seen), last_seen: Number(row.last_seen) }));
  }
}

/** The refused-origin counts in the relay's database: relays sharing it add up. */
export function storeRefusedOrigins(store: {
  read: { refusedOrigins: RefusedOriginRepo };
  transaction<T>(unit: (tx: { refusedOrigins: RefusedOriginRepo }) => Promise<T>): Promise<T>;
}): RefusedOriginStore {
  return {
    addRefusedOrigins: (rows, cap) => store.transaction((tx) => tx.refusedOrigins.add(rows, cap)),
    listRefusedOrigins: (limit) => store.read.refusedOrigins.list(limit),
  };
}
