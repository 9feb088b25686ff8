/**
 * Schema migrations for both engines, from one place: `migrations/<engine>/NNN_name.sql`,
 * the same names in both folders (a test checks it), applied in name order, each once,
 * each in its own transaction, recorded in `schema_migrations`. The PostgreSQL engine runs
 * them under an advisory lock so relays starting together apply each one once.
 */
import type { Database } from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Engine = 'sqlite' | 'postgres';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  name: string;
  sql: string;
}

export function migrationsFor(engine: Engine, dir = join(MIGRATIONS_DIR, engine)): Migration[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

export const SCHEMA_MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)';

/**
 * A SQLite migration that rebuilds a table others reference starts with this line: foreign
 * keys must be off for its DROP TABLE (else the drop cascades), and that pragma is a no-op
 * inside a transaction, so it is set around it; the keys are checked before the commit.
 */
export const FOREIGN_KEYS_OFF = '-- foreign_keys: off';

/** Applies the pending SQLite migrations; returns their names. */
export function migrateSqlite(db: Database, migrations = migrationsFor('sqlite')): string[] {
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  const applied = new Set((db.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map((row) => row.name));
  const pending = migrations.filter((migration) => !applied.has(migration.name));
  for (const migration of pending) {
    const keysOff = migration.sql.startsWith(FOREIGN_KEYS_OFF) && db.pragma('foreign_keys', { simple: true }) === 1;
    if (keysOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        if (keysOff && (db.pragma('foreign_key_check') as unknown[]).length) throw new Error(`${migration.name} broke a foreign key`);
        db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(migration.name, Date.now());
      })();
    } finally {
      if (keysOff) db.pragma('foreign_keys = ON');
    }
  }
  return pending.map((migration) => migration.name);
}
