/**
 * The engines a storage test runs on: SQLite always (a temp file), PostgreSQL when the
 * test run has a server (RELAY_TEST_DATABASE_URL, from scripts/pg-test-cluster.sh; `.ci/run`
 * starts one). Storage tests are written once: `describe.each(testEngines())(…)`.
 * Without a server PostgreSQL is skipped with one message; in CI (`CI=true`) that fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite/engine';
import type { Store } from './types';

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty store of this engine. */
  open(): Promise<Store>;
  /** Removes what `open` made (files, databases). */
  cleanup(): Promise<void>;
}

export function sqliteTestEngine(): TestEngine {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
      dirs.push(dir);
      return SqliteStore.open(join(dir, 'relay.sqlite'));
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let skipReported = false;

/** The PostgreSQL server of this test run, or undefined (after one skip message; CI fails instead). */
export function testServerUrl(): string | undefined {
  const url = process.env.RELAY_TEST_DATABASE_URL?.trim();
  if (url) return url;
  if (process.env.CI === 'true') {
    throw new Error('CI=true but RELAY_TEST_DATABASE_URL is not set: CI must run the PostgreSQL tests (see .ci/run)');
  }
  // The vitest config already said it once for the whole run (VANTIO_PG_SKIP_NOTED).
  if (!skipReported && !process.env.VANTIO_PG_SKIP_NOTED) {
    skipReported = true;
    process.stderr.write(
      'note: PostgreSQL tests skipped (RELAY_TEST_DATABASE_URL is not set; start a server with `scripts/pg-test-cluster.sh start`)\n',
    );
  }
  return undefined;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server (CREATE DATABASE), dropped by `drop()`. */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const { default: pg } = await import('pg');
  const name = `vantio_test_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export function postgresTestEngine(serverUrl: string): TestEngine {
  const opened: Array<{ store: Store; database: TestDatabase }> = [];
  return {
    name: 'postgres',
    async open() {
      const database = await createTestDatabase(serverUrl);
      const { PostgresStore } = await import('./postgres/engine');
      const store = await PostgresStore.open(database.url);
      opened.push({ store, database });
      return store;
    },
    async cleanup() {
      for (const { store, database } of opened.splice(0)) {
        await store.close().catch(() => undefined);
        await database.drop();
      }
    },
  };
}

export function testEngines(): TestEngine[] {
  const serverUrl = testServerUrl();
  return serverUrl ? [sqliteTestEngine(), postgresTestEngine(serverUrl)] : [sqliteTestEngine()];
}
