import type { Pool } from 'pg';
import { migrationsFor, SCHEMA_MIGRATIONS_TABLE, type Migration } from '../migrate';

/** Any constant shared by every relay: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_214_331_901;

/**
 * Applies the pending PostgreSQL migrations under a session advisory lock: relays that
 * start together wait for each other, and each migration runs once, in its own
 * transaction. Resolves with the names applied by this call.
 */
export async function migratePostgres(pool: Pool, migrations: Migration[] = migrationsFor('postgres')): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(SCHEMA_MIGRATIONS_TABLE);
      const applied = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name));
      const done: string[] = [];
      for (const migration of migrations.filter((candidate) => !applied.has(candidate.name))) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [migration.name, Date.now()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        done.push(migration.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
