/**
 * Opens the store the configuration asks for: PostgreSQL at `RELAY_DATABASE_URL`, else the
 * SQLite file at `RELAY_DB`. The only module that knows the engines.
 */
import { SqliteStore } from './sqlite/engine';
import type { Store } from './types';

export interface StoreLocation {
  /** `postgres://…`: several relays share one database. */
  databaseUrl?: string | undefined;
  /** The SQLite file (or `:memory:`), used when there is no databaseUrl. */
  dbPath: string;
  /** probeWritable() fails below this much free space where the engine can tell (SQLite: its file system). */
  minFreeDiskBytes?: number | undefined;
  /** Told about database connection trouble (PostgreSQL); never given personal data. */
  logger?: { warn(fields: Record<string, unknown>, message: string): void } | undefined;
}

export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.databaseUrl) {
    // Loaded only here, so a SQLite relay never loads the PostgreSQL client.
    const { PostgresStore } = await import('./postgres/engine');
    const { logger } = location;
    return PostgresStore.open(location.databaseUrl, logger ? { warn: (fields, message) => logger.warn(fields, message) } : {});
  }
  return SqliteStore.open(location.dbPath, { minFreeDiskBytes: location.minFreeDiskBytes ?? 0 });
}
