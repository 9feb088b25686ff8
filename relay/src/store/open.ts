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
}

export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.databaseUrl) {
    // The PostgreSQL engine lands in the next commit (store/postgres/).
    throw new Error('RELAY_DATABASE_URL: the PostgreSQL engine is not available in this build');
  }
  return SqliteStore.open(location.dbPath, { minFreeDiskBytes: location.minFreeDiskBytes ?? 0 });
}
